"""Schema migrations: Alembic, driven from code (no ``alembic.ini`` needed at run time).

`ensure_schema` runs on every `open_store`: a database at `HEAD_REVISION` costs one query and no
Alembic import; a new one is created from the tables at once (and stamped), an old one upgraded.
Migrations run in one transaction (SQLite and PostgreSQL both have transactional DDL) under a
lock, so two processes opening a new database at once cannot both create it. On SQLite they run
with foreign keys off, because batch migrations rebuild tables and a cascading delete must not
fire while they do; the keys are checked before commit instead.

To add a revision while developing::

    from followup.store.migrate import new_revision
    new_revision("sqlite:////tmp/dev.db", "add the outbox table")

then review the generated file and set `HEAD_REVISION` in ``version.py`` to its id.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from followup.errors import StorageError
from followup.store.engine import begin_options, display_url, make_engine, storage_errors
from followup.store.schema import Base
from followup.store.version import HEAD_REVISION

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
VERSION_TABLE = "alembic_version"
#: Any 64-bit number of our own: PostgreSQL's advisory lock that serialises migrations.
_PG_MIGRATION_LOCK = 0x666F6C6C6F777570


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, built in code; env.py uses the given connection."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def script_directory() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def database_revision(conn: Connection) -> str | None:
    """The schema revision recorded in the database; None when it has no version table."""
    if not sa.inspect(conn).has_table(VERSION_TABLE):
        return None
    value = conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    return None if value is None else str(value)


def ensure_schema(url: str) -> None:
    """Create or upgrade the database at ``url`` so that it is at `HEAD_REVISION`."""
    engine = make_engine(url, pooled=False)
    try:
        with storage_errors(url, "open"), engine.connect() as conn:
            current = database_revision(conn)
    finally:
        engine.dispose()
    if current != HEAD_REVISION:
        upgrade(url)


def upgrade(url: str, revision: str = "head") -> None:
    """Upgrade the database at ``url`` to ``revision``."""
    _migrate(url, "upgrade", revision)


def downgrade(url: str, revision: str) -> None:
    """Downgrade the database at ``url`` to ``revision`` ("base" removes every table)."""
    _migrate(url, "downgrade", revision)


def new_revision(url: str, message: str) -> None:
    """Autogenerate the next revision file from the tables, against a database at head."""
    from alembic import command

    upgrade(url)
    script = script_directory()
    next_id = f"{int(script.get_current_head() or '0') + 1:04d}"
    engine = make_engine(url, pooled=False)
    try:
        with engine.connect() as conn:
            command.revision(
                alembic_config(conn), message=message, autogenerate=True, rev_id=next_id
            )
    finally:
        engine.dispose()


def _migrate(url: str, direction: str, revision: str) -> None:
    from alembic import command

    engine = make_engine(url, foreign_keys=False, pooled=False)
    try:
        with storage_errors(url, "migrate"), engine.connect() as conn:
            begin_options(conn, write=True)
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(sa.text(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})"))
                current = database_revision(conn)
                _check_migratable(conn, url, current)
                if direction == "upgrade" and revision == "head" and current is None:
                    _create(conn)
                elif direction == "upgrade":
                    command.upgrade(alembic_config(conn), revision)
                else:
                    command.downgrade(alembic_config(conn), revision)
                _check_foreign_keys(conn, url)
    finally:
        engine.dispose()


def _create(conn: Connection) -> None:
    """A new database, at the head revision at once: the tables as ``schema`` declares them
    (what the revisions build, step by step: ``tests/test_migrations.py`` checks that they
    agree), the local candidate that revision 0004 adds, and the version stamp. A fraction of
    the time of running every revision."""
    from alembic import command

    Base.metadata.create_all(conn)
    conn.execute(sa.text("INSERT INTO candidate (id, revision) VALUES ('me', 0)"))
    command.stamp(alembic_config(conn), "head")


def _check_migratable(conn: Connection, url: str, current: str | None) -> None:
    if current is None:
        ours = set(Base.metadata.tables) & set(sa.inspect(conn).get_table_names())
        if ours:
            raise StorageError(
                f"{display_url(url)} has tables named like followup's ({', '.join(sorted(ours))}) "
                "but no schema version, so followup did not create them",
                hint="point followup at a new database file or an empty PostgreSQL schema",
            )
        return
    from alembic.util import CommandError

    try:
        script_directory().get_revision(current)
    except CommandError as exc:
        raise StorageError(
            f"{display_url(url)} is at schema revision '{current}', "
            "which this version of followup does not know",
            hint="a newer followup wrote it: upgrade followup (pip install -U followup)",
        ) from exc


def _check_foreign_keys(conn: Connection, url: str) -> None:
    if conn.dialect.name != "sqlite":
        return
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise StorageError(
            f"migrating {display_url(url)} would break {len(broken)} reference(s) "
            f"(first: table {broken[0][0]}); nothing was changed"
        )
