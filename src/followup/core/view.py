"""What the rules work on: an indexed view of one opportunity, and the planned ``Item``.

``OppView`` indexes an opportunity's facts once (people by id, interviews and touches in time
order, its lead and contact, each person's working calendar). ``Item`` is a planned action
while the planner still moves its window; it becomes an ``Action`` at the end.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from operator import attrgetter, itemgetter
from typing import Any

from followup.core.model import Interview, Opportunity, Person, Touch
from followup.core.playbook import Playbook
from followup.core.timewin import WorkCalendar, shared_calendar, zone, zone_country

HOUR = timedelta(hours=1)

#: Who leads, when a rule wants "the hiring manager" and there is none.
LEAD_ORDER = ("hiring-manager", "executive", "recruiter", "hr", "panel", "other")

_AT = attrgetter("at")
_FIRST = itemgetter(0)


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
    cal: WorkCalendar | None = None  # the contact's calendar
    host: str | None = None  # set-apart folded into that action's touch: not one of its own
    replaced: bool = False  # ``done_at`` is when another touch did its job
    missed_at: datetime | None = None  # when it becomes missed, if still open
    since: datetime | None = None  # a callback: when they named the date
    id: str = field(init=False)

    def __post_init__(self) -> None:
        opp = self.opp.id if self.opp else "-"
        person = self.person.id if self.person else "-"
        self.id = f"{self.rule}:{opp}:{person}:{self.anchor}"

    @property
    def is_call(self) -> bool:
        return self.channel == "phone"

    @property
    def pending(self) -> bool:
        return self.done_at is None

    def replace_by(self, at: datetime, **by: Any) -> None:
        """Another touch (``by``: which, as raw values for the reason) did this one's job."""
        self.done_at, self.replaced = at, True
        self.params = {**self.params, "replaced": by}


def hours_after(moment: datetime, hours: int) -> datetime:
    """Exactly ``hours`` later, however the clocks change in between."""
    return (moment.astimezone(UTC) + hours * HOUR).astimezone(moment.tzinfo)


def who(person: Person) -> dict[str, Any]:
    """The raw values a reason needs to name ``person``."""
    return {"name": person.name, "role": person.role}


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:32] or "x"


def _lead(people: tuple[Person, ...]) -> Person | None:
    for role in LEAD_ORDER:
        for p in people:
            if p.role == role:
                return p
    return None


@lru_cache(maxsize=4096)  # the same notes and titles come back in every plan
def excerpt(text: str | None, limit: int = 60) -> str:
    """The first sentence of a note, short enough for a one-line reason."""
    if not text:
        return ""
    first = text.strip().partition("\n")[0].partition(". ")[0].partition("; ")[0]
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
        self.interviews = sorted(opp.interviews, key=_AT)
        #: the touches in time order, each with its moment in epoch seconds: facts keep the
        #: UTC offset they were given with, and comparing moments across offsets (or zones)
        #: works the offsets out every time, so it is done once here, in UTC
        self.timed = sorted(((t.at.timestamp(), t) for t in opp.touches), key=_FIRST)
        self.touches = [t for _, t in self.timed]
        self.outbound = [t for t in self.touches if t.direction == "out"]
        self.inbound = [t for t in self.touches if t.direction == "in"]
        self._timed_in = [(at, t) for at, t in self.timed if t.direction == "in"]
        #: the hiring manager, or whoever comes closest to one
        self.lead = _lead(opp.people)
        #: recruiter or HR first (the people who run the process), else the lead
        self.contact = next((p for p in opp.people if p.role in ("recruiter", "hr")), self.lead)
        #: action id -> when a touch logged for that very action was made
        self.completed: dict[str, datetime] = {}
        for t in self.touches:
            if t.completes is not None:
                self.completed.setdefault(t.completes, t.at)
        self._firsts = self._first_touches()
        #: (rule, person id) of the follow-ups planned after a later interview (``sequence``)
        self.later: set[tuple[str, str]] = set()
        #: interview id -> T, when it ends (start + duration), on the candidate's wall clock
        self._ends = {
            i.id: self.local(i.at + timedelta(minutes=i.duration_minutes)) for i in opp.interviews
        }
        self._calendars: dict[str, WorkCalendar] = {}
        self._met: dict[int, list[Person]] = {}  # id() of an interview -> ``met_in``

    def local(self, moment: datetime) -> datetime:
        """``moment`` on the candidate's wall clock, so that adding days keeps the hour."""
        return moment.astimezone(self.home_tz)

    def end_of(self, interview: Interview) -> datetime:
        """T: when the interview ends (start + duration), on the candidate's wall clock."""
        return self._ends[interview.id]

    def calendar(self, person: Person | None) -> WorkCalendar:
        """The person's working calendar: their time zone, and the public holidays of the
        country that zone belongs to (the candidate's country when unknown)."""
        name = (person.timezone if person else None) or ""
        cal = self._calendars.get(name)
        if cal is None:
            pb = self.pb
            tz = zone(name) if name else self.home_tz
            country = (zone_country(name) if name else None) or self.country
            cal = shared_calendar(
                tz, country, pb.working_days, pb.business_hours_start, pb.business_hours_end
            )
            self._calendars[name] = cal
        return cal

    @property
    def counter_offers_told(self) -> list[datetime]:
        """When you told this employer about another offer."""
        return [t.at for t in self.outbound if t.kind == "counter-offer"]

    def touches_from(self, moment: datetime) -> list[Touch]:
        """The touches made at or after ``moment``, in time order."""
        return self.touches[bisect_left(self.timed, moment.timestamp(), key=_FIRST) :]

    def touches_after(self, moment: datetime) -> list[Touch]:
        """The touches made after ``moment``, in time order."""
        return self.touches[bisect_right(self.timed, moment.timestamp(), key=_FIRST) :]

    def planned_later(self, rule: str, person: Person) -> bool:
        """Does a later interview plan this follow-up to ``person``? (Then what is still
        pending of it from an earlier one gives way.)"""
        return (rule, person.id) in self.later

    def is_first(self, interview: Interview) -> bool:
        """Is ``interview`` the first of the opportunity (the one every follow-up starts
        from; a later one plans follow-ups only for the people in it)?"""
        return interview is self.interviews[0]

    def met_in(self, interview: Interview) -> list[Person]:
        """The people with a vote you met in ``interview``, in its order (not to be changed:
        every rule asks for it, so it is worked out once)."""
        met = self._met.get(id(interview))
        if met is None:
            met = self._met[id(interview)] = [
                p for pid in interview.with_ if (p := self.people.get(pid)) and p.has_vote
            ]
        return met

    def heard_from(self, person: Person, after: datetime, before: datetime | None) -> Touch | None:
        """The first touch *from* ``person`` after ``after`` (and before ``before``)."""
        return self._first_in(after, before, person.id)

    def heard_from_employer(self, after: datetime, before: datetime | None) -> Touch | None:
        """The first touch from anyone at the employer after ``after`` (before ``before``)."""
        return self._first_in(after, before, None)

    def _first_in(
        self, after: datetime, before: datetime | None, person: str | None
    ) -> Touch | None:
        """The first touch they sent after ``after`` (in time order, like ``touches_after``),
        from ``person`` (anyone when None), if it came before ``before``."""
        heard = self._timed_in
        for _, t in heard[bisect_right(heard, after.timestamp(), key=_FIRST) :]:
            if person is None or t.person == person:
                return t if before is None or t.at < before else None
        return None

    def interview(self, interview_id: str) -> Interview | None:
        return next((i for i in self.interviews if i.id == interview_id), None)

    def _first_touches(self) -> dict[tuple[str, str, str | None], datetime]:
        """(person id, touch kind, interview id) -> the first outbound touch of that kind to
        that person following that interview: the latest interview that started at or before
        the touch. A touch logged for a given action (``completes``) counts for that action
        only (``completed``)."""
        found: dict[tuple[str, str, str | None], datetime] = {}
        starts = [i.at.timestamp() for i in self.interviews]
        for at, t in self.timed:
            if t.direction == "out" and t.completes is None:
                began = bisect_right(starts, at)  # how many interviews had started by then
                follows = self.interviews[began - 1].id if began else None
                found.setdefault((t.person, t.kind, follows), t.at)
        return found

    def done_at(
        self, rule: str, person: Person, kind: str, interview: Interview
    ) -> datetime | None:
        """When the follow-up ``rule`` of ``interview`` to ``person`` was done: by a touch
        logged for that very action, or by the first touch of ``kind`` to them after it."""
        if self.completed:
            linked = self.completed.get(f"{rule}:{self.opp.id}:{person.id}:{interview.id}")
            if linked is not None and linked >= interview.at:  # (not before it began)
                return linked
        return self.first_out(person, kind, interview)

    def first_out(self, person: Person, kind: str, interview: Interview) -> datetime | None:
        """When the first outbound touch of ``kind`` to ``person`` following ``interview``
        was made (a touch follows the latest interview that started before it)."""
        return self._firsts.get((person.id, kind, interview.id))
