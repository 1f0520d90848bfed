"""Column types that behave the same on SQLite and PostgreSQL.

SQLite has no time zone type and PostgreSQL answers in the session's zone, so moments are stored
as UTC and always come back as aware UTC ``datetime`` objects. Fields that may hold a day *or* a
moment are stored as ISO 8601 text, so a day never turns into midnight and a moment never loses
its instant.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import DateTime, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def _as_utc(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} {value.isoformat()} has no UTC offset; store aware datetimes")
    return value.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware moment, stored in UTC; read back as an aware UTC ``datetime``."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment = _as_utc(value, "moment")
        # SQLite's DATETIME text has no offset: keep it naive, and UTC by convention.
        return moment.replace(tzinfo=None) if dialect.name == "sqlite" else moment

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class DayOrMoment(TypeDecorator[date]):
    """A ``date`` or an aware ``datetime``, kept apart as text.

    Stored as '2026-12-01' or '2026-12-01T14:00:00+00:00' (always UTC).
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: date | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            return _as_utc(value, "moment").isoformat()
        return value.isoformat()

    def process_result_value(self, value: str | None, dialect: Dialect) -> date | None:
        if value is None:
            return None
        if len(value) == len("YYYY-MM-DD"):
            return date.fromisoformat(value)
        return datetime.fromisoformat(value).astimezone(UTC)


class JSONList(TypeDecorator[tuple[str, ...]]):
    """A short list of strings (achievement tags) as JSON text, read back as a tuple."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return json.dumps(list(value), ensure_ascii=False)

    def process_result_value(self, value: str | None, dialect: Dialect) -> tuple[str, ...] | None:
        if value is None:
            return None
        return tuple(json.loads(value))
