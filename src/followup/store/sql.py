"""SQL through the DB-API: how units of work read and write, without importing SQLAlchemy.

Importing SQLAlchemy takes longer (~250 ms here) than a whole `followup skip` may, so what runs
inside a unit of work speaks plain SQL to the driver's connection: the standard library's
``sqlite3``, or psycopg's connection lent by the engine on PostgreSQL (`Db.over`). SQLAlchemy
still defines the schema (``schema``) and migrates it (``migrate``); this module must store
values exactly as its column types do, which ``CODECS`` records and a test checks.

Statements are written once with ``?`` placeholders, in the SQL both databases speak; on
PostgreSQL each ``?`` becomes ``%s``. Values are encoded per column (`Db.insert`, `Db.update`
do it by table; `Db.encode` for a condition) and decoded by the ``read_*`` functions.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: on the start-up path of the fast writes
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from typing import Any, Final, TypeVar

    T = TypeVar("T")

    from followup.errors import FollowupError

    Row = tuple[Any, ...]
    Columns = Mapping[str, Any]

#: How long a SQLite connection waits for another process's write lock before giving up. A
#: write waits for another to finish rather than fail: an import of thousands of opportunities
#: holds the lock for many seconds while it plans them (readers never wait, in WAL mode).
BUSY_TIMEOUT_MS = 60_000

#: Table -> column -> how its values are stored, for every column whose stored form is not the
#: Python value itself: "moment" (``coltypes.UTCDateTime``), "day" (``Date``), "day_or_moment"
#: (``coltypes.DayOrMoment``), "json_list" (``coltypes.JSONList``). ``tests/test_sql.py`` checks
#: it against the schema, so a new column cannot be stored differently by the two layers.
CODECS: dict[str, dict[str, str]] = {
    "opportunity": {
        "applied": "day",
        "decision_expected_by": "day_or_moment",
        "recorded_at": "moment",
    },
    "person": {"topics": "json_list"},
    "interview": {"at": "moment", "next_step_when": "day_or_moment"},
    "touch": {"at": "moment", "states_date": "day_or_moment"},
    "offer": {"received": "day_or_moment", "expires": "day_or_moment", "decided": "moment"},
    "achievement": {"at": "day_or_moment", "tags": "json_list"},
    "action_decision": {"until": "moment"},
    "journal": {"at": "moment"},
    "article": {"tags": "json_list", "added": "moment"},
    "draft_edit": {"edited": "moment"},
    "web_access": {"changed": "moment"},
    "api_token": {"created": "moment"},
    "outbox": {"refs": "json_list", "created": "moment", "finished": "moment"},
    "mail_sync": {"synced": "moment"},
    "mail_inbound": {"received": "moment"},
    "mail_bad_address": {"flagged": "moment"},
    "calendar_token": {"created": "moment", "revoked": "moment"},
    "calendar_item": {"modified": "moment"},
    "organisation": {"created": "moment"},
    "account": {"created": "moment"},
    "server_mail": {"created": "moment", "finished": "moment"},
    "account_session": {"created": "moment", "expires": "moment"},
    "account_token": {"created": "moment", "last_used": "moment"},
    "account_link": {"created": "moment", "expires": "moment", "used": "moment"},
    "consent": {"granted": "moment", "revoked": "moment"},
    "audit": {"at": "moment"},
}


class Db:
    """One open DB-API connection, inside a transaction its opener manages; ``dialect`` is
    "sqlite" or "postgresql". Nothing here commits."""

    __slots__ = ("_postgres", "_spelled", "dialect", "raw")

    def __init__(self, raw: Any, dialect: str) -> None:
        self.raw = raw
        self.dialect = dialect
        self._postgres = dialect == "postgresql"
        self._spelled: dict[str, str] = {}

    @classmethod
    def over(cls, conn: Any) -> Db:
        """The driver connection under an SQLAlchemy ``Connection`` (one transaction)."""
        return cls(conn.connection.driver_connection, conn.dialect.name)

    def _sql(self, sql: str) -> str:
        if not self._postgres:
            return sql
        spelled = self._spelled.get(sql)
        if spelled is None:
            spelled = self._spelled[sql] = sql.replace("%", "%%").replace("?", "%s")
        return spelled

    # -- running statements --------------------------------------------------------------------

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        cursor = self.raw.cursor()
        try:
            cursor.execute(self._sql(sql), tuple(params))
            return [tuple(r) for r in cursor.fetchall()]
        finally:
            cursor.close()

    def first(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row (None without rows)."""
        found = self.first(sql, params)
        return None if found is None else found[0]

    def column(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """The first column of every row."""
        return [r[0] for r in self.rows(sql, params)]

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """A statement without rows; how many rows it changed."""
        cursor = self.raw.cursor()
        try:
            cursor.execute(self._sql(sql), tuple(params))
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def run_many(self, sql: str, params: Iterable[Sequence[Any]]) -> None:
        batch = [tuple(p) for p in params]
        if not batch:
            return
        cursor = self.raw.cursor()
        try:
            cursor.executemany(self._sql(sql), batch)
        finally:
            cursor.close()

    # -- writing rows of a table ----------------------------------------------------------------

    def insert(self, table: str, rows: Sequence[Columns]) -> None:
        """Insert ``rows`` (dicts with the same keys), values encoded by ``CODECS``."""
        if not rows:
            return
        names = list(rows[0])
        sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks(len(names))})"
        self.run_many(sql, self._encoded(table, names, rows))

    def insert_returning(
        self, table: str, rows: Sequence[Columns], key: Sequence[str]
    ) -> list[int]:
        """Insert ``rows``; their primary keys (``pk``), in the order of ``rows``. ``key``
        names columns that tell the rows apart (such as opportunity_pk and id)."""
        if not rows:
            return []
        names = list(rows[0])
        where = [names.index(k) for k in key]
        per_row = f"({marks(len(names))})"
        found: dict[tuple[Any, ...], int] = {}
        size = max(1, _MAX_PARAMETERS // len(names))
        encoded = self._encoded(table, names, rows)
        for n in range(0, len(rows), size):
            part = encoded[n : n + size]
            sql = (
                f"INSERT INTO {table} ({', '.join(names)}) VALUES "
                f"{', '.join([per_row] * len(part))} RETURNING pk, {', '.join(key)}"
            )
            for pk, *known in self.rows(sql, [v for values in part for v in values]):
                found[tuple(known)] = pk
        return [found[tuple(values[i] for i in where)] for values in encoded]

    def update(self, table: str, values: Columns, where: str, params: Sequence[Any]) -> int:
        """``UPDATE table SET ... WHERE where``; how many rows it changed."""
        if not values:
            return 0
        names = list(values)
        sets = ", ".join(f"{name} = ?" for name in names)
        [encoded] = self._encoded(table, names, [values])
        return self.run(f"UPDATE {table} SET {sets} WHERE {where}", [*encoded, *params])

    def _encoded(self, table: str, names: list[str], rows: Sequence[Columns]) -> list[list[Any]]:
        """Each row's values in the order of ``names``, as their columns store them."""
        codecs = CODECS.get(table, {})
        coded = [(n, codecs.get(n)) for n in names]
        if not any(codec for _, codec in coded):
            return [[row[n] for n in names] for row in rows]
        encode = self.encode
        return [[encode(c, row[n]) if c else row[n] for n, c in coded] for row in rows]

    # -- values --------------------------------------------------------------------------------

    def encode(self, codec: str | None, value: Any) -> Any:
        """``value`` as a column of that ``codec`` stores it (see ``CODECS``)."""
        if value is None or codec is None:
            return value
        if codec == "moment":
            moment = _as_utc(value, "moment")
            if self._postgres:
                return moment
            return moment.replace(tzinfo=None).isoformat(" ", "microseconds")
        if codec == "day":
            return value if self._postgres else value.isoformat()
        if codec == "day_or_moment":
            if isinstance(value, datetime):
                return _as_utc(value, "moment").isoformat()
            return value.isoformat()
        if codec == "json_list":
            return json.dumps(list(value), ensure_ascii=False)
        raise ValueError(f"unknown codec {codec!r}")

    def moment(self, value: datetime | None) -> Any:
        return self.encode("moment", value)

    def day(self, value: date | None) -> Any:
        return self.encode("day", value)


#: Parameters per statement: below SQLite's limit (32,766) and PostgreSQL's (65,535).
_MAX_PARAMETERS = 30_000


#: The most values in one ``IN (...)`` list: longer lists are read in parts (`chunks`).
CHUNK: Final = 500


def chunks(values: Sequence[T]) -> list[list[T]]:
    """``values`` in parts of at most `CHUNK`, each short enough for one ``IN (...)`` list."""
    return [list(values[n : n + CHUNK]) for n in range(0, len(values), CHUNK)]


def marks(count: int) -> str:
    """``count`` placeholders: "?, ?, ?"."""
    return ", ".join("?" * count)


def among(count: int) -> str:
    """The right side of ``x IN ...`` for ``count`` values; "(NULL)" (never true) for none."""
    return f"({marks(count)})" if count else "(NULL)"


def _as_utc(value: datetime, what: str) -> datetime:
    if value.tzinfo is UTC:
        return value
    if value.tzinfo is None or value.utcoffset() is None:
        from followup.errors import UsageError

        raise UsageError(f"{what} {value.isoformat()} has no UTC offset; store aware datetimes")
    return value.astimezone(UTC)


# -- reading values back ------------------------------------------------------------------------


def read_moment(value: Any) -> datetime | None:
    """A stored moment as an aware UTC ``datetime``."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
    return value.astimezone(UTC)  # type: ignore[no-any-return]


def read_day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def read_day_or_moment(value: str | None) -> date | None:
    if value is None:
        return None
    if len(value) == len("YYYY-MM-DD"):
        return date.fromisoformat(value)
    return datetime.fromisoformat(value).astimezone(UTC)


def read_json_list(value: str | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(json.loads(value))


def read_bool(value: Any) -> bool | None:
    """SQLite keeps booleans as 0 and 1."""
    return None if value is None else bool(value)


# -- SQLite without SQLAlchemy ------------------------------------------------------------------


def configure_sqlite(raw: sqlite3.Connection, *, foreign_keys: bool = True) -> None:
    """What every connection to a followup SQLite file needs: no implicit transactions (we emit
    ``BEGIN`` ourselves, ``BEGIN IMMEDIATE`` to write), the busy timeout, foreign keys, WAL."""
    raw.isolation_level = None
    cursor = raw.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        _use_wal(cursor)
    finally:
        cursor.close()


def _use_wal(cursor: sqlite3.Cursor) -> None:
    """Switch the file to WAL (it stays so). Switching needs a moment alone with a new file,
    and SQLite may refuse at once rather than wait when others are opening it too: retry,
    within the busy timeout."""
    import time

    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def driver_error(exc: BaseException, where: str, doing: str) -> FollowupError | None:
    """Our error for a DB-API failure raised by a driver (None: not a driver's): a constraint
    violation is a `Conflict`, anything else a `StorageError`; both name the database."""
    from followup.errors import Conflict, StorageError

    module = type(exc).__module__
    if not (isinstance(exc, sqlite3.Error) or module.startswith("psycopg")):
        return None
    text = str(exc).strip()
    reason = text.splitlines()[0] if text else type(exc).__name__
    integrity = any(c.__name__ == "IntegrityError" for c in type(exc).__mro__)
    kind = Conflict if integrity else StorageError
    return kind(f"cannot {doing} {where}: {reason}")
