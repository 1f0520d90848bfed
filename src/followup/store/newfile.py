"""A new SQLite file, created with the standard library: the first command on a new database
does not import SQLAlchemy and Alembic (~0.4 s) only to create the tables.

``sqlite_schema.sql`` holds the statements that `migrate` runs on a new SQLite file (the tables
as ``schema`` declares them, and Alembic's version table), as SQLite itself records them.
``python -m followup.store.newfile > src/followup/store/sqlite_schema.sql`` writes it again;
``tests/test_migrations.py`` checks that it is current, so the two ways agree exactly.
"""

from __future__ import annotations

import os
import sqlite3

from followup.store.sql import configure_sqlite
from followup.store.version import HEAD_REVISION, LOCAL_CANDIDATE

_SCHEMA = os.path.join(os.path.dirname(__file__), "sqlite_schema.sql")
#: what separates two statements in the file
_BETWEEN = ";\n\n"


def create_sqlite(path: str) -> bool:
    """Create the schema in the SQLite file at ``path`` (made when missing), at
    `HEAD_REVISION`, with the local candidate; False, changing nothing, when the file already
    holds tables (another process was first, or it is not ours: `migrate` will say)."""
    with open(_SCHEMA, encoding="utf-8") as f:
        statements = [s.strip() for s in f.read().split(_BETWEEN) if s.strip()]
    raw = sqlite3.connect(path)
    try:
        configure_sqlite(raw)
        raw.execute("BEGIN IMMEDIATE")
        if raw.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            raw.execute("ROLLBACK")
            return False
        for statement in statements:
            raw.execute(statement)
        raw.execute("INSERT INTO alembic_version (version_num) VALUES (?)", (HEAD_REVISION,))
        raw.execute("INSERT INTO candidate (id, revision) VALUES (?, 0)", (LOCAL_CANDIDATE,))
        raw.execute("COMMIT")
        return True
    except BaseException:
        if raw.in_transaction:
            raw.execute("ROLLBACK")
        raise
    finally:
        raw.close()


def generate() -> str:
    """The statements `migrate` runs on a new SQLite file, read back from one it made."""
    import tempfile

    from followup.store import sqlite_url
    from followup.store.migrate import ensure_schema

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "new.db")
        ensure_schema(sqlite_url(path))
        raw = sqlite3.connect(path)
        try:
            found = raw.execute(  # tables in the order made (references first), then indexes
                "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL "
                "ORDER BY type = 'index', CASE WHEN type = 'index' THEN name END, rowid"
            ).fetchall()
        finally:
            raw.close()
    return _BETWEEN.join(sql for (sql,) in found) + "\n"


if __name__ == "__main__":
    print(generate(), end="")
