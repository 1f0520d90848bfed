"""The plan as an RFC 5545 calendar: one event per pending action.

Each event's UID is the action's stable id, so a calendar that imports the file again (or polls
the feed) updates the event instead of adding a second one; SEQUENCE and LAST-MODIFIED grow
when the action changes. Times are written in the candidate's time zone with its VTIMEZONE, so
a window that crosses a daylight-saving change lands on the right hour.

Events, not to-dos: Google and Apple Calendar show subscribed events but ignore VTODO. Each
event spans the action's window (start = when it opens, end = when it is due) and is marked
transparent, so a two-day window does not show the candidate as busy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from followup import __version__
from followup.core.model import Action

PRODID = f"-//followup//followup {__version__}//EN"
#: the calendar's name in the user's calendar app
CALENDAR_NAME = "Follow-ups"


@dataclass(frozen=True, slots=True)
class Entry:
    """One action as a calendar shows it."""

    action: Action
    summary: str
    description: str
    sequence: int = 0
    modified: datetime | None = None

    @property
    def start(self) -> datetime:
        """When the action can be done: its window start, or later when it is snoozed."""
        until = self.action.snoozed_until
        start = self.action.window_start
        return until if until is not None and until > start else start

    @property
    def end(self) -> datetime:
        return max(self.action.window_end, self.start)

    def fingerprint(self) -> str:
        """Changes whenever anything the calendar shows changes (the SEQUENCE rule)."""
        parts = (self.summary, self.description, self.start.isoformat(), self.end.isoformat())
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def build_calendar(entries: list[Entry], timezone: str, now: datetime) -> bytes:
    """The calendar (``text/calendar`` bytes) of ``entries``, times in ``timezone``."""
    import icalendar

    tz = ZoneInfo(timezone)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", CALENDAR_NAME)
    cal.add("x-wr-timezone", timezone)
    for entry in entries:
        event = icalendar.Event()
        event.add("uid", entry.action.id)
        event.add("dtstamp", now)
        event.add("dtstart", entry.start.astimezone(tz))
        event.add("dtend", entry.end.astimezone(tz))
        event.add("summary", entry.summary)
        event.add("description", entry.description)
        event.add("sequence", entry.sequence)
        event.add("last-modified", entry.modified or now)
        event.add("transp", "TRANSPARENT")
        event.add("categories", [entry.action.rule])
        event.add("status", "CONFIRMED")
        cal.add_component(event)
    # The VTIMEZONE covers the years of the events (and now), not 1970..2038: a smaller feed.
    years = [now.year] + [e.start.year for e in entries] + [e.end.year for e in entries]
    cal.add_missing_timezones(date(min(years) - 1, 1, 1), date(max(years) + 2, 1, 1))
    return bytes(cal.to_ical())
