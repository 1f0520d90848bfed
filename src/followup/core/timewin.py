"""Time windows: time zones, working days, public holidays and business hours.

Windows throughout `followup` are half-open, ``[start, end)``: an action whose window ends at
14:00 is overdue at 14:00 sharp. All moments are timezone-aware; a ``WorkCalendar`` answers
questions in one time zone (a contact's, or the candidate's).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

DAY = timedelta(days=1)
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@lru_cache(maxsize=256)
def zone(name: str) -> tzinfo:
    """The ``ZoneInfo`` for an IANA name (names are validated when facts are imported)."""
    return ZoneInfo(name)


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


def as_moment(value: date | datetime, tz: tzinfo) -> datetime:
    """A day means its first moment in ``tz``; a moment stays as it is."""
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time(0), tz)


def day_end(value: date | datetime, tz: tzinfo) -> datetime:
    """A day means its last instant (the next midnight in ``tz``); a moment stays as it is."""
    if isinstance(value, datetime):
        return value
    return datetime.combine(value + DAY, time(0), tz)


def local_midnight(moment: datetime, tz: tzinfo) -> datetime:
    local = moment.astimezone(tz)
    return datetime.combine(local.date(), time(0), tz)


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


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """Working days and business hours in one time zone, with one country's public holidays."""

    tz: tzinfo
    country: str
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    opens: int = 9
    closes: int = 17

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.working_days and day not in public_holidays(
            self.country, day.year
        )

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        for _ in range(60):
            day += DAY
            if self.is_working_day(day):
                return day
        return day  # a calendar without working days: give up gracefully

    def add_business_days(self, moment: datetime, days: int) -> datetime:
        """The same local clock time ``days`` working days later."""
        local = moment.astimezone(self.tz)
        day = local.date()
        for _ in range(days):
            day = self.next_working_day(day)
        return datetime.combine(day, local.time(), self.tz)

    def day_open(self, day: date) -> datetime:
        """When business opens on ``day``."""
        return datetime.combine(day, time(self.opens), self.tz)

    def day_close(self, day: date) -> datetime:
        """When business closes on ``day``."""
        if self.closes >= 24:
            return datetime.combine(day + DAY, time(0), self.tz)
        return datetime.combine(day, time(self.closes), self.tz)

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
        for _ in range(60):
            day -= DAY
            if self.is_working_day(day):
                return self.day_close(day)
        return moment

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
                    mine = lo.astimezone(tz).date()
                    for d in (mine - DAY, mine, mine + DAY):
                        a = max(lo, datetime.combine(d, time(day[0]), tz))
                        b = min(hi, _at_hour(d, day[1], tz))
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
        total = 0.0
        for a, b in self._shared_spans(start, end, tz, day):
            total += (b - a).total_seconds() / 3600
            if total >= enough:
                break
        return total

    def working_window(
        self, start: datetime, end: datetime, min_days: int = 1
    ) -> tuple[datetime, datetime]:
        """``[start, end)`` on business days: it opens at the first business moment at or after
        ``start`` and closes at the close of a business day, never on a weekend or holiday, and
        spans at least ``min_days`` working days."""
        s = self.next_open(start)
        e = self.close_by(end)
        first = s.astimezone(self.tz).date()
        last = first
        for _ in range(max(min_days, 1) - 1):
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
        for _ in range(60):
            day -= DAY
            if self.is_working_day(day):
                return self._close(day)
        return moment

    def business_window(self, start: datetime, end: datetime) -> tuple[datetime, datetime]:
        """Shrink ``[start, end)`` to business hours; never to nothing: if no business time
        falls inside, the window becomes the first business day at or after ``start``."""
        s = self.next_open(start)
        e = self.last_close(end)
        if e <= s:
            e = self._close(s.astimezone(self.tz).date())
        return s, e
