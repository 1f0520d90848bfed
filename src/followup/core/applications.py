"""When an application counts toward the weekly target — the one rule, used everywhere.

An opportunity counts in the week of its ``applied`` day; without one, in the week it was
recorded (``recorded_at``, on the candidate's clock); an opportunity with neither (recorded
before followup kept the moment) counts in no week. The planner's keep-searching action
(``planner.search_of``), the stored agenda that `followup today` and the web read
(``services.agenda``) and the Insights page all count through ``counted_day``; the store only
narrows which rows to read (``recent_bounds``), with bounds wide enough for any time zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta, tzinfo

#: (applied, recorded_at) of one opportunity: what the rule reads
Entry = tuple[date | None, datetime | None]

#: how far back the store reads for "this week": a week, plus a day either side for time zones
RECENT_DAYS = 9


def counted_day(applied: date | None, recorded_at: datetime | None, tz: tzinfo) -> date | None:
    """The day an application counts on: ``applied``, else the day it was recorded in ``tz``."""
    if applied is not None:
        return applied
    if recorded_at is not None:
        return recorded_at.astimezone(tz).date()
    return None


def count_between(entries: Iterable[Entry], tz: tzinfo, first: date, last: date) -> int:
    """How many applications count on a day from ``first`` to ``last`` (both included)."""
    return sum(
        1
        for applied, recorded_at in entries
        if (day := counted_day(applied, recorded_at, tz)) is not None and first <= day <= last
    )


def per_week(entries: Iterable[Entry], tz: tzinfo, mondays: Sequence[date]) -> list[int]:
    """How many applications count in each week starting on one of ``mondays`` (in order)."""
    counts = dict.fromkeys(mondays, 0)
    for applied, recorded_at in entries:
        day = counted_day(applied, recorded_at, tz)
        if day is not None:
            monday = day - timedelta(days=day.weekday())
            if monday in counts:
                counts[monday] += 1
    return [counts[m] for m in mondays]


def recent_bounds(now: datetime) -> tuple[date, datetime]:
    """What the store reads to count the week holding ``now`` in any time zone: applications
    applied on or after the first bound, or without an ``applied`` day and recorded at or after
    the second (a superset: ``counted_day`` decides)."""
    since = now - timedelta(days=RECENT_DAYS)
    return since.date(), since
