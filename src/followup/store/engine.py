"""Engines for SQLite and PostgreSQL, and the translation of driver failures into our errors.

SQLite is opened with foreign keys on, WAL journaling (readers never wait for the writer) and a
busy timeout. pysqlite's own transaction handling is switched off and we emit ``BEGIN`` ourselves,
so a write transaction can start with ``BEGIN IMMEDIATE``: it takes the write lock up front
instead of failing half-way when another process wrote in between.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.pool import NullPool

from followup.errors import Conflict, FollowupError, StorageError, UsageError
from followup.store.sql import configure_sqlite, driver_error

#: Connection option: the transaction about to begin will write (SQLite: ``BEGIN IMMEDIATE``).
WRITE_OPTION = "followup_write"


def parse_url(url: str) -> URL:
    try:
        return sa.make_url(url)
    except sa_exc.ArgumentError as exc:
        raise StorageError(
            f"'{url}' is not a database URL",
            hint="use a file path for SQLite, or a URL such as "
            "postgresql+psycopg://user@host/dbname",
        ) from exc


def display_url(url: str | URL) -> str:
    """The URL as it may be shown to a person: the password hidden."""
    try:
        parsed = url if isinstance(url, URL) else sa.make_url(url)
    except sa_exc.ArgumentError:
        return str(url)
    return parsed.render_as_string(hide_password=True)


def make_engine(url: str, *, foreign_keys: bool = True, pooled: bool = True) -> Engine:
    """An engine for ``url``; ``foreign_keys=False`` is for migrations, which rebuild tables."""
    parsed = parse_url(url)
    options: dict[str, Any] = {} if pooled else {"poolclass": NullPool}
    try:
        engine = sa.create_engine(parsed, **options)
    except (sa_exc.NoSuchModuleError, ImportError) as exc:
        raise StorageError(
            f"cannot use database {display_url(parsed)}: {exc}",
            hint="PostgreSQL needs the driver: pip install 'followup[postgres]'; "
            "URLs look like postgresql+psycopg://user@host/dbname",
        ) from exc
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, foreign_keys=foreign_keys)
    return engine


def _configure_sqlite(engine: Engine, *, foreign_keys: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        configure_sqlite(dbapi_connection, foreign_keys=foreign_keys)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        writes = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def begin_options(conn: Connection, *, write: bool) -> None:
    """Prepare ``conn`` for its next transaction: a consistent snapshot, or the write lock."""
    if conn.dialect.name == "sqlite":
        conn.execution_options(**{WRITE_OPTION: write})
    elif not write:
        # Several SELECTs that build one aggregate must see the same committed state.
        conn.execution_options(isolation_level="REPEATABLE READ")


def _reason(exc: sa_exc.SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@contextmanager
def storage_errors(url: str, doing: str) -> Iterator[None]:
    """Turn driver failures into a `StorageError` that names the database and the operation.

    Our own errors pass through; a constraint violation becomes a `Conflict`.
    """
    try:
        yield
    except FollowupError:
        raise
    except sa_exc.StatementError as exc:
        if isinstance(exc.orig, ValueError):
            raise UsageError(str(exc.orig)) from exc
        if isinstance(exc, sa_exc.IntegrityError):
            raise Conflict(f"cannot {doing} {display_url(url)}: {_reason(exc)}") from exc
        raise StorageError(f"cannot {doing} {display_url(url)}: {_reason(exc)}") from exc
    except sa_exc.SQLAlchemyError as exc:
        raise StorageError(f"cannot {doing} {display_url(url)}: {_reason(exc)}") from exc
    except Exception as exc:  # the driver's own, from a statement run through `sql.Db`
        ours = driver_error(exc, display_url(url), doing)
        if ours is not None:
            raise ours from exc
        raise
