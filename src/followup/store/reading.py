"""The reading list and the user's edited drafts: stored beside the facts, not among them.

Neither is part of the interchange document, and neither changes the plan, so writing them does
not bump the revision (cached plans stay valid) and an import, which replaces the facts, keeps
them. Each method is one short transaction of its own, opened with the store's own
``_transaction`` (this module is part of the store package), so the revision is left alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from followup.articles.model import Article
from followup.errors import Conflict, NotFound
from followup.store.schema import ArticleRow, DraftEditRow
from followup.store.store import Store


class Reading:
    """Articles and draft edits in ``store``'s database."""

    def __init__(self, store: Store, candidate_pk: int | None = None) -> None:
        self.store = store
        self.candidate_pk = candidate_pk or store.candidate_pk()

    # -- articles --------------------------------------------------------------------------

    def add_article(self, article: Article, now: datetime) -> None:
        """Add one article; an article with the same URL is a `Conflict`."""
        with self.store._transaction("write to", write=True) as conn:
            exists = conn.execute(
                sa.select(ArticleRow.pk).where(*self._article(article.url))
            ).first()
            if exists:
                raise Conflict(
                    f"article {article.url} is already on the reading list",
                    hint="`followup article list` shows it",
                )
            conn.execute(sa.insert(ArticleRow).values(self._values(article, now)))

    def add_new_articles(self, articles: Iterable[Article], now: datetime) -> int:
        """Add the articles whose URL is not listed yet (an import); returns how many."""
        fresh: dict[str, Article] = {}
        for a in articles:
            fresh.setdefault(a.url, a)
        if not fresh:
            return 0
        with self.store._transaction("write to", write=True) as conn:
            known = set(
                conn.execute(
                    sa.select(ArticleRow.url).where(ArticleRow.candidate_pk == self.candidate_pk)
                ).scalars()
            )
            rows = [self._values(a, now) for url, a in fresh.items() if url not in known]
            if rows:
                conn.execute(sa.insert(ArticleRow), rows)
        return len(rows)

    def articles(self) -> list[Article]:
        """The reading list, newest first."""
        query = (
            sa.select(ArticleRow)
            .where(ArticleRow.candidate_pk == self.candidate_pk)
            .order_by(ArticleRow.added.desc(), ArticleRow.pk.desc())
        )
        with self.store._transaction("read", write=False) as conn:
            rows = conn.execute(query).all()
        return [Article(r.url, r.title, r.summary, tuple(r.tags), r.source, r.added) for r in rows]

    def remove_article(self, url: str) -> None:
        with self.store._transaction("write to", write=True) as conn:
            gone = conn.execute(sa.delete(ArticleRow).where(*self._article(url))).rowcount
        if not gone:
            raise NotFound(f"no article {url} on the reading list")

    def _article(self, url: str) -> list[Any]:
        return [ArticleRow.candidate_pk == self.candidate_pk, ArticleRow.url == url]

    def _values(self, article: Article, now: datetime) -> dict[str, object]:
        return {
            "candidate_pk": self.candidate_pk,
            "url": article.url,
            "title": article.title,
            "summary": article.summary,
            "tags": article.tags,
            "source": article.source,
            "added": article.added or now,
        }

    # -- draft edits -----------------------------------------------------------------------

    def edited_draft(self, action_id: str) -> str | None:
        query = sa.select(DraftEditRow.text).where(*self._edit(action_id))
        with self.store._transaction("read", write=False) as conn:
            return conn.execute(query).scalar()

    def edited_drafts(self) -> dict[str, str]:
        """Every edited draft, by action id."""
        with self.store._transaction("read", write=False) as conn:
            rows = conn.execute(
                sa.select(DraftEditRow.action, DraftEditRow.text).where(
                    DraftEditRow.candidate_pk == self.candidate_pk
                )
            ).all()
            return {row.action: row.text for row in rows}

    def save_draft(self, action_id: str, text: str, now: datetime) -> None:
        values = {
            "candidate_pk": self.candidate_pk,
            "action": action_id,
            "text": text,
            "edited": now,
        }
        from sqlalchemy.dialects import postgresql, sqlite  # only the upsert needs them

        with self.store._transaction("write to", write=True) as conn:
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            upsert = dialect.insert(DraftEditRow).values(values)
            upsert = upsert.on_conflict_do_update(
                index_elements=[DraftEditRow.candidate_pk, DraftEditRow.action],
                set_={"text": upsert.excluded.text, "edited": upsert.excluded.edited},
            )
            conn.execute(upsert)

    def _edit(self, action_id: str) -> list[Any]:
        return [DraftEditRow.candidate_pk == self.candidate_pk, DraftEditRow.action == action_id]

    def discard_draft(self, action_id: str) -> bool:
        """Forget the edit of ``action_id``; False when there was none."""
        with self.store._transaction("write to", write=True) as conn:
            query = sa.delete(DraftEditRow).where(*self._edit(action_id))
            return bool(conn.execute(query).rowcount)
