"""The reading list and edited drafts in the database, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from followup.articles.model import Article
from followup.core.model import Facts, Profile
from followup.errors import Conflict, NotFound
from followup.store import Store
from followup.store.reading import Reading

NOW = datetime(2030, 3, 5, 15, 0, tzinfo=UTC)


def test_articles_are_unique_by_url_and_listed_newest_first(store: Store) -> None:
    reading = Reading(store)
    reading.add_article(Article("https://a.example/1", "One", "first", ("x", "y")), NOW)
    with pytest.raises(Conflict, match=r"https://a\.example/1 is already on the reading list"):
        reading.add_article(Article("https://a.example/1", "Again"), NOW)
    added = reading.add_new_articles(
        [
            Article("https://a.example/1", "Dup"),
            Article("https://a.example/2", "Two", source="Feed"),
            Article("https://a.example/2", "Two again"),
        ],
        NOW + timedelta(hours=1),
    )
    assert added == 1
    listed = reading.articles()
    assert [a.url for a in listed] == ["https://a.example/2", "https://a.example/1"]
    assert listed[1] == Article("https://a.example/1", "One", "first", ("x", "y"), None, NOW)
    assert listed[0].source == "Feed"
    reading.remove_article("https://a.example/1")
    with pytest.raises(NotFound):
        reading.remove_article("https://a.example/1")
    assert [a.title for a in reading.articles()] == ["Two"]


def test_draft_edits_upsert_and_discard(store: Store) -> None:
    reading = Reading(store)
    assert reading.edited_draft("thank-you:a:b:c") is None
    reading.save_draft("thank-you:a:b:c", "first", NOW)
    reading.save_draft("thank-you:a:b:c", "second", NOW + timedelta(minutes=5))
    assert reading.edited_draft("thank-you:a:b:c") == "second"
    assert reading.edited_drafts() == {"thank-you:a:b:c": "second"}
    assert reading.discard_draft("thank-you:a:b:c") is True
    assert reading.discard_draft("thank-you:a:b:c") is False


def test_neither_changes_the_revision_and_an_import_keeps_them(store: Store) -> None:
    reading = Reading(store)
    before = store.revision()
    reading.add_article(Article("https://a.example/1", "One"), NOW)
    reading.save_draft("x:y:z:w", "text", NOW)
    assert store.revision() == before  # stored plans stay valid
    with store.unit_of_work() as uow:
        uow.replace_all(Facts(profile=Profile(name="Someone")))
    assert [a.url for a in reading.articles()] == ["https://a.example/1"]
    assert reading.edited_draft("x:y:z:w") == "text"
