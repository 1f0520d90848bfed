"""The work calendar keeps what it worked out about a day: the same answers, faster.

A plan asks about the same few hundred days thousands of times, so ``WorkCalendar`` keeps its
answers per day (``timewin._Days``) and ``shared_calendar`` gives one calendar per setting.
These check that what is kept is what would be worked out afresh, and that it is forgotten
when holidays are given (``known_holidays``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from followup.core import timewin
from followup.core.timewin import WorkCalendar, known_holidays, midnight, shared_calendar

NY = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")


def test_one_shared_calendar_per_setting() -> None:
    a = shared_calendar(NY, "US", (0, 1, 2, 3, 4), 9, 17)
    assert shared_calendar(NY, "US", (0, 1, 2, 3, 4), 9, 17) is a
    assert a == WorkCalendar(NY, "US")
    assert hash(a) == hash(WorkCalendar(NY, "US"))
    assert shared_calendar(NY, "US", (0, 1, 2, 3, 4), 8, 17) is not a


def test_kept_answers_are_the_answers() -> None:
    cal = WorkCalendar(NY, "US")
    day = date(2026, 11, 25)  # the day before Thanksgiving
    for _ in range(2):  # worked out, then kept
        assert cal.is_working_day(day)
        assert not cal.is_working_day(day + timedelta(days=1))
        assert cal.next_working_day(day) == date(2026, 11, 27)
        assert cal.day_open(day) == datetime(2026, 11, 25, 9, tzinfo=NY)
        assert cal.day_close(day) == datetime(2026, 11, 25, 17, tzinfo=NY)
        moment = datetime(2026, 11, 25, 10, tzinfo=NY)
        assert cal.add_business_days(moment, 2) == datetime(2026, 11, 30, 10, tzinfo=NY)
        assert cal.close_by(datetime(2026, 11, 30, 8, tzinfo=NY)) == datetime(
            2026, 11, 27, 17, tzinfo=NY
        )
    assert midnight(day, NY) is midnight(day, NY)
    assert midnight(day, NY) == datetime(2026, 11, 25, tzinfo=NY)


def test_given_holidays_replace_what_was_worked_out() -> None:
    cal = WorkCalendar(NY, "ZZ")  # a country the holidays library doesn't know: no holidays
    day = date(2031, 6, 3)  # a Tuesday
    assert cal.is_working_day(day)
    assert cal.next_working_day(day - timedelta(days=1)) == day
    try:
        known_holidays({("ZZ", 2031): frozenset({day})})
        assert not cal.is_working_day(day)
        assert cal.next_working_day(day - timedelta(days=1)) == day + timedelta(days=1)
    finally:
        timewin._HOLIDAYS.pop(("ZZ", 2031), None)
        known_holidays({})
    assert cal.is_working_day(day)


def test_shared_is_shared_hours_and_first_shared() -> None:
    cal = WorkCalendar(TOKYO, "JP")
    start = datetime(2026, 3, 2, 9, tzinfo=TOKYO)
    for days in range(1, 6):
        end = start + timedelta(days=days)
        for enough in (1.0, 2.0, float("inf")):
            hours, first = cal.shared(start, end, NY, (8, 20), enough)
            assert hours == cal.shared_hours(start, end, NY, (8, 20), enough)
            assert first == cal.first_shared(start, end, NY, (8, 20))
