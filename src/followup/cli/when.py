"""Dates and times from the command line, without click (the fast path of `today` uses them).

A flag takes ISO 8601: a day (2026-11-02) or a time (2026-11-02T14:00, with or without an
offset). A time without an offset is read in the profile's time zone, which is only known once
the plan or the database is open, so reading (``parse_when``) and placing in a zone
(``localize``) are two steps.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, tzinfo

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_when(text: str) -> date | datetime | None:
    """A date, or a datetime (naive when no offset was given); None when it is neither."""
    if _DAY.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    if len(text) < 16 or not _DAY.fullmatch(text[:10]) or text[10] not in "T ":
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def localize(value: date | datetime, tz: tzinfo) -> datetime:
    """A moment in ``tz``: a naive time is read there, a day means its first moment there."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    return datetime.combine(value, time(0), tz)


def keep_day(value: date | datetime, tz: tzinfo) -> date | datetime:
    """For fields that may be a day or a moment: a day stays a day, a time gets its zone."""
    if isinstance(value, datetime):
        return localize(value, tz)
    return value
