"""The facts `followup` stores, and the actions the planner derives from them.

Everything here is a frozen dataclass: plain values, no I/O. Moments are timezone-aware
``datetime`` objects; calendar days are ``date`` objects. Some fields accept either (an employer
may name a day or an exact time); the planner normalises them, export keeps what was given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final, Literal, NamedTuple

ROLES: Final = ("hiring-manager", "hr", "recruiter", "panel", "executive", "other")
CHANNELS: Final = ("email", "phone", "letter", "linkedin", "in-person", "other")
DIRECTIONS: Final = ("out", "in")
TOUCH_KINDS: Final = (
    "thank-you",
    "value-add",
    "call",
    "continued-interest",
    "check-in",
    "still-in-running",
    "counter-offer",
    "other",
)
OPPORTUNITY_STATUSES: Final = ("active", "offer", "accepted", "rejected", "withdrawn", "closed")
#: An outcome stops every pending action of its opportunity.
OUTCOMES: Final = frozenset({"accepted", "rejected", "withdrawn", "closed"})
DECISIONS: Final = ("skipped", "snoozed")
#: what a touch can bring: an offer, a rejection, or your withdrawal (it sets the status)
TOUCH_OUTCOMES: Final = ("offer", "rejected", "withdrawn")
#: your answer to an offer (an offer without one is held)
OFFER_DECISIONS: Final = ("accepted", "declined")
#: who acts on a date the employer named: "you" call them back on it ("call me Monday"),
#: "they" decide or get back to you by it ("we decide by the 10th")
ACTORS: Final = ("you", "they")
ACTION_STATUSES: Final = (
    "upcoming", "due", "overdue", "missed", "done", "replaced", "skipped", "snoozed",
)  # fmt: skip

Role = Literal["hiring-manager", "hr", "recruiter", "panel", "executive", "other"]
Channel = Literal["email", "phone", "letter", "linkedin", "in-person", "other"]
Direction = Literal["out", "in"]
Actor = Literal["you", "they"]
ActionStatus = Literal[
    "upcoming", "due", "overdue", "missed", "done", "replaced", "skipped", "snoozed"
]

#: A day or an exact moment, as the user gave it.
When = date | datetime


@dataclass(frozen=True, slots=True)
class Profile:
    name: str = ""
    timezone: str = "UTC"  # IANA name
    country: str = "US"  # ISO 3166 alpha-2, for public holidays
    weekly_target: int | None = None


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    role: Role = "other"
    has_vote: bool = True
    key: bool = False
    email: str | None = None
    phone: str | None = None
    timezone: str | None = None  # IANA; the profile's when unknown
    #: what the drafts should mention to them, in the user's words (empty: taken from the notes)
    topics: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NextStep:
    what: str
    when: When
    who: str | None = None  # person id
    channel: Channel | None = None
    acts: Actor | None = None  # who acts on ``when`` (None: you)


@dataclass(frozen=True, slots=True)
class Interview:
    id: str
    at: datetime
    with_: tuple[str, ...] = ()  # person ids ("with" in the interchange document)
    duration_minutes: int = 60
    kind: str | None = None
    notes: dict[str, str] = field(default_factory=dict)  # person id -> what you discussed
    next_step: NextStep | None = None


@dataclass(frozen=True, slots=True)
class Touch:
    at: datetime
    person: str
    channel: Channel
    direction: Direction
    kind: str
    id: str | None = None
    summary: str | None = None
    body: str | None = None
    states_date: When | None = None  # a date the employer named ("call me Monday")
    #: the planned action this touch completed (`followup done`), and that action's rule
    completes: str | None = None
    completes_rule: str | None = None
    acts: Actor | None = None  # who acts on ``states_date`` (None: you)
    outcome: str | None = None  # what it brought (``TOUCH_OUTCOMES``): offer, rejected...


@dataclass(frozen=True, slots=True)
class Offer:
    id: str
    received: When
    expires: When | None = None
    #: your answer (``OFFER_DECISIONS``) and when you gave it; None while you hold the offer
    decision: Literal["accepted", "declined"] | None = None
    decided: datetime | None = None

    @property
    def held(self) -> bool:
        return self.decision is None


@dataclass(frozen=True, slots=True)
class Decision:
    """When the employer expects to decide, and how (free text)."""

    expected_by: When | None = None
    process: str | None = None


@dataclass(frozen=True, slots=True)
class Opportunity:
    id: str
    company: str
    role: str
    applied: date | None = None
    source: str | None = None
    url: str | None = None
    rank: int | None = None  # 1 = most preferred
    status: str = "active"
    decision: Decision | None = None
    people: tuple[Person, ...] = ()
    interviews: tuple[Interview, ...] = ()
    touches: tuple[Touch, ...] = ()
    offers: tuple[Offer, ...] = ()
    #: when it was first recorded (None: before followup kept it); see ``core.applications``
    recorded_at: datetime | None = None

    def person(self, person_id: str) -> Person | None:
        for p in self.people:
            if p.id == person_id:
                return p
        return None


@dataclass(frozen=True, slots=True)
class Achievement:
    at: When
    kind: str
    title: str
    id: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ActionDecision:
    """The user's word on a planned action: skipped for good, or snoozed until a moment."""

    action: str  # action id
    decision: Literal["skipped", "snoozed"]
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything that happened: the planner's whole input besides the playbook and `now`."""

    profile: Profile = field(default_factory=Profile)
    opportunities: tuple[Opportunity, ...] = ()
    achievements: tuple[Achievement, ...] = ()
    decisions: tuple[ActionDecision, ...] = ()

    def opportunity(self, opportunity_id: str) -> Opportunity | None:
        for o in self.opportunities:
            if o.id == opportunity_id:
                return o
        return None


class Action(NamedTuple):
    """One thing to do, derived from the facts. Windows are half-open: ``[start, end)``.

    ``id`` is stable (rule + opportunity + person + anchor), so a skip or snooze keeps pointing
    at the same action when the plan is recomputed. (A named tuple, not a dataclass: a plan of
    a thousand opportunities builds tens of thousands of them, and a tuple is built 3x faster.)
    """

    id: str
    rule: str
    opportunity: str | None  # None for candidate-level actions (keep-searching)
    person: str | None  # None for candidate-level actions
    channel: str | None
    window_start: datetime
    window_end: datetime
    status: ActionStatus
    reason: str
    done_at: datetime | None = None
    snoozed_until: datetime | None = None
    verb: str = ""  # the short "what" of the reason ("Thank Dana Lee (hiring manager)")
    host: str | None = None  # the action whose touch carries this one (a folded set-apart)
    missed_at: datetime | None = None  # when it becomes missed, if still open by then
    #: the reason's raw values, as the planner made them (what drafts need of the plan)
    params: Mapping[str, Any] | None = None


def status_at(
    now: float,
    start: float,
    end: float,
    *,
    done_at: float | None = None,
    replaced: bool = False,
    skipped: bool = False,
    snoozed_until: float | None = None,
    missed_at: float | None = None,
) -> ActionStatus:
    """The one rule for an action's status at ``now`` (all in epoch seconds): done (or
    replaced by another touch) once that happened, then skipped, then snoozed until its moment,
    then by the half-open window ``[start, end)``, and missed from ``missed_at`` on (a few
    working days after the window closed)."""
    if done_at is not None and done_at <= now:
        return "replaced" if replaced else "done"
    if skipped:
        return "skipped"
    if snoozed_until is not None and now < snoozed_until:
        return "snoozed"
    if now < start:
        return "upcoming"
    if now < end:
        return "due"
    return "missed" if missed_at is not None and now >= missed_at else "overdue"
