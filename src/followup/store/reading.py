"""The reading list and the user's edited drafts: stored beside the facts, not among them.

Neither is part of the interchange document, and neither changes the plan, so writing them does
not bump the revision (cached plans stay valid) and an import, which replaces the facts, keeps
them. Each method is one short transaction of its own, opened with the store's own
``_session`` (this module is part of the store package), so the revision is left alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from followup.articles.model import Article
from followup.errors import Conflict, NotFound
from followup.store.sql import read_json_list, read_moment
from followup.store.units import Units


class Reading:
    """Articles and draft edits in ``store``'s database (a `Store` or a `LiteStore`)."""

    def __init__(self, store: Units, candidate_pk: int | None = None) -> None:
        self.store = store
        self.candidate_pk = candidate_pk or store.candidate_pk()

    # -- articles --------------------------------------------------------------------------

    def add_article(self, article: Article, now: datetime) -> None:
        """Add one article; an article with the same URL is a `Conflict`."""
        with self.store._session("write to", write=True) as (db, _):
            if db.first(f"SELECT pk FROM article WHERE {_ARTICLE}", self._article(article.url)):
                raise Conflict(
                    f"article {article.url} is already on the reading list",
                    hint="`followup article list` shows it",
                )
            db.insert("article", [self._values(article, now)])

    def add_new_articles(self, articles: Iterable[Article], now: datetime) -> int:
        """Add the articles whose URL is not listed yet (an import); returns how many."""
        fresh: dict[str, Article] = {}
        for a in articles:
            fresh.setdefault(a.url, a)
        if not fresh:
            return 0
        with self.store._session("write to", write=True) as (db, _):
            query = "SELECT url FROM article WHERE candidate_pk = ?"
            known = set(db.column(query, [self.candidate_pk]))
            rows = [self._values(a, now) for url, a in fresh.items() if url not in known]
            db.insert("article", rows)
        return len(rows)

    def articles(self) -> list[Article]:
        """The reading list, newest first."""
        query = (
            "SELECT url, title, summary, tags, source, added FROM article "
            "WHERE candidate_pk = ? ORDER BY added DESC, pk DESC"
        )
        with self.store._session("read", write=False) as (db, _):
            rows = db.rows(query, [self.candidate_pk])
        return [
            Article(url, title, summary, read_json_list(tags) or (), source, read_moment(added))
            for url, title, summary, tags, source, added in rows
        ]

    def remove_article(self, url: str) -> None:
        with self.store._session("write to", write=True) as (db, _):
            gone = db.run(f"DELETE FROM article WHERE {_ARTICLE}", self._article(url))
        if not gone:
            raise NotFound(f"no article {url} on the reading list")

    def _article(self, url: str) -> list[Any]:
        return [self.candidate_pk, url]

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
        with self.store._session("read", write=False) as (db, _):
            found = db.scalar(f"SELECT text FROM draft_edit WHERE {_EDIT}", self._edit(action_id))
        return None if found is None else str(found)

    def edited_drafts(self) -> dict[str, str]:
        """Every edited draft, by action id."""
        query = "SELECT action, text FROM draft_edit WHERE candidate_pk = ?"
        with self.store._session("read", write=False) as (db, _):
            return {str(a): str(t) for a, t in db.rows(query, [self.candidate_pk])}

    def save_draft(self, action_id: str, text: str, now: datetime) -> None:
        with self.store._session("write to", write=True) as (db, _):
            db.run(
                "INSERT INTO draft_edit (candidate_pk, action, text, edited) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (candidate_pk, action) "
                "DO UPDATE SET text = excluded.text, edited = excluded.edited",
                [self.candidate_pk, action_id, text, db.moment(now)],
            )

    def _edit(self, action_id: str) -> list[Any]:
        return [self.candidate_pk, action_id]

    def discard_draft(self, action_id: str) -> bool:
        """Forget the edit of ``action_id``; False when there was none."""
        with self.store._session("write to", write=True) as (db, _):
            return bool(db.run(f"DELETE FROM draft_edit WHERE {_EDIT}", self._edit(action_id)))


#: one article of the candidate, by URL; one draft edit, by action id
_ARTICLE = "candidate_pk = ? AND url = ?"
_EDIT = "candidate_pk = ? AND action = ?"
