"""The read path of ``followup today``: a cached plan, with nothing but the stdlib ``sqlite3``.

Importing SQLAlchemy alone takes longer than the whole command may, so this module reads the
plan cache directly. It answers only when the answer is certainly current: the file exists, its
schema is at `HEAD_REVISION`, and the cached entry was computed at the database's current
revision. In every other case (missing, old, locked, damaged) it returns None and the caller
takes the full path, which opens the store, migrates if needed and recomputes.
"""

from __future__ import annotations

import os
import sqlite3

from followup.store.version import HEAD_REVISION

# Only stdlib modules that Python's start-up has loaded already, plus sqlite3: the whole
# command has a budget of 100 ms, and ``re`` or ``pathlib`` alone cost several.

# One statement, so it reads one consistent snapshot of the version, revision and cache.
_QUERY = """
SELECT c.payload
FROM plan_cache AS c JOIN meta AS m ON c.revision = m.revision
WHERE c.key = ? AND (SELECT version_num FROM alembic_version) = ?
"""

#: Seconds to wait for a lock; WAL readers rarely wait at all, and the full path can wait longer.
_TIMEOUT = 0.1


def sqlite_path_from_url(url: str) -> str | None:
    """The file path of a SQLite URL (as SQLAlchemy reads it); None for other databases and
    for in-memory SQLite."""
    scheme, separator, rest = url.partition("://")
    if not separator or scheme.split("+", 1)[0] != "sqlite":
        return None
    if not rest.startswith("/"):  # "sqlite://" (memory) or a host part, which SQLite lacks
        return None
    path = rest[1:].split("?", 1)[0]
    if "%" in path:
        from urllib.parse import unquote

        path = unquote(path)
    if path in ("", ":memory:"):
        return None
    return path


def read_cached_payload(path: str, key: str) -> str | None:
    """The plan cached under ``key`` in the SQLite file at ``path``, if it is current."""
    if not os.path.isfile(path):
        return None
    # mode=rw: never create a file; a URI needs '%', '?' and '#' escaped.
    escaped = os.path.abspath(path).replace("%", "%25").replace("?", "%3F").replace("#", "%23")
    try:
        conn = sqlite3.connect(f"file:{escaped}?mode=rw", uri=True, timeout=_TIMEOUT)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute(_QUERY, (key, HEAD_REVISION)).fetchone()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return None if row is None else str(row[0])
