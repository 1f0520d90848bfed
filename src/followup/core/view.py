"""What the rules work on: an indexed view of one opportunity, and the planned ``Item``.

``OppView`` indexes an opportunity's facts once (people by id, interviews and touches in time
order, its lead and contact, each person's working calendar). ``Item`` is a planned action
while the planner still moves its window; it becomes an ``Action`` at the end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from functools import cached_property
from typing import Any

from followup.core.model import OUTCOMES, Interview, Opportunity, Person, Touch
from followup.core.playbook import Playbook
from followup.core.timewin import WorkCalendar, zone, zone_country

HOUR = timedelta(hours=1)

#: Who leads, when a rule wants "the hiring manager" and there is none.
LEAD_ORDER = ("hiring-manager", "executive", "recruiter", "hr", "panel", "other")


@dataclass(slots=True)
class Item:
    """A planned action while the planner works on it (mutable; becomes an ``Action``)."""

    rule: str
    opp: Opportunity | None
    person: Person | None
    anchor: str
    channel: str | None
    start: datetime
    end: datetime
    why: str  # the reason's key (``core.reasons``)
    params: dict[str, Any]  # the reason's raw values
    done_at: datetime | None = None
    cal: WorkCalendar | None = None  # the contact's calendar, for calls
    host: str | None = None  # set-apart folded into that action's touch: not one of its own
    id: str = field(init=False)

    def __post_init__(self) -> None:
        opp = self.opp.id if self.opp else "-"
        person = self.person.id if self.person else "-"
        self.id = f"{self.rule}:{opp}:{person}:{self.anchor}"

    @property
    def is_call(self) -> bool:
        return self.channel == "phone"


def hours_after(moment: datetime, hours: int) -> datetime:
    """Exactly ``hours`` later, however the clocks change in between."""
    return (moment.astimezone(UTC) + hours * HOUR).astimezone(moment.tzinfo)


def who(person: Person) -> dict[str, Any]:
    """The raw values a reason needs to name ``person``."""
    return {"name": person.name, "role": person.role}


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:32] or "x"


def excerpt(text: str | None, limit: int = 60) -> str:
    """The first sentence of a note, short enough for a one-line reason."""
    if not text:
        return ""
    first = text.strip().split("\n")[0]
    for stop in (". ", "; "):
        first = first.split(stop)[0]
    first = first.strip().rstrip(".")
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


class OppView:
    """One opportunity's facts, indexed once for the rules."""

    def __init__(self, opp: Opportunity, pb: Playbook, home_tz: tzinfo, country: str) -> None:
        self.opp = opp
        self.pb = pb
        self.home_tz = home_tz
        self.country = country
        self.people = {p.id: p for p in opp.people}
        self.interviews = sorted(opp.interviews, key=lambda i: i.at)
        self.touches = sorted(opp.touches, key=lambda t: t.at)
        self.outbound = [t for t in self.touches if t.direction == "out"]
        self.inbound = [t for t in self.touches if t.direction == "in"]
        self._calendars: dict[str, WorkCalendar] = {}
        self._ends: dict[str, datetime] = {}

    @property
    def closed(self) -> bool:
        return self.opp.status in OUTCOMES

    def local(self, moment: datetime) -> datetime:
        """``moment`` on the candidate's wall clock, so that adding days keeps the hour."""
        return moment.astimezone(self.home_tz)

    def end_of(self, interview: Interview) -> datetime:
        """T: when the interview ends (start + duration), on the candidate's wall clock."""
        end = self._ends.get(interview.id)
        if end is None:
            end = self.local(interview.at + timedelta(minutes=interview.duration_minutes))
            self._ends[interview.id] = end
        return end

    def calendar(self, person: Person | None) -> WorkCalendar:
        """The person's working calendar: their time zone, and the public holidays of the
        country that zone belongs to (the candidate's country when unknown)."""
        name = (person.timezone if person else None) or ""
        cal = self._calendars.get(name)
        if cal is None:
            pb = self.pb
            tz = zone(name) if name else self.home_tz
            country = (zone_country(name) if name else None) or self.country
            cal = WorkCalendar(
                tz, country, pb.working_days, pb.business_hours_start, pb.business_hours_end
            )
            self._calendars[name] = cal
        return cal

    @cached_property
    def lead(self) -> Person | None:
        """The hiring manager, or whoever comes closest to one."""
        for role in LEAD_ORDER:
            for p in self.opp.people:
                if p.role == role:
                    return p
        return None

    @cached_property
    def counter_offers_told(self) -> list[datetime]:
        """When you told this employer about another offer."""
        return [t.at for t in self.outbound if t.kind == "counter-offer"]

    @cached_property
    def contact(self) -> Person | None:
        """Recruiter or HR first (the people who run the process), else the lead."""
        for p in self.opp.people:
            if p.role in ("recruiter", "hr"):
                return p
        return self.lead

    def interview(self, interview_id: str) -> Interview | None:
        return next((i for i in self.interviews if i.id == interview_id), None)

    def interview_of(self, touch: Touch) -> Interview | None:
        """The latest interview that started at or before ``touch``: the one it follows up."""
        found = None
        for i in self.interviews:
            if i.at <= touch.at:
                found = i
            else:
                break
        return found

    @cached_property
    def _firsts(self) -> dict[tuple[str, str, str | None], datetime]:
        """(person id, touch kind, interview id) -> the first outbound touch of that kind to
        that person following that interview. A touch logged for a given action (``completes``)
        counts for that action only (``completed``)."""
        found: dict[tuple[str, str, str | None], datetime] = {}
        for t in self.outbound:
            if t.completes is not None:
                continue
            i = self.interview_of(t)
            found.setdefault((t.person, t.kind, i.id if i else None), t.at)
        return found

    @cached_property
    def completed(self) -> dict[str, datetime]:
        """action id -> when a touch logged for that very action was made."""
        found: dict[str, datetime] = {}
        for t in self.touches:
            if t.completes is not None:
                found.setdefault(t.completes, t.at)
        return found

    def first_out(self, person: Person, kind: str, interview: Interview) -> datetime | None:
        """When the first outbound touch of ``kind`` to ``person`` following ``interview``
        was made (a touch follows the latest interview that started before it)."""
        return self._firsts.get((person.id, kind, interview.id))
