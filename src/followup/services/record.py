"""Recording facts: the profile, opportunities, people, interviews, touches, offers, achievements.

One use case, one unit of work: each function validates everything first (raising
``UsageError``/``NotFound``/``Conflict`` before anything is written), then writes in a single
transaction, so a failed call leaves the database exactly as it was.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from followup.core.duplicates import same_interview, same_opportunity, same_person
from followup.core.model import (
    CHANNELS,
    DIRECTIONS,
    OPPORTUNITY_STATUSES,
    ROLES,
    TOUCH_KINDS,
    Achievement,
    Interview,
    NextStep,
    Offer,
    Opportunity,
    Person,
    Profile,
    Touch,
    When,
)
from followup.core.problems import (
    MAX_RANK,
    MAX_TOPIC_LENGTH,
    MAX_TOPICS,
    MAX_WEEKLY_TARGET,
    Problem,
)
from followup.errors import Duplicate, NotFound
from followup.services import checks, offers
from followup.services.checks import Checker

if TYPE_CHECKING:
    from followup.services.workspace import Workspace


def set_profile(ws: Workspace, profile: Profile) -> None:
    c = Checker()
    c.text(profile.name, "profile.name")
    c.zone(profile.timezone, "profile.timezone")
    c.country(profile.country, "profile.country")
    c.at_least(profile.weekly_target, 0, "profile.weekly_target", MAX_WEEKLY_TARGET)
    c.done()
    with ws.unit_of_work() as uow:
        uow.set_profile(profile)


def add_opportunity(ws: Workspace, opp: Opportunity, *, now: datetime, new: bool = False) -> None:
    """A new opportunity (its people and interviews are added with their own use cases),
    recorded at ``now`` unless it says when it was: an application without an ``applied`` day
    counts toward the weekly target in the week it was recorded.

    One for the same company and role as another is a ``Duplicate``, unless ``new``."""
    c = Checker()
    c.id(opp.id, "opportunity.id")
    c.text(opp.company, "opportunity.company", required=True)
    c.text(opp.role, "opportunity.role", required=True)
    c.text(opp.source, "opportunity.source")
    c.text(opp.url, "opportunity.url")
    c.at_least(opp.rank, 1, "opportunity.rank", MAX_RANK)
    c.choice(opp.status, OPPORTUNITY_STATUSES, "opportunity.status")
    if opp.applied is not None:
        c.when(opp.applied, "opportunity.applied")
    if opp.decision is not None:
        c.when(opp.decision.expected_by, "opportunity.decision.expected_by")
        c.text(opp.decision.process, "opportunity.decision.process")
    c.done()
    with ws.unit_of_work() as uow:
        if not new:
            stored = [(line[0], line[1], line[2]) for line in uow.search()[0]]
            same = same_opportunity(stored, opp.company, opp.role)
            if same is not None and all(line[0] != opp.id for line in stored):
                raise Duplicate(
                    f"{same[1]} — {same[2]} is recorded already, as opportunity '{same[0]}'",
                    kind="opportunity",
                    existing=same[0],
                    path="opportunity.company",
                )
        uow.add_opportunity(recorded(opp, now))


def recorded(opp: Opportunity, now: datetime) -> Opportunity:
    """``opp`` with the moment it was recorded: its own if it has one, else ``now`` (to the
    second, in UTC)."""
    if opp.recorded_at is not None:
        return opp
    from datetime import UTC

    return replace(opp, recorded_at=now.astimezone(UTC).replace(microsecond=0))


def set_status(ws: Workspace, opp_id: str, status: str) -> None:
    """Move an opportunity along (an outcome — accepted, rejected... — stops its actions)."""
    c = Checker()
    c.choice(status, OPPORTUNITY_STATUSES, "status")
    c.done()
    with ws.unit_of_work() as uow:
        uow.update_opportunity(opp_id, status=status)


def add_person(ws: Workspace, opp_id: str, person: Person, *, new: bool = False) -> None:
    """A person of an opportunity; their e-mail address and phone number are stored normalised
    (a phone number without its country code is read as dialled in the profile's country).

    One with the name of someone in the opportunity already is a ``Duplicate``, unless ``new``.
    """
    c = Checker()
    c.id(person.id, "person.id")
    c.text(person.name, "person.name", required=True)
    c.choice(person.role, ROLES, "person.role")
    c.zone(person.timezone, "person.timezone")
    email = c.email(person.email, "person.email")
    if len(person.topics) > MAX_TOPICS:
        c.add(
            Problem("person.topics", f"at most {MAX_TOPICS} topics: what one message can mention")
        )
    for n, topic in enumerate(person.topics):
        c.text(topic, f"person.topics[{n}]", required=True)
        if len(topic) > MAX_TOPIC_LENGTH:
            c.add(
                Problem(
                    f"person.topics[{n}]",
                    f"a topic is a few words (at most {MAX_TOPIC_LENGTH} characters)",
                )
            )
    with ws.unit_of_work() as uow:
        phone = c.phone(person.phone, "person.phone", uow.profile().country)
        c.done()
        opp = uow.opportunity(opp_id)
        same = None if new or opp.person(person.id) else same_person(opp.people, person.name)
        if same is not None:
            raise Duplicate(
                f"opportunity '{opp_id}' has {same.name} already, as person '{same.id}'",
                kind="person",
                existing=same.id,
                path="person.name",
            )
        uow.add_person(opp_id, replace(person, email=email, phone=phone))


def add_interview(ws: Workspace, opp_id: str, interview: Interview, *, new: bool = False) -> None:
    """An interview with the people met, what each one discussed, and any agreed next step.

    One at the same time as another with the same people is a ``Duplicate``, unless ``new``."""
    c = Checker()
    c.id(interview.id, "interview.id")
    c.when(interview.at, "interview.at")
    c.at_least(interview.duration_minutes, 1, "interview.duration_minutes", 1440)
    c.text(interview.kind, "interview.kind")
    if not interview.with_:
        c.add("interview.with: name at least one person you met")
    for name, note in interview.notes.items():
        c.text(note, f"interview.notes[{name!r}]")
    if interview.next_step is not None:
        _check_step(c, interview.next_step, "interview.next_step")
    c.done()
    with ws.unit_of_work() as uow:
        opp = uow.opportunity(opp_id)
        named = [*interview.with_, *interview.notes]
        if interview.next_step is not None and interview.next_step.who is not None:
            named.append(interview.next_step.who)
        for person_id in dict.fromkeys(named):
            checks.person(opp, person_id)
        taken = any(i.id == interview.id for i in opp.interviews)
        same = (
            None if new or taken else same_interview(opp.interviews, interview.at, interview.with_)
        )
        if same is not None:
            raise Duplicate(
                f"interview '{same.id}' of opportunity '{opp_id}' is at "
                f"{interview.at.isoformat()} with the same people ({', '.join(same.with_)})",
                kind="interview",
                existing=same.id,
                path="interview.at",
            )
        uow.add_interview(opp_id, interview)


def set_next_step(ws: Workspace, opp_id: str, interview_id: str, step: NextStep) -> None:
    """The next step agreed at an interview (replaces any earlier one)."""
    c = Checker()
    _check_step(c, step, "next_step")
    c.done()
    with ws.unit_of_work() as uow:
        opp = uow.opportunity(opp_id)
        if all(i.id != interview_id for i in opp.interviews):
            known = ", ".join(i.id for i in opp.interviews) or "none yet"
            raise NotFound(
                f"unknown interview '{interview_id}' in opportunity '{opp_id}' (known: {known})",
                hint=f"`followup opportunity show {opp_id}` lists its interviews",
            )
        if step.who is not None:
            checks.person(opp, step.who)
        uow.set_next_step(opp_id, interview_id, step)


def add_touch(ws: Workspace, opp_id: str, touch: Touch, offer_expires: When | None = None) -> str:
    """A contact made or received; an inbound one may name a date (``states_date``). One that
    brings an outcome (``touch.outcome``: an offer, a rejection, your withdrawal) sets the
    opportunity's status in the same transaction; an offer is recorded at the touch's moment
    (expiring ``offer_expires``) unless the opportunity holds one already.

    Returns the touch's id (assigned when none was given).
    """
    c = Checker()
    if touch.id is not None:
        c.id(touch.id, "touch.id")
    c.when(touch.at, "touch.at")
    c.choice(touch.channel, CHANNELS, "touch.channel")
    c.choice(touch.direction, DIRECTIONS, "touch.direction")
    c.choice(touch.kind, TOUCH_KINDS, "touch.kind")
    c.text(touch.summary, "touch.summary")
    c.text(touch.body, "touch.body")
    c.when(touch.states_date, "touch.states_date")
    offers.check_outcome(c, touch, offer_expires)
    c.done()
    with ws.unit_of_work() as uow:
        opp = uow.opportunity(opp_id)
        checks.person(opp, touch.person)
        touch_id = uow.add_touch(opp_id, touch)
        offers.apply_outcome(uow, opp, touch, offer_expires)
        return touch_id


def add_offer(ws: Workspace, opp_id: str, offer: Offer) -> None:
    """An offer; an active opportunity moves to status "offer" in the same transaction."""
    c = Checker()
    c.id(offer.id, "offer.id")
    c.when(offer.received, "offer.received")
    c.when(offer.expires, "offer.expires")
    c.done()
    with ws.unit_of_work() as uow:
        opp = uow.opportunity(opp_id)
        uow.add_offer(opp_id, offer)
        if opp.status == "active":
            uow.update_opportunity(opp_id, status="offer")


def add_achievement(ws: Workspace, achievement: Achievement) -> str:
    """Something that sets you apart (an article, a talk, a course); returns its id."""
    c = Checker()
    if achievement.id is not None:
        c.id(achievement.id, "achievement.id")
    c.when(achievement.at, "achievement.at")
    c.text(achievement.kind, "achievement.kind", required=True)
    c.text(achievement.title, "achievement.title", required=True)
    for n, tag in enumerate(achievement.tags):
        c.text(tag, f"achievement.tags[{n}]", required=True)
    c.done()
    with ws.unit_of_work() as uow:
        return uow.add_achievement(achievement)


def _check_step(c: Checker, step: NextStep, where: str) -> None:
    c.text(step.what, f"{where}.what", required=True)
    c.when(step.when, f"{where}.when")
    c.choice(step.channel, CHANNELS, f"{where}.channel")


# --- ids for things added without one ---------------------------------------------------------


def next_id(prefix: str, taken: Iterable[str | None]) -> str:
    """The first free ``prefix1``, ``prefix2``...: ids of interviews ("i1") and offers ("o1")."""
    used = set(taken)
    n = 1
    while f"{prefix}{n}" in used:
        n += 1
    return f"{prefix}{n}"


def person_id(name: str, taken: Iterable[str]) -> str:
    """A readable id for a new person: their first name ("dana"), else the full name, else
    numbered ("dana-lee-2")."""
    used = set(taken)
    full = slug(name) or "person"
    first = full.split("-")[0]
    for candidate in (first, full):
        if candidate not in used:
            return candidate
    return next_id(f"{full}-", used)


def slug(text: str, limit: int = 40) -> str:
    """Lower-case ASCII letters and digits joined by '-' (accents dropped): ids from names."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-")
