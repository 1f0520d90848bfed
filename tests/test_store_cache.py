"""The plan cache, through the store and through the SQLAlchemy-free fast path."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url

from followup.core.model import Opportunity, Profile
from followup.store import HEAD_REVISION, Store, open_store, sqlite_url
from followup.store.fastpath import read_cached_payload, sqlite_path_from_url

KEY = "playbook:abc|core:def"


def write_something(store: Store) -> None:
    with store.unit_of_work() as work:
        work.set_profile(Profile(name=f"revision {store.revision()}"))


def test_cache_is_read_back_at_the_same_revision(store: Store) -> None:
    assert store.read_cache(KEY) is None
    store.write_cache(KEY, store.revision(), '{"plan": 1}')
    assert store.read_cache(KEY) == '{"plan": 1}'
    assert store.read_cache("another key") is None


def test_writing_the_cache_does_not_change_the_revision(store: Store) -> None:
    write_something(store)
    store.write_cache(KEY, 1, "a")
    store.write_cache(KEY, 1, "b")  # an upsert, not a duplicate
    assert store.revision() == 1
    assert store.read_cache(KEY) == "b"


def test_cache_goes_stale_after_a_write(store: Store) -> None:
    store.write_cache(KEY, store.revision(), "old plan")
    write_something(store)
    assert store.read_cache(KEY) is None
    store.write_cache(KEY, store.revision(), "new plan")
    assert store.read_cache(KEY) == "new plan"


def test_a_failed_write_leaves_the_cache_valid(store: Store) -> None:
    store.write_cache(KEY, store.revision(), "plan")

    def fail_after_writing() -> None:
        with store.unit_of_work() as work:
            work.set_profile(Profile(name="x"))
            raise RuntimeError

    with pytest.raises(RuntimeError):
        fail_after_writing()
    assert store.read_cache(KEY) == "plan"


def test_entries_older_than_the_newest_write_are_dropped(store: Store) -> None:
    store.write_cache("old key", 0, "x")
    write_something(store)
    store.write_cache(KEY, 1, "y")
    write_something(store)
    store.write_cache(KEY, 0, "a lagging writer")  # never served: revision 0 is not current
    assert store.read_cache(KEY) is None
    store.write_cache("old key", 2, "z")
    assert store.read_cache("old key") == "z"
    assert store.read_cache(KEY) is None


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[tuple[Store, str]]:
    path = str(tmp_path / "plans.db")
    store = open_store(sqlite_url(path))
    yield store, path
    store.close()


def test_fastpath_reads_a_current_entry(sqlite_store: tuple[Store, str]) -> None:
    store, path = sqlite_store
    write_something(store)
    store.write_cache(KEY, store.revision(), "plan \u00e9 \U0001f600")
    assert read_cached_payload(path, KEY) == "plan \u00e9 \U0001f600"
    assert read_cached_payload(path, "other key") is None


def test_fastpath_refuses_a_stale_entry(sqlite_store: tuple[Store, str]) -> None:
    store, path = sqlite_store
    store.write_cache(KEY, store.revision(), "plan")
    write_something(store)
    assert read_cached_payload(path, KEY) is None


def test_fastpath_refuses_another_schema_version(sqlite_store: tuple[Store, str]) -> None:
    store, path = sqlite_store
    store.write_cache(KEY, store.revision(), "plan")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'older'")
    conn.close()
    assert read_cached_payload(path, KEY) is None


def test_fastpath_answers_none_for_missing_or_foreign_files(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    assert read_cached_payload(str(missing), KEY) is None
    assert not missing.exists()  # and does not create it
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all" * 100)
    assert read_cached_payload(str(garbage), KEY) is None
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    assert read_cached_payload(str(empty), KEY) is None
    assert read_cached_payload(str(tmp_path), KEY) is None  # a folder


def test_fastpath_answers_none_while_the_database_is_locked(
    sqlite_store: tuple[Store, str],
) -> None:
    store, path = sqlite_store
    store.write_cache(KEY, store.revision(), "plan")
    store.close()  # journal mode can change only while no one else is connected
    locker = sqlite3.connect(path, isolation_level=None)
    try:
        locker.execute("PRAGMA journal_mode = DELETE")  # so that an exclusive lock blocks readers
        locker.execute("BEGIN EXCLUSIVE")
        assert read_cached_payload(path, KEY) is None
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert read_cached_payload(path, KEY) == "plan"


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///relative/f.db",
        "sqlite:////abs/f.db",
        "sqlite+pysqlite:////abs/with space/f.db?timeout=3",
        "sqlite:////abs/%3Fq%25/f#1.db",
        "sqlite:////abs/\u00e9t\u00e9.db",
    ],
)
def test_sqlite_path_from_url_agrees_with_sqlalchemy(url: str) -> None:
    assert sqlite_path_from_url(url) == make_url(url).database


@pytest.mark.parametrize(
    "url",
    ["sqlite://", "sqlite:///:memory:", "postgresql+psycopg://u@h/db", "not a url", ""],
)
def test_sqlite_path_from_url_is_none_for_other_databases(url: str) -> None:
    assert sqlite_path_from_url(url) is None


@pytest.mark.parametrize("name", ["plain.db", "with space.db", "odd?%#name.db", "\u00e9t\u00e9.db"])
def test_sqlite_url_round_trips_any_path(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    url = sqlite_url(path)
    assert make_url(url).database == str(path)
    assert sqlite_path_from_url(url) == str(path)
    store = open_store(url)
    try:
        with store.unit_of_work() as work:
            work.add_opportunity(Opportunity(id="o", company="C", role="r"))
        store.write_cache(KEY, store.revision(), "plan")
    finally:
        store.close()
    assert path.is_file()
    assert read_cached_payload(str(path), KEY) == "plan"


def test_head_revision_is_what_the_fastpath_expects(sqlite_store: tuple[Store, str]) -> None:
    _, path = sqlite_store
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (HEAD_REVISION,)
        ]
    conn.close()
