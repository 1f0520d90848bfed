"""Reading the whole aggregate back into the domain model, lists in their stored order.

One query per table (not per opportunity), so loading a thousand opportunities stays a handful
of round trips; rows are grouped in Python. Columns are selected explicitly and unpacked by
position: this runs on every plan that is not cached, for tens of thousands of rows.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any, Literal, cast

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import InstrumentedAttribute

from followup.core.model import (
    ACTORS,
    OFFER_DECISIONS,
    Achievement,
    ActionDecision,
    Actor,
    Decision,
    Facts,
    Interview,
    NextStep,
    Offer,
    Opportunity,
    Person,
    Profile,
    Touch,
)
from followup.store.schema import (
    AchievementRow,
    ActionDecisionRow,
    InterviewPersonRow,
    InterviewRow,
    OfferRow,
    OpportunityRow,
    PersonRow,
    ProfileRow,
    TouchRow,
)

Grouped = dict[int, list[Any]]
DecisionWord = Literal["skipped", "snoozed"]


#: which opportunities to load: a candidate's, all or some (by pk)
class Scope:
    """Which rows to load: all of a candidate's, or those of some of their opportunities (the
    caller has found those pks among the candidate's). Filtering on the opportunity alone
    lets the database use the index that leads with it."""

    def __init__(self, candidate_pk: int, opportunity_pks: Collection[int] | None = None) -> None:
        self.candidate_pk = candidate_pk
        self.opportunity_pks = opportunity_pks

    def where(self, row_type: Any, opportunity_column: Any) -> list[Any]:
        if self.opportunity_pks is not None:
            return [opportunity_column.in_(list(self.opportunity_pks))]
        return [row_type.candidate_pk == self.candidate_pk]


def _grouped(
    conn: Connection, scope: Scope, row_type: Any, *columns: InstrumentedAttribute[Any]
) -> tuple[Grouped, dict[int, str]]:
    """Rows of a child table as ``opportunity pk -> [(pk, id, *columns)]``, in stored order,
    and ``pk -> id`` for all of them."""
    query = (
        select(row_type.opportunity_pk, row_type.pk, row_type.id, *columns)
        .where(*scope.where(row_type, row_type.opportunity_pk))
        .order_by(row_type.opportunity_pk, row_type.position, row_type.pk)
    )
    grouped: Grouped = defaultdict(list)
    ids: dict[int, str] = {}
    for opp_pk, pk, item_id, *rest in conn.execute(query).all():
        grouped[opp_pk].append((pk, item_id, *rest))
        ids[pk] = item_id
    return grouped, ids


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building the aggregate.

    Tens of thousands of new (acyclic) tuples and dataclasses would otherwise trigger full
    collections that walk every live object; pausing roughly halves the load time of a large
    job search. Reference counting still frees everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_facts(conn: Connection, candidate_pk: int) -> Facts:
    """Everything a candidate has stored, as `Facts`; call it inside one transaction for a
    consistent view."""
    with collector_paused():
        opportunities = _load_opportunities(conn, Scope(candidate_pk))
        return Facts(
            profile=load_profile(conn, candidate_pk),
            opportunities=tuple(o for _, o in opportunities),
            achievements=load_achievements(conn, candidate_pk),
            decisions=load_decisions(conn, candidate_pk),
        )


def load_opportunities(
    conn: Connection, candidate_pk: int, pks: Collection[int] | None = None
) -> list[tuple[int, Opportunity]]:
    """(pk, opportunity) for the candidate's opportunities with those pks (all: None), in
    stored order, each with everything in it."""
    with collector_paused():
        return _load_opportunities(conn, Scope(candidate_pk, pks))


def _load_opportunities(conn: Connection, scope: Scope) -> list[tuple[int, Opportunity]]:
    people, person_ids = _grouped(
        conn,
        scope,
        PersonRow,
        PersonRow.name,
        PersonRow.role,
        PersonRow.has_vote,
        PersonRow.is_key,
        PersonRow.email,
        PersonRow.phone,
        PersonRow.timezone,
        PersonRow.topics,
    )
    interviews, _ = _grouped(
        conn,
        scope,
        InterviewRow,
        InterviewRow.at,
        InterviewRow.duration_minutes,
        InterviewRow.kind,
        InterviewRow.next_step_what,
        InterviewRow.next_step_when,
        InterviewRow.next_step_who_pk,
        InterviewRow.next_step_channel,
        InterviewRow.next_step_acts,
    )
    touches, _ = _grouped(
        conn,
        scope,
        TouchRow,
        TouchRow.at,
        TouchRow.person_pk,
        TouchRow.channel,
        TouchRow.direction,
        TouchRow.kind,
        TouchRow.summary,
        TouchRow.body,
        TouchRow.states_date,
        TouchRow.completes,
        TouchRow.completes_rule,
        TouchRow.acts,
        TouchRow.outcome,
    )
    offers, _ = _grouped(
        conn,
        scope,
        OfferRow,
        OfferRow.received,
        OfferRow.expires,
        OfferRow.decision,
        OfferRow.decided,
    )
    attendance = _attendance(conn, scope, person_ids)
    no_one: tuple[tuple[str, ...], dict[str, str]] = ((), {})

    opportunities = []
    query = select(
        OpportunityRow.pk,
        OpportunityRow.id,
        OpportunityRow.company,
        OpportunityRow.role,
        OpportunityRow.applied,
        OpportunityRow.source,
        OpportunityRow.url,
        OpportunityRow.rank,
        OpportunityRow.status,
        OpportunityRow.has_decision,
        OpportunityRow.decision_expected_by,
        OpportunityRow.decision_process,
        OpportunityRow.recorded_at,
    )
    query = query.where(*scope.where(OpportunityRow, OpportunityRow.pk)).order_by(
        OpportunityRow.position, OpportunityRow.pk
    )
    for row in conn.execute(query).all():
        pk, opp_id, company, role, applied, source, url, rank, status, *decision = row
        has_decision, expected_by, process, recorded_at = decision
        opportunities.append(
            (
                pk,
                Opportunity(
                    id=opp_id,
                    company=company,
                    role=role,
                    applied=applied,
                    source=source,
                    url=url,
                    rank=rank,
                    status=status,
                    decision=Decision(expected_by, process) if has_decision else None,
                    people=tuple(Person(*p[1:]) for p in people[pk]),
                    interviews=tuple(
                        _interview(i, person_ids, *attendance.get(i[0], no_one))
                        for i in interviews[pk]
                    ),
                    touches=tuple(_touch(t, person_ids) for t in touches[pk]),
                    offers=tuple(_offer(o) for o in offers[pk]),
                    recorded_at=recorded_at,
                ),
            )
        )
    return opportunities


def load_profile(conn: Connection, candidate_pk: int) -> Profile:
    query = select(
        ProfileRow.name, ProfileRow.timezone, ProfileRow.country, ProfileRow.weekly_target
    ).where(ProfileRow.candidate_pk == candidate_pk)
    row = conn.execute(query).first()
    return Profile() if row is None else Profile(*row)


def _attendance(
    conn: Connection, scope: Scope, person_ids: dict[int, str]
) -> dict[int, tuple[tuple[str, ...], dict[str, str]]]:
    """interview pk -> (the ``with`` list, the notes), each in the order it was given."""
    withs: dict[int, list[tuple[int, str]]] = defaultdict(list)
    notes: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    query = select(
        InterviewPersonRow.interview_pk,
        InterviewPersonRow.person_pk,
        InterviewPersonRow.with_position,
        InterviewPersonRow.note_position,
        InterviewPersonRow.note,
    ).join(InterviewRow, InterviewRow.pk == InterviewPersonRow.interview_pk)
    query = query.where(*scope.where(InterviewRow, InterviewRow.opportunity_pk))
    for interview_pk, person_pk, with_position, note_position, note in conn.execute(query).all():
        person = person_ids[person_pk]
        if with_position is not None:
            withs[interview_pk].append((with_position, person))
        if note_position is not None:
            notes[interview_pk].append((note_position, person, note or ""))
    return {
        pk: (
            tuple(person for _, person in sorted(withs.get(pk, []))),
            {person: note for _, person, note in sorted(notes.get(pk, []))},
        )
        for pk in withs.keys() | notes.keys()
    }


def _interview(
    row: tuple[Any, ...], person_ids: dict[int, str], with_: tuple[str, ...], notes: dict[str, str]
) -> Interview:
    _, interview_id, at, duration, kind, what, when, who_pk, channel, acts = row
    next_step = None
    if what is not None:
        who = person_ids[who_pk] if who_pk is not None else None
        next_step = NextStep(what, when, who, channel, _actor(acts))
    return Interview(interview_id, at, with_, duration, kind, notes, next_step)


def _touch(row: tuple[Any, ...], person_ids: dict[int, str]) -> Touch:
    _, touch_id, at, person_pk, channel, direction, kind, summary, body, *rest = row
    states_date, completes, completes_rule, acts, outcome = rest
    return Touch(
        at,
        person_ids[person_pk],
        channel,
        direction,
        kind,
        touch_id,
        summary,
        body,
        states_date,
        completes,
        completes_rule,
        _actor(acts),
        outcome,
    )


def _actor(value: str | None) -> Actor | None:
    """Who acts on a named date, as stored; anything else (a hand edit) reads as unknown."""
    return value if value in ACTORS else None  # type: ignore[return-value]


def _offer(row: tuple[Any, ...]) -> Offer:
    _, offer_id, received, expires, decision, decided = row
    return Offer(offer_id, received, expires, _answer(decision), decided)


def _answer(value: str | None) -> Literal["accepted", "declined"] | None:
    """Your answer to an offer, as stored; anything else (a hand edit) reads as held."""
    return value if value in OFFER_DECISIONS else None  # type: ignore[return-value]


def load_achievements(conn: Connection, candidate_pk: int) -> tuple[Achievement, ...]:
    query = (
        select(
            AchievementRow.at,
            AchievementRow.kind,
            AchievementRow.title,
            AchievementRow.id,
            AchievementRow.tags,
        )
        .where(AchievementRow.candidate_pk == candidate_pk)
        .order_by(AchievementRow.position, AchievementRow.pk)
    )
    return tuple(Achievement(*row) for row in conn.execute(query).all())


def load_decisions(conn: Connection, candidate_pk: int) -> tuple[ActionDecision, ...]:
    query = (
        select(ActionDecisionRow.action, ActionDecisionRow.decision, ActionDecisionRow.until)
        .where(ActionDecisionRow.candidate_pk == candidate_pk)
        .order_by(ActionDecisionRow.position, ActionDecisionRow.action)
    )
    return tuple(
        # The column holds only what ActionDecision.decision allows: it is written from one.
        ActionDecision(action, cast(DecisionWord, decision), until)
        for action, decision, until in conn.execute(query).all()
    )
