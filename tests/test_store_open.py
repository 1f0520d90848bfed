"""Opening a database: first use creates it; problems become clear `StorageError`s."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from followup.core.model import Opportunity
from followup.errors import StorageError
from followup.store import open_store, sqlite_url
from followup.store.engine import make_engine


def test_first_use_creates_the_folder_and_the_database(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "followup.db"
    store = open_store(sqlite_url(path))
    try:
        assert store.revision() == 0
        assert store.url == sqlite_url(path)
    finally:
        store.close()
    assert path.is_file()


def test_sqlite_uses_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "f.db")
    open_store(url).close()
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            pragma = conn.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA foreign_keys").scalar() == 1
            assert pragma("PRAGMA busy_timeout").scalar_one() >= 1000
    finally:
        engine.dispose()


def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "f.db")
    open_store(url).close()
    engine = make_engine(url)
    try:
        with engine.connect() as conn, pytest.raises(Exception, match="FOREIGN KEY"):
            conn.exec_driver_sql(
                "INSERT INTO person (candidate_pk, opportunity_pk, id, position, name, role, "
                "has_vote, is_key) VALUES (1, 999, 'p', 0, 'P', 'other', 1, 0)"
            )
    finally:
        engine.dispose()


def test_opening_again_keeps_the_data(db_url: str) -> None:
    first = open_store(db_url)
    with first.unit_of_work() as work:
        work.add_opportunity(Opportunity(id="o", company="C", role="r"))
    first.close()
    again = open_store(db_url)
    try:
        assert [o.id for o in again.load_facts().opportunities] == ["o"]
        assert again.revision() == 1
    finally:
        again.close()


def test_several_openers_creating_the_same_database_at_once(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "race.db")
    errors: list[BaseException] = []

    def open_and_close() -> None:
        try:
            open_store(url).close()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_and_close) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    store = open_store(url)
    try:
        assert store.revision() == 0
    finally:
        store.close()


def test_an_uncreatable_folder_is_a_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StorageError, match="cannot create the folder for database") as caught:
        open_store(sqlite_url(blocker / "followup.db"))
    assert caught.value.hint is not None


def test_a_file_that_is_not_a_database_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"Dear diary, " * 500)
    with pytest.raises(StorageError, match=r"cannot open .*notes\.txt: file is not a database"):
        open_store(sqlite_url(path))
    assert path.read_bytes() == b"Dear diary, " * 500


def test_an_unreachable_server_is_a_storage_error() -> None:
    url = "postgresql+psycopg://someone:s3cret@127.0.0.1:1/nowhere"
    with pytest.raises(StorageError, match="cannot open postgresql") as caught:
        open_store(url)
    assert "s3cret" not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("no scheme here", "is not a database URL"),
        ("nosuchdb://host/x", "cannot use database nosuchdb://host/x"),
    ],
)
def test_a_bad_url_is_a_storage_error(url: str, message: str) -> None:
    with pytest.raises(StorageError, match=message):
        open_store(url)


def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    open_store(sqlite_url(path)).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    with pytest.raises(StorageError, match="revision '9999'") as caught:
        open_store(sqlite_url(path))
    assert caught.value.hint is not None
    assert "upgrade followup" in caught.value.hint


def test_tables_not_created_by_followup_are_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE person (name TEXT)")
        conn.execute("INSERT INTO person VALUES ('keep me')")
    conn.close()
    with pytest.raises(StorageError, match=r"tables named like followup's \(person\)"):
        open_store(sqlite_url(path))
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT name FROM person").fetchall() == [("keep me",)]
    conn.close()


def test_importing_the_store_package_and_fastpath_stays_light() -> None:
    code = (
        "import sys, followup.store, followup.store.fastpath, followup.store.version\n"
        "heavy = [m for m in ('sqlalchemy', 'alembic', 'psycopg') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_in_memory_sqlite_is_refused(url: str) -> None:
    with pytest.raises(StorageError, match="in-memory SQLite"):
        open_store(url)


def test_a_finished_unit_of_work_cannot_be_used(tmp_path: Path) -> None:
    store = open_store(sqlite_url(tmp_path / "f.db"))
    try:
        with store.unit_of_work() as work:
            work.add_opportunity(Opportunity(id="o", company="C", role="r"))
        with pytest.raises(RuntimeError, match="has ended"):
            work.update_opportunity("o", rank=1)
        assert store.load_facts().opportunities[0].rank is None
    finally:
        store.close()
