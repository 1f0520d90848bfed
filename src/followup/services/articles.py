"""Use cases of the reading list: add, list, remove, import feeds, suggest for an action."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from followup.errors import UsageError
from followup.services.workspace import Workspace

if TYPE_CHECKING:
    from followup.articles.model import Article, Suggestion


@dataclass(frozen=True, slots=True)
class ImportResult:
    added: int
    read: int
    feeds: int
    problems: list[str]


def add(
    database: Workspace, url: str, title: str | None, summary: str, tags: str, now: datetime
) -> Article:
    """Add one article; its URL must be http(s) and not listed yet."""
    from followup.articles.model import Article

    clean = url.strip()
    if not clean.startswith(("http://", "https://")) or " " in clean:
        raise UsageError(f"'{url}' is not a web address", hint="give the article's http(s):// URL")
    article = Article(
        url=clean,
        title=(title or "").strip() or clean,
        summary=summary.strip(),
        tags=tuple(t.strip() for t in tags.split(",") if t.strip()),
    )
    database.reading().add_article(article, now)
    return article


def sample_feed() -> str:
    """The path of the sample reading list shipped with the package (it fits the demo)."""
    from importlib.resources import files

    return str(files("followup.articles") / "data" / "sample-reading.rss")


def listing(database: Workspace) -> list[Article]:

    return database.reading().articles()


def remove(database: Workspace, url: str) -> None:

    database.reading().remove_article(url)


def import_feeds(database: Workspace, sources: list[str], now: datetime) -> ImportResult:
    """Read every source, then add the new articles in one transaction."""
    from followup.articles.feeds import read_sources

    found = read_sources(sources)
    added = database.reading().add_new_articles(found.articles, now)
    return ImportResult(added, len(found.articles), found.feeds, found.problems)


def suggest_for(
    database: Workspace,
    action_id: str,
    now: datetime,
    method: str = "tfidf",
) -> list[Suggestion]:
    """The articles best suited to the person of ``action_id`` (a value-add, usually).

    ``method``: "tfidf" (shared terms, the default) or "embeddings" (meaning; needs the
    ``followup[embeddings]`` extra).
    """
    from followup.articles.suggest import already_sent, person_notes
    from followup.services.drafting import suggestions_for

    action = database.action(action_id, now)
    opp_id, person = action.opportunity, action.person
    if person is None or opp_id is None:
        raise UsageError(f"action '{action_id}' is not addressed to a person")
    facts = database.facts()
    articles = database.reading().articles()
    if method != "embeddings":
        return suggestions_for(action, facts, articles)
    from followup.articles.semantic import suggest_by_meaning

    opp = facts.opportunity(opp_id)
    if opp is None:
        return []
    return suggest_by_meaning(
        person_notes(opp, person), articles, exclude=already_sent(opp, person)
    )
