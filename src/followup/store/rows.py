"""Checks and row building for writes: domain objects in, column dicts out.

The checks run in memory before anything is inserted, so a bad opportunity fails with a clear
`NotFound` or `Conflict` naming it, not with a database constraint error half-way through.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from followup.core.model import Decision, Interview, NextStep, Offer, Opportunity, Person, Touch
from followup.errors import Conflict, NotFound

Columns = dict[str, Any]


def check_unique(ids: Iterable[str], what: str, where: str, taken: Collection[str] = ()) -> None:
    """Refuse an id that repeats, or that ``taken`` (ids already stored) holds."""
    seen: set[str] = set()
    for item_id in ids:
        if item_id in taken:
            raise Conflict(f"{what} '{item_id}' exists already{where}")
        if item_id in seen:
            raise Conflict(f"{what} id '{item_id}' appears twice{where}")
        seen.add(item_id)


def in_opportunity(opp_id: str) -> str:
    return f" in opportunity '{opp_id}'"


def check_person(person_id: str, opp_id: str, people: Collection[str], used_by: str) -> None:
    if person_id not in people:
        raise NotFound(f"unknown person '{person_id}' in opportunity '{opp_id}' ({used_by})")


def check_interview(interview: Interview, opp_id: str, people: Collection[str]) -> None:
    used_by = f"interview '{interview.id}'"
    for person_id in interview.with_:
        check_person(person_id, opp_id, people, used_by)
    for person_id in interview.notes:
        check_person(person_id, opp_id, people, f"notes of {used_by}")
    repeated = [p for p in set(interview.with_) if interview.with_.count(p) > 1]
    if repeated:
        raise Conflict(
            f"person '{repeated[0]}' is listed twice in {used_by} of opportunity '{opp_id}'"
        )
    if interview.next_step is not None:
        check_next_step(interview.next_step, opp_id, people, f"next step of {used_by}")


def check_next_step(step: NextStep, opp_id: str, people: Collection[str], used_by: str) -> None:
    if step.who is not None:
        check_person(step.who, opp_id, people, used_by)


def check_opportunity(opp: Opportunity) -> None:
    """Everything inside one opportunity refers to its own people, each id once."""
    where = in_opportunity(opp.id)
    check_unique((p.id for p in opp.people), "person", where)
    check_unique((i.id for i in opp.interviews), "interview", where)
    check_unique((t.id for t in opp.touches if t.id is not None), "touch", where)
    check_unique((o.id for o in opp.offers), "offer", where)
    people = {p.id for p in opp.people}
    for interview in opp.interviews:
        check_interview(interview, opp.id, people)
    for touch in opp.touches:
        check_person(touch.person, opp.id, people, f"touch at {touch.at.isoformat()}")


def assign_ids(prefix: str, given: Iterable[str | None], taken: Collection[str]) -> list[str]:
    """Fill in missing ids as ``prefix`` + a number one past the highest such id in use.

    Given ids are kept; numbering never reuses a number below the highest one, so an id once
    shown to the user keeps meaning the same thing.
    """
    items = list(given)
    pattern = re.compile(rf"{re.escape(prefix)}(\d+)")
    used = {*taken, *(i for i in items if i is not None)}
    numbers = [int(m.group(1)) for i in used if (m := pattern.fullmatch(i))]
    following = max(numbers, default=0)
    assigned = []
    for item_id in items:
        if item_id is None:
            following += 1
        assigned.append(f"{prefix}{following}" if item_id is None else item_id)
    return assigned


def opportunity_row(opp: Opportunity, position: int) -> Columns:
    return {
        "id": opp.id,
        "position": position,
        "company": opp.company,
        "role": opp.role,
        "applied": opp.applied,
        "source": opp.source,
        "url": opp.url,
        "rank": opp.rank,
        "status": opp.status,
        **decision_columns(opp.decision),
        "recorded_at": opp.recorded_at,
    }


def decision_columns(decision: Decision | None) -> Columns:
    return {
        "has_decision": decision is not None,
        "decision_expected_by": decision.expected_by if decision is not None else None,
        "decision_process": decision.process if decision is not None else None,
    }


def person_row(opp_pk: int, person: Person, position: int) -> Columns:
    return {
        "opportunity_pk": opp_pk,
        "id": person.id,
        "position": position,
        "name": person.name,
        "role": person.role,
        "has_vote": person.has_vote,
        "is_key": person.key,
        "email": person.email,
        "phone": person.phone,
        "timezone": person.timezone,
        "topics": person.topics,
    }


def next_step_columns(step: NextStep | None, people: Mapping[str, int]) -> Columns:
    return {
        "next_step_what": step.what if step else None,
        "next_step_when": step.when if step else None,
        "next_step_who_pk": people[step.who] if step and step.who is not None else None,
        "next_step_channel": step.channel if step else None,
        "next_step_acts": step.acts if step else None,
    }


def interview_row(
    opp_pk: int, interview: Interview, position: int, people: Mapping[str, int]
) -> Columns:
    return {
        "opportunity_pk": opp_pk,
        "id": interview.id,
        "position": position,
        "at": interview.at,
        "duration_minutes": interview.duration_minutes,
        "kind": interview.kind,
        **next_step_columns(interview.next_step, people),
    }


def attendance_rows(
    interview_pk: int, interview: Interview, people: Mapping[str, int]
) -> list[Columns]:
    """One row per person in the ``with`` list or the notes, keeping both orders."""
    rows: dict[str, Columns] = {}
    for position, person_id in enumerate(interview.with_):
        rows[person_id] = {"with_position": position, "note_position": None, "note": None}
    for position, (person_id, note) in enumerate(interview.notes.items()):
        row = rows.setdefault(person_id, {"with_position": None})
        row.update(note_position=position, note=note)
    return [
        {"interview_pk": interview_pk, "person_pk": people[person_id], **row}
        for person_id, row in rows.items()
    ]


def touch_row(
    opp_pk: int, touch: Touch, touch_id: str, position: int, people: Mapping[str, int]
) -> Columns:
    return {
        "opportunity_pk": opp_pk,
        "id": touch_id,
        "position": position,
        "at": touch.at,
        "person_pk": people[touch.person],
        "channel": touch.channel,
        "direction": touch.direction,
        "kind": touch.kind,
        "summary": touch.summary,
        "body": touch.body,
        "states_date": touch.states_date,
        "completes": touch.completes,
        "completes_rule": touch.completes_rule,
        "acts": touch.acts,
        "outcome": touch.outcome,
    }


def offer_row(opp_pk: int, offer: Offer, position: int) -> Columns:
    return {
        "opportunity_pk": opp_pk,
        "id": offer.id,
        "position": position,
        "received": offer.received,
        "expires": offer.expires,
        "decision": offer.decision,
        "decided": offer.decided,
    }
