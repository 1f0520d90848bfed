"""The JSON bodies of the API: what a client sends to record facts and act on the plan.

Field names and values follow the interchange document (docs/json.md). A "when" is a date
(``YYYY-MM-DD``) or a time with its offset; the use cases check the rest (ids, time zones...).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from followup.core.problems import parse_when


def _when(value: object) -> object:
    """Read as the interchange document reads it (a day, or a time with its offset, within the
    years a job search can mean), with the same message. A number is refused, not taken for a
    Unix timestamp; a date or datetime built in Python passes as it is."""
    if isinstance(value, date):
        return value
    parsed, problem = parse_when(value, "")
    if problem is not None:
        raise ValueError(problem.message)
    return parsed


When = Annotated[date | datetime, BeforeValidator(_when)]
Role = Literal["hiring-manager", "hr", "recruiter", "panel", "executive", "other"]
Channel = Literal["email", "phone", "letter", "linkedin", "in-person", "other"]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DecisionIn(Body):
    expected_by: When | None = None
    process: str | None = None


class OpportunityIn(Body):
    id: str
    company: str
    role: str
    applied: date | None = None
    source: str | None = None
    url: str | None = None
    rank: int | None = None
    status: str = "active"
    decision: DecisionIn | None = None
    new: bool = Field(
        False,
        description="Add it even if one for the same company and role is there (409 otherwise).",
    )


class StatusIn(Body):
    status: str


class PersonIn(Body):
    id: str
    name: str
    role: Role = "other"
    has_vote: bool = True
    key: bool = False
    email: str | None = None
    phone: str | None = None
    timezone: str | None = None
    topics: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="What the drafts should mention to them, in your words (at most 5).",
    )
    new: bool = Field(
        False,
        description="Add them even if someone of that name is in the opportunity (409 otherwise).",
    )


class NextStepIn(Body):
    what: str
    when: When
    who: str | None = None
    channel: Channel | None = None
    acts: Literal["you", "they"] | None = None


class InterviewIn(Body):
    id: str
    at: datetime
    with_: list[str] = Field(alias="with")
    duration_minutes: int = 60
    kind: str | None = None
    notes: dict[str, str] = {}
    next_step: NextStepIn | None = None
    new: bool = Field(
        False,
        description="Log it even if one at the same time with the same people is logged "
        "(409 otherwise).",
    )


class TouchIn(Body):
    at: datetime
    person: str
    channel: Channel
    direction: Literal["out", "in"]
    kind: str
    id: str | None = None
    summary: str | None = None
    body: str | None = None
    states_date: When | None = None
    acts: Literal["you", "they"] | None = None
    #: what it brought (sets the opportunity's status); an offer may say when it expires
    outcome: Literal["offer", "rejected", "withdrawn"] | None = None
    offer_expires: When | None = None


class OfferIn(Body):
    id: str
    received: When
    expires: When | None = None


class ExtendIn(Body):
    expires: When


class AnswerIn(Body):
    """Accepting or declining an offer: when you answered (default: now)."""

    at: datetime | None = None


class DoneIn(Body):
    note: str | None = None


class SnoozeIn(Body):
    until: datetime


class Created(BaseModel):
    id: str
