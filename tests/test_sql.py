"""The DB-API layer (``store.sql``) stores every value exactly as the SQLAlchemy schema does."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from followup.store import sql
from followup.store.coltypes import DayOrMoment, JSONList, UTCDateTime
from followup.store.schema import Base


def _codec(column: sa.Column[object]) -> str | None:
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return "moment"
    if isinstance(kind, DayOrMoment):
        return "day_or_moment"
    if isinstance(kind, JSONList):
        return "json_list"
    if isinstance(kind, sa.Date):
        return "day"
    assert not isinstance(kind, sa.DateTime), f"{column}: a moment column must be UTCDateTime"
    return None


def test_codecs_match_the_schema() -> None:
    import followup.store.schema_mail  # noqa: F401  (its tables join the metadata)

    derived: dict[str, dict[str, str]] = {}
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            codec = _codec(column)
            if codec is not None:
                derived.setdefault(table.name, {})[column.name] = codec
    assert derived == sql.CODECS


MOMENT = datetime(2026, 3, 29, 1, 30, 15, 120, tzinfo=timezone(timedelta(hours=2)))


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (UTCDateTime(), MOMENT),
        (sa.Date(), date(2026, 2, 28)),
        (DayOrMoment(), date(2026, 2, 28)),
        (DayOrMoment(), MOMENT),
        (JSONList(), ("backend", "café")),
    ],
)
def test_sqlite_values_are_stored_as_sqlalchemy_stores_them(
    tmp_path: object, kind: sa.types.TypeEngine[object], value: object
) -> None:
    """Written by one layer, read by the other, in both directions, byte for byte."""
    engine = sa.create_engine(f"sqlite:///{tmp_path}/t.db")
    table = sa.Table("t", sa.MetaData(), sa.Column("pk", sa.Integer, primary_key=True),
                     sa.Column("v", kind))  # fmt: skip
    table.metadata.create_all(engine)
    codec = _codec(table.c.v)
    readers = {
        "moment": sql.read_moment,
        "day": sql.read_day,
        "day_or_moment": sql.read_day_or_moment,
        "json_list": sql.read_json_list,
    }
    with engine.begin() as conn:
        conn.execute(table.insert().values(pk=1, v=value))
        db = sql.Db.over(conn)
        db.run("INSERT INTO t (pk, v) VALUES (?, ?)", [2, db.encode(codec, value)])
        stored = db.column("SELECT v FROM t ORDER BY pk")
        assert stored[0] == stored[1]
        back = conn.execute(sa.select(table.c.v).where(table.c.pk == 2)).scalar()
        assert back == readers[str(codec)](stored[0])
        if isinstance(value, datetime):
            assert back == value.astimezone(UTC)
        elif not isinstance(value, tuple):
            assert back == value
    engine.dispose()


def test_a_naive_moment_is_refused() -> None:
    from followup.errors import UsageError

    db = sql.Db(None, "sqlite")
    with pytest.raises(UsageError, match="no UTC offset"):
        db.moment(datetime(2026, 1, 1, 9, 0))


def test_postgres_spelling_of_placeholders() -> None:
    db = sql.Db(None, "postgresql")
    assert db._sql("SELECT ? WHERE x LIKE 'a%'") == "SELECT %s WHERE x LIKE 'a%%'"
    assert sql.among(0) == "(NULL)"
    assert sql.among(3) == "(?, ?, ?)"


def test_driver_errors_are_ours() -> None:
    import sqlite3

    from followup.errors import Conflict, StorageError

    assert isinstance(
        sql.driver_error(sqlite3.IntegrityError("UNIQUE"), "db", "write to"), Conflict
    )
    found = sql.driver_error(sqlite3.OperationalError("disk I/O error"), "db", "write to")
    assert isinstance(found, StorageError)
    assert "cannot write to db: disk I/O error" in str(found)
    assert sql.driver_error(ValueError("x"), "db", "write to") is None
