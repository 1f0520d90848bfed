"""Time windows: time zones, working days, public holidays and business hours.

Windows throughout `followup` are half-open, ``[start, end)``: an action whose window ends at
14:00 is overdue at 14:00 sharp. All moments are timezone-aware; a ``WorkCalendar`` answers
questions in one time zone (a contact's, or the candidate's).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

DAY = timedelta(days=1)
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@lru_cache(maxsize=256)
def zone(name: str) -> tzinfo:
    """The ``ZoneInfo`` for an IANA name (names are validated when facts are imported)."""
    return ZoneInfo(name)


def zone_or_utc(name: object) -> tzinfo:
    """A stored zone's ``ZoneInfo``; UTC for a missing or unknown one (a stored value that a
    newer tzdata dropped, say, never makes a page or a job fail)."""
    try:
        return ZoneInfo(str(name)) if name else UTC
    except (ValueError, KeyError, OSError):
        return UTC


#: (country, year) -> its public holidays: given by the store from its cache
#: (`known_holidays`), or computed here with the ``holidays`` library and kept for the process.
_HOLIDAYS: dict[tuple[str, int], frozenset[date]] = {}


def public_holidays(country: str, year: int) -> frozenset[date]:
    """Public holidays of ``country`` in ``year``; none for a country the library doesn't know."""
    found = _HOLIDAYS.get((country, year))
    if found is None:
        found = _HOLIDAYS[country, year] = _compute(country, year)
    return found


def _compute(country: str, year: int) -> frozenset[date]:
    import holidays  # slow to import and to compute (~100 ms): only when no cache knows

    try:
        return frozenset(holidays.country_holidays(country, years=year).keys())
    except (NotImplementedError, KeyError):
        return frozenset()


def known_holidays(entries: dict[tuple[str, int], frozenset[date]]) -> None:
    """Holidays computed before (by the same version of the library), from a cache."""
    _HOLIDAYS.update(entries)
    for days in _WORKING_DAYS.values():  # what was worked out from the holidays before
        days.clear()


def holidays_in_memory() -> dict[tuple[str, int], frozenset[date]]:
    """Every (country, year) this process knows the holidays of, for a cache to keep."""
    return dict(_HOLIDAYS)


@lru_cache(maxsize=1)
def _zone_countries() -> dict[str, str]:
    """IANA zone -> ISO 3166 country, from the time zone database's own ``zone.tab`` (static
    reference data, read once, like the zone files ``zoneinfo`` reads)."""
    import zoneinfo
    from pathlib import Path

    text = None
    for folder in zoneinfo.TZPATH:
        path = Path(folder) / "zone.tab"
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            break
    if text is None:
        try:
            from importlib.resources import files

            text = files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
        except (ModuleNotFoundError, FileNotFoundError):
            return {}
    found = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            parts = line.split("\t")
            if len(parts) >= 3:
                found[parts[2]] = parts[0]
    return found


def zone_country(name: str) -> str | None:
    """The country a time zone belongs to ('Europe/London' -> 'GB'), if the database says."""
    return _zone_countries().get(name)


#: days a memo keeps before it starts afresh (a long-lived process plans for years)
_KEPT = 20_000


def _kept(memo: dict[Any, Any]) -> dict[Any, Any]:
    """``memo``, emptied first when it has grown past ``_KEPT`` entries."""
    if len(memo) > _KEPT:
        memo.clear()
    return memo


#: (day, zone) -> the day's first moment there (``midnight``)
_MIDNIGHTS: dict[tuple[date, tzinfo], datetime] = {}


def midnight(day: date, tz: tzinfo) -> datetime:
    """The first moment of ``day`` in ``tz`` (worked out once per day and zone)."""
    found = _MIDNIGHTS.get((day, tz))
    if found is None or found.tzinfo is not tz:  # (not for a zone merely equal to ``tz``)
        found = _kept(_MIDNIGHTS)[day, tz] = datetime.combine(day, time(0), tz)
    return found


def as_moment(value: date | datetime, tz: tzinfo) -> datetime:
    """A day means its first moment in ``tz``; a moment stays as it is."""
    if isinstance(value, datetime):
        return value
    return midnight(value, tz)


def day_end(value: date | datetime, tz: tzinfo) -> datetime:
    """A day means its last instant (the next midnight in ``tz``); a moment stays as it is."""
    if isinstance(value, datetime):
        return value
    return midnight(value + DAY, tz)


def local_midnight(moment: datetime, tz: tzinfo) -> datetime:
    return midnight(moment.astimezone(tz).date(), tz)


def week_start(moment: datetime, tz: tzinfo) -> datetime:
    """Monday 00:00 of the week holding ``moment``, in ``tz``."""
    local = moment.astimezone(tz)
    return datetime.combine(local.date() - timedelta(days=local.weekday()), time(0), tz)


def short(moment: datetime, tz: tzinfo) -> str:
    """'Wed 2 Dec 14:00' in ``tz``: the same words in every locale."""
    t = moment.astimezone(tz)
    return f"{_WEEKDAYS[t.weekday()]} {t.day} {_MONTHS[t.month - 1]} {t.hour:02d}:{t.minute:02d}"


def short_day(day: date) -> str:
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"


def _at_hour(day: date, hour: int, tz: tzinfo) -> datetime:
    """``hour`` o'clock on ``day`` in ``tz`` (24 is the next midnight)."""
    if hour >= 24:
        return datetime.combine(day + DAY, time(0), tz)
    return datetime.combine(day, time(hour), tz)


class _Days:
    """What one (country, working weekdays) says of a day, worked out once for the process
    (``WorkCalendar``): the answers depend on nothing else, and a plan asks about the same few
    hundred days thousands of times. Forgotten when holidays are given (``known_holidays``)."""

    __slots__ = ("after", "before", "later", "working")

    def __init__(self) -> None:
        self.working: dict[date, bool] = {}  # is it a working day
        self.after: dict[date, date] = {}  # the first working day after it
        self.later: dict[tuple[date, int], date] = {}  # the n-th working day after it
        self.before: dict[date, date | None] = {}  # the last one before it (in 60 days)

    def clear(self) -> None:
        self.working.clear()
        self.after.clear()
        self.later.clear()
        self.before.clear()


#: (country, working weekdays) -> their ``_Days``
_WORKING_DAYS: dict[tuple[str, tuple[int, ...]], _Days] = {}


def _days_of(country: str, working_days: tuple[int, ...]) -> _Days:
    days = _WORKING_DAYS.get((country, working_days))
    if days is None:
        days = _WORKING_DAYS[country, working_days] = _Days()
    return days


#: (day, zone, (first hour, last hour)) -> when those hours begin and end that day there
_HOURS: dict[tuple[date, tzinfo, tuple[int, int]], tuple[datetime, datetime]] = {}


def _hours_of(day: date, tz: tzinfo, hours: tuple[int, int]) -> tuple[datetime, datetime]:
    """When ``hours`` = (first hour, last hour) begin and end on ``day`` in ``tz``."""
    key = (day, tz, hours)
    found = _HOURS.get(key)
    if found is None or found[0].tzinfo is not tz:  # (not for a zone merely equal to ``tz``)
        found = _kept(_HOURS)[key] = (
            datetime.combine(day, time(hours[0]), tz),
            _at_hour(day, hours[1], tz),
        )
    return found


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """Working days and business hours in one time zone, with one country's public holidays.

    Every answer about a day (working or not, the next and the previous working day, when
    business opens and closes) is worked out once and kept: ``shared_calendar(...)`` gives one
    calendar per setting, so that what one opportunity's plan worked out serves the next."""

    tz: tzinfo
    country: str
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    opens: int = 9
    closes: int = 17
    _days: _Days = field(init=False, repr=False, compare=False)
    #: day -> when business opens on it; day -> when it closes
    _opening: dict[date, datetime] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _closing: dict[date, datetime] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_days", _days_of(self.country, self.working_days))

    def is_working_day(self, day: date) -> bool:
        found = self._days.working.get(day)
        if found is None:
            found = _kept(self._days.working)[day] = day.weekday() in self.working_days and (
                day not in public_holidays(self.country, day.year)
            )
        return found

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        found = self._days.after.get(day)
        if found is None:
            found = day
            for _ in range(60):
                found += DAY
                if self.is_working_day(found):
                    break
            # (a calendar without working days: give up gracefully)
            _kept(self._days.after)[day] = found
        return found

    def _working_day_before(self, day: date) -> date | None:
        """The last working day strictly before ``day``; None when none falls in 60 days."""
        days = self._days.before
        if day in days:
            return days[day]
        found: date | None = None
        earlier = day
        for _ in range(60):
            earlier -= DAY
            if self.is_working_day(earlier):
                found = earlier
                break
        _kept(days)[day] = found
        return found

    def add_business_days(self, moment: datetime, days: int) -> datetime:
        """The same local clock time ``days`` working days later."""
        local = moment.astimezone(self.tz)
        return datetime.combine(self._working_days_after(local.date(), days), local.time(), self.tz)

    def _working_days_after(self, day: date, days: int) -> date:
        """The ``days``-th working day after ``day``."""
        found = self._days.later.get((day, days))
        if found is None:
            found = day
            for _ in range(days):
                found = self.next_working_day(found)
            _kept(self._days.later)[day, days] = found
        return found

    def day_open(self, day: date) -> datetime:
        """When business opens on ``day``."""
        found = self._opening.get(day)
        if found is None:
            found = _kept(self._opening)[day] = datetime.combine(day, time(self.opens), self.tz)
        return found

    def day_close(self, day: date) -> datetime:
        """When business closes on ``day``."""
        found = self._closing.get(day)
        if found is None:
            if self.closes >= 24:
                found = datetime.combine(day + DAY, time(0), self.tz)
            else:
                found = datetime.combine(day, time(self.closes), self.tz)
            _kept(self._closing)[day] = found
        return found

    _open = day_open
    _close = day_close

    def close_by(self, moment: datetime) -> datetime:
        """The close of the last business day that has begun by ``moment``: a window that ends
        at ``moment`` ends there instead (later the same day, or back on the last working day
        when ``moment`` falls before opening time, on a weekend or on a holiday)."""
        local = moment.astimezone(self.tz)
        day = local.date()
        if self.is_working_day(day) and local.time() > time(self.opens):
            return self.day_close(day)
        before = self._working_day_before(day)
        return moment if before is None else self.day_close(before)

    def _shared_spans(
        self, start: datetime, end: datetime, tz: tzinfo, day: tuple[int, int]
    ) -> Iterator[tuple[datetime, datetime]]:
        """The spans of ``[start, end)``, in time order, inside business hours here and, in
        ``tz``, between ``day`` = (first hour, last hour): when a call can actually happen
        with a candidate who lives in another zone."""
        current = start.astimezone(self.tz).date()
        last = end.astimezone(self.tz).date()
        while current <= last:
            if self.is_working_day(current):
                lo = max(start, self.day_open(current))
                hi = min(end, self.day_close(current))
                if lo < hi:
                    # the candidate's days that can meet [lo, hi): the one ``lo`` falls on, and
                    # the next if ``hi`` falls on it (a candidate's day ends by its midnight,
                    # ``_at_hour``, and begins after it)
                    mine = lo.astimezone(tz).date()
                    nights = hi.astimezone(tz).date() > mine
                    for d in (mine, mine + DAY) if nights else (mine,):
                        begins, ends = _hours_of(d, tz, day)
                        a = max(lo, begins)
                        b = min(hi, ends)
                        if a < b:
                            yield a, b
            current += DAY

    def first_shared(
        self, start: datetime, end: datetime, tz: tzinfo, day: tuple[int, int]
    ) -> datetime | None:
        """The first moment of the shared spans (``_shared_spans``); None when there is none."""
        return next((a for a, _ in self._shared_spans(start, end, tz, day)), None)

    def shared_hours(
        self,
        start: datetime,
        end: datetime,
        tz: tzinfo,
        day: tuple[int, int],
        enough: float = float("inf"),
    ) -> float:
        """Hours of the shared spans (``_shared_spans``); counting stops at ``enough``."""
        return self.shared(start, end, tz, day, enough)[0]

    def shared(
        self,
        start: datetime,
        end: datetime,
        tz: tzinfo,
        day: tuple[int, int],
        enough: float = float("inf"),
    ) -> tuple[float, datetime | None]:
        """``shared_hours`` and ``first_shared`` in one pass over the spans."""
        total, first = 0.0, None
        for a, b in self._shared_spans(start, end, tz, day):
            if first is None:
                first = a
            total += (b - a).total_seconds() / 3600
            if total >= enough:
                break
        return total, first

    def working_window(
        self, start: datetime, end: datetime, min_days: int = 1
    ) -> tuple[datetime, datetime]:
        """``[start, end)`` on business days: it opens at the first business moment at or after
        ``start`` and closes at the close of a business day, never on a weekend or holiday, and
        spans at least ``min_days`` working days."""
        s = self.next_open(start)
        e = self.close_by(end)
        last = s.astimezone(self.tz).date()
        for _ in range(min_days - 1):
            last = self.next_working_day(last)
        return s, max(e, self.day_close(last))

    def next_open(self, moment: datetime) -> datetime:
        """The first moment at or after ``moment`` inside business hours on a working day."""
        local = moment.astimezone(self.tz)
        day = local.date()
        if self.is_working_day(day):
            if local.hour < self.opens:
                return self._open(day)
            if local.hour < self.closes:  # (closing at 24 is closing at midnight)
                return moment
        return self._open(self.next_working_day(day))

    def last_close(self, moment: datetime) -> datetime:
        """The latest moment at or before ``moment`` that is still inside business hours."""
        local = moment.astimezone(self.tz)
        day = local.date()
        if self.is_working_day(day) and local.time() > time(self.opens):
            return min(moment, self._close(day))
        before = self._working_day_before(day)
        return moment if before is None else self._close(before)

    def business_window(self, start: datetime, end: datetime) -> tuple[datetime, datetime]:
        """Shrink ``[start, end)`` to business hours; never to nothing: if no business time
        falls inside, the window becomes the first business day at or after ``start``."""
        s = self.next_open(start)
        e = self.last_close(end)
        if e <= s:
            e = self._close(s.astimezone(self.tz).date())
        return s, e


@lru_cache(maxsize=1024)
def shared_calendar(
    tz: tzinfo, country: str, working_days: tuple[int, ...], opens: int, closes: int
) -> WorkCalendar:
    """The one ``WorkCalendar`` of these settings, shared with what it worked out (``tz``: a
    zone from ``zone()``, the same object for the same name)."""
    return WorkCalendar(tz, country, working_days, opens, closes)
