"""`Store`: one database, opened and migrated, with reads, stored plans and units of work.

Every read and write is one candidate's (``candidate_pk``); without one, the local app's
implicit candidate, ``me``, whom the migrations create. A store plans with the playbook it was
opened with (the defaults unless given), so each committed write leaves current plans behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection, Engine

from followup.errors import StorageError
from followup.store.engine import (
    begin_options,
    display_url,
    make_engine,
    parse_url,
    storage_errors,
)
from followup.store.migrate import ensure_schema
from followup.store.sql import Db
from followup.store.units import AgendaInputs, Units

__all__ = ["AgendaInputs", "Store", "open_store"]

if TYPE_CHECKING:
    from followup.config import PlaybookSource


def open_store(url: str, playbook: PlaybookSource | None = None) -> Store:
    """Open the database at ``url``, creating and migrating it on first use.

    Raises `StorageError` (with what went wrong and a hint) when it cannot be reached, created
    or migrated.
    """
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            # Each connection would see its own empty database: nothing could be kept.
            raise StorageError(
                f"in-memory SQLite ({url}) cannot hold followup's data",
                hint="give a file path (--db PATH) or a sqlite:////path/to/file.db URL",
            )
        _make_parent_folder(Path(parsed.database), url)
    ensure_schema(url)
    return Store(url, make_engine(url), playbook)


def _make_parent_folder(path: Path, url: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(
            f"cannot create the folder for database {display_url(url)}: {exc.strerror or exc}",
            hint="choose another place with --db PATH or FOLLOWUP_DATABASE_URL",
        ) from exc


class Store(Units):
    """A migrated database, through SQLAlchemy's engine. Reads take one consistent snapshot;
    writes go through `unit_of_work` (see `units.Units`). Thread-safe in the way an engine is;
    close it when done."""

    def __init__(self, url: str, engine: Engine, playbook: PlaybookSource | None = None) -> None:
        super().__init__(url, playbook)
        self._engine = engine

    def __repr__(self) -> str:
        return f"Store({display_url(self.url)!r})"

    @contextmanager
    def _transaction(self, doing: str, *, write: bool) -> Iterator[Connection]:
        with storage_errors(self.url, doing), self._engine.connect() as conn:
            begin_options(conn, write=write)
            with conn.begin():
                yield conn

    @contextmanager
    def _session(self, doing: str, *, write: bool) -> Iterator[tuple[Db, Connection]]:
        with self._transaction(doing, write=write) as conn:
            yield Db.over(conn), conn

    def close(self) -> None:
        self._engine.dispose()
