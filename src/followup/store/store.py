"""`Store`: one database, opened and migrated, with reads, the plan cache and units of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from followup.core.model import Facts
from followup.errors import StorageError
from followup.store.engine import (
    begin_options,
    display_url,
    make_engine,
    parse_url,
    storage_errors,
)
from followup.store.load import load_facts
from followup.store.migrate import ensure_schema
from followup.store.schema import MetaRow, PlanCacheRow
from followup.store.uow import UnitOfWork


def open_store(url: str) -> Store:
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
    return Store(url, make_engine(url))


def _make_parent_folder(path: Path, url: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(
            f"cannot create the folder for database {display_url(url)}: {exc.strerror or exc}",
            hint="choose another place with --db PATH or FOLLOWUP_DATABASE_URL",
        ) from exc


class Store:
    """A migrated database. Reads take one consistent snapshot; writes go through
    `unit_of_work`. Thread-safe in the way an SQLAlchemy engine is; close it when done."""

    def __init__(self, url: str, engine: Engine) -> None:
        self.url = url
        self._engine = engine

    def __repr__(self) -> str:
        return f"Store({display_url(self.url)!r})"

    @contextmanager
    def _transaction(self, doing: str, *, write: bool) -> Iterator[Connection]:
        with storage_errors(self.url, doing), self._engine.connect() as conn:
            begin_options(conn, write=write)
            with conn.begin():
                yield conn

    def load_facts(self) -> Facts:
        """Everything stored, lists in stored order."""
        return self.load_snapshot()[1]

    def load_snapshot(self) -> tuple[int, Facts]:
        """The revision and the facts, read together: what a plan cache entry must be keyed to.

        (Reading `revision()` and then `load_facts()` separately could pair new facts with an
        old revision if another process writes in between.)
        """
        with self._transaction("read", write=False) as conn:
            return _revision(conn), load_facts(conn)

    def revision(self) -> int:
        """The number of committed writes so far; it changes whenever the facts do."""
        with self._transaction("read", write=False) as conn:
            return _revision(conn)

    @contextmanager
    def unit_of_work(self) -> Iterator[UnitOfWork]:
        """One transaction: committed (and the revision bumped) when the block succeeds,
        rolled back when it raises. Writers are serialised (SQLite: ``BEGIN IMMEDIATE``;
        PostgreSQL: the meta row is locked), so checks made inside stay true until commit."""
        with self._transaction("write to", write=True) as conn:
            if conn.dialect.name != "sqlite":
                conn.execute(sa.select(MetaRow.revision).with_for_update())
            work = UnitOfWork(conn)
            try:
                yield work
                if work.wrote:
                    conn.execute(sa.update(MetaRow).values(revision=MetaRow.revision + 1))
            finally:
                work.finish()

    def read_cache(self, key: str) -> str | None:
        """The cached payload for ``key`` if it was computed at the current revision."""
        query = (
            sa.select(PlanCacheRow.payload)
            .join(MetaRow, MetaRow.revision == PlanCacheRow.revision)
            .where(PlanCacheRow.key == key)
        )
        with self._transaction("read", write=False) as conn:
            return conn.execute(query).scalar()

    def write_cache(self, key: str, revision: int, payload: str) -> None:
        """Remember ``payload`` for ``key`` at ``revision``; does not bump the revision.

        Entries of older revisions can never be read again, so they are dropped here.
        """
        values = {"key": key, "revision": revision, "payload": payload}
        with self._transaction("write the plan cache to", write=True) as conn:
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            upsert = dialect.insert(PlanCacheRow).values(values)
            upsert = upsert.on_conflict_do_update(
                index_elements=[PlanCacheRow.key],
                set_={"revision": upsert.excluded.revision, "payload": upsert.excluded.payload},
            )
            conn.execute(upsert)
            conn.execute(sa.delete(PlanCacheRow).where(PlanCacheRow.revision < revision))

    def close(self) -> None:
        self._engine.dispose()


def _revision(conn: Connection) -> int:
    value = conn.execute(sa.select(MetaRow.revision)).scalar()
    if value is None:
        raise StorageError("the database has no revision counter (its meta table is empty)")
    return value
