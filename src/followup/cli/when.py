"""Dates and times from the command line, without click (the fast path of `today` uses them).

A flag takes ISO 8601: a day (2026-11-02) or a time (2026-11-02T14:00, with or without an
offset). A time without an offset is read in the profile's time zone, which is only known once
the plan or the database is open, so reading (``read_when``) and placing in a zone
(``localize``) are two steps. The checks and their messages are those of
``followup.core.problems``, which the interchange document and the web forms use too.
"""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo
from typing import Literal

from followup.core import problems
from followup.core.problems import Problem

Kind = Literal["when", "moment", "day"]


def read_when(
    text: str, flag: str, kind: Kind = "when"
) -> tuple[date | datetime | None, Problem | None]:
    """The value of ``flag``, or the problem with it (its path is the flag).

    ``kind`` "when" takes a day or a time, "moment" needs a time of day, "day" a calendar day
    only. A time without an offset stays naive, for ``localize``.
    """
    text = text.strip()
    if kind == "day":
        return problems.parse_day(text, flag)
    if kind == "moment":
        return problems.parse_moment(text, flag, local=True)
    return problems.parse_when(text, flag, local=True)


def parse_when(text: str) -> date | datetime | None:
    """A date, or a datetime (naive when no offset was given); None when it is neither.

    Only the shape is checked (no year bounds); ``read_when`` checks everything and says why.
    """
    return problems.iso_when(text)


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
