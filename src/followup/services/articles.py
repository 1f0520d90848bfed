"""Use cases of the reading list: add, list, remove, import feeds, suggest for an action."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from followup.config import PlaybookSource
from followup.errors import UsageError
from followup.services.acting import find_action
from followup.services.database import Database
from followup.services.plan_cache import load_agenda

if TYPE_CHECKING:
    from followup.articles.model import Article, Suggestion
    from followup.core.playbook import Playbook


@dataclass(frozen=True, slots=True)
class ImportResult:
    added: int
    read: int
    feeds: int
    problems: list[str]


def add(
    database: Database, url: str, title: str | None, summary: str, tags: str, now: datetime
) -> Article:
    """Add one article; its URL must be http(s) and not listed yet."""
    from followup.articles.model import Article
    from followup.store.reading import Reading

    clean = url.strip()
    if not clean.startswith(("http://", "https://")) or " " in clean:
        raise UsageError(f"'{url}' is not a web address", hint="give the article's http(s):// URL")
    article = Article(
        url=clean,
        title=(title or "").strip() or clean,
        summary=summary.strip(),
        tags=tuple(t.strip() for t in tags.split(",") if t.strip()),
    )
    Reading(database.store).add_article(article, now)
    return article


def sample_feed() -> str:
    """The path of the sample reading list shipped with the package (it fits the demo)."""
    from importlib.resources import files

    return str(files("followup.articles") / "data" / "sample-reading.rss")


def listing(database: Database) -> list[Article]:
    from followup.store.reading import Reading

    return Reading(database.store).articles()


def remove(database: Database, url: str) -> None:
    from followup.store.reading import Reading

    Reading(database.store).remove_article(url)


def import_feeds(database: Database, sources: list[str], now: datetime) -> ImportResult:
    """Read every source, then add the new articles in one transaction."""
    from followup.articles.feeds import read_sources
    from followup.store.reading import Reading

    found = read_sources(sources)
    added = Reading(database.store).add_new_articles(found.articles, now)
    return ImportResult(added, len(found.articles), found.feeds, found.problems)


def suggest_for(
    database: Database,
    playbook: Playbook | PlaybookSource,
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
    from followup.store.reading import Reading

    action = find_action(load_agenda(database, playbook, now).at(now), action_id)
    opp_id, person = action.opportunity, action.person
    if person is None or opp_id is None:
        raise UsageError(f"action '{action_id}' is not addressed to a person")
    facts = database.store.load_facts()
    articles = Reading(database.store).articles()
    if method != "embeddings":
        return suggestions_for(action, facts, articles)
    from followup.articles.semantic import suggest_by_meaning

    opp = facts.opportunity(opp_id)
    if opp is None:
        return []
    return suggest_by_meaning(
        person_notes(opp, person), articles, exclude=already_sent(opp, person)
    )
