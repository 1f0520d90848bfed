"""Reading the whole aggregate back into the domain model, lists in their stored order.

One query per table (not per opportunity; per `CHUNK` of them when some are asked for by pk),
so loading a thousand opportunities stays a handful of round trips; rows are grouped in Python.
Columns are selected explicitly and unpacked by position: this runs on every plan that is not
cached, for tens of thousands of rows.

Plain SQL through `Db` (no SQLAlchemy: this runs inside the fast writes too), so the values of
columns stored in a form of their own (``sql.CODECS``) are decoded here, as the rows are turned
into the model.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal, cast

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
from followup.store.sql import (
    CHUNK,
    among,
    chunks,
    read_day,
    read_day_or_moment,
    read_json_list,
    read_moment,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterator
    from datetime import datetime

    from followup.core.model import When
    from followup.store.sql import Db

Row = tuple[Any, ...]
Grouped = dict[int, list[Row]]
DecisionWord = Literal["skipped", "snoozed"]

# Readers of columns that are NOT NULL (or read only when set, as a next step's date): the same
# functions as ``sql.read_*``, typed without the None they never return here.
_moment = cast("Callable[[Any], datetime]", read_moment)
_when = cast("Callable[[Any], When]", read_day_or_moment)
_tags = cast("Callable[[Any], tuple[str, ...]]", read_json_list)

# -- the statements -----------------------------------------------------------------------------

#: The rows of a child table of opportunities (people, interviews...): ``columns`` after the
#: opportunity's pk, the row's pk and id, in stored order. ``where`` comes from `Scope`.
_CHILDREN = """
SELECT opportunity_pk, pk, id, {columns} FROM {table}
WHERE {where} ORDER BY opportunity_pk, position, pk
"""
_PERSON = "name, role, has_vote, is_key, email, phone, timezone, topics"
_INTERVIEW = (
    "at, duration_minutes, kind, next_step_what, next_step_when, next_step_who_pk, "
    "next_step_channel, next_step_acts"
)
_TOUCH = (
    "at, person_pk, channel, direction, kind, summary, body, states_date, completes, "
    "completes_rule, acts, outcome"
)
_OFFER = "received, expires, decision, decided"

#: who was in each interview of the scope, and the notes on them
_ATTENDANCE = """
SELECT ip.interview_pk, ip.person_pk, ip.with_position, ip.note_position, ip.note
FROM interview_person AS ip JOIN interview AS i ON i.pk = ip.interview_pk
WHERE {where}
"""
_OPPORTUNITIES = """
SELECT position, pk, id, company, role, applied, source, url, rank, status, has_decision,
       decision_expected_by, decision_process, recorded_at
FROM opportunity WHERE {where} ORDER BY position, pk
"""
_PROFILE = "SELECT name, timezone, country, weekly_target FROM profile WHERE candidate_pk = ?"
_ACHIEVEMENTS = """
SELECT at, kind, title, id, tags FROM achievement WHERE candidate_pk = ? ORDER BY position, pk
"""
_DECISIONS = """
SELECT action, decision, until FROM action_decision WHERE candidate_pk = ?
ORDER BY position, action
"""


class Scope:
    """Which rows to load: all of a candidate's, or those of some of their opportunities (the
    caller has found those pks among the candidate's). Filtering on the opportunity alone
    lets the database use the index that leads with it."""

    def __init__(self, candidate_pk: int, opportunity_pks: Collection[int] | None = None) -> None:
        self.candidate_pk = candidate_pk
        self.opportunity_pks = None if opportunity_pks is None else sorted(set(opportunity_pks))

    @property
    def chunked(self) -> bool:
        """Whether the scope takes more than one query per table."""
        return self.opportunity_pks is not None and len(self.opportunity_pks) > CHUNK

    def where(self, candidate_column: str, opportunity_column: str) -> Iterator[tuple[str, Row]]:
        """A condition and its parameters for each query of a table: one for all of the
        candidate's rows, else one per `CHUNK` of opportunity pks (none without pks). The
        rows of one opportunity all come from the same query."""
        if self.opportunity_pks is None:
            yield f"{candidate_column} = ?", (self.candidate_pk,)
            return
        for chunk in chunks(self.opportunity_pks):
            yield f"{opportunity_column} IN {among(len(chunk))}", tuple(chunk)


def _grouped(db: Db, scope: Scope, table: str, columns: str) -> tuple[Grouped, dict[int, str]]:
    """Rows of a child table as ``opportunity pk -> [(opportunity pk, pk, id, *columns)]``, in
    stored order, and ``pk -> id`` for all of them."""
    grouped: Grouped = defaultdict(list)
    ids: dict[int, str] = {}
    for where, params in scope.where("candidate_pk", "opportunity_pk"):
        sql = _CHILDREN.format(columns=columns, table=table, where=where)
        for row in db.rows(sql, params):
            grouped[row[0]].append(row)
            ids[row[1]] = row[2]
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


def load_facts(db: Db, candidate_pk: int) -> Facts:
    """Everything a candidate has stored, as `Facts`; call it inside one transaction for a
    consistent view."""
    with collector_paused():
        opportunities = _load_opportunities(db, Scope(candidate_pk))
        return Facts(
            profile=load_profile(db, candidate_pk),
            opportunities=tuple(o for _, o in opportunities),
            achievements=load_achievements(db, candidate_pk),
            decisions=load_decisions(db, candidate_pk),
        )


def load_opportunities(
    db: Db, candidate_pk: int, pks: Collection[int] | None = None
) -> list[tuple[int, Opportunity]]:
    """(pk, opportunity) for the candidate's opportunities with those pks (all: None), in
    stored order, each with everything in it."""
    with collector_paused():
        return _load_opportunities(db, Scope(candidate_pk, pks))


def _load_opportunities(db: Db, scope: Scope) -> list[tuple[int, Opportunity]]:
    people, person_ids = _grouped(db, scope, "person", _PERSON)
    interviews, _ = _grouped(db, scope, "interview", _INTERVIEW)
    touches, _ = _grouped(db, scope, "touch", _TOUCH)
    offers, _ = _grouped(db, scope, "offer", _OFFER)
    attendance = _attendance(db, scope, person_ids)
    no_one: tuple[tuple[str, ...], dict[str, str]] = ((), {})

    rows: list[Row] = []
    for where, params in scope.where("candidate_pk", "pk"):
        rows += db.rows(_OPPORTUNITIES.format(where=where), params)
    if scope.chunked:
        rows.sort(key=lambda row: (row[0], row[1]))  # each chunk is in order, not all of them

    opportunities = []
    for row in rows:
        _, pk, opp_id, company, role, applied, source, url, rank, status, *decision = row
        has_decision, expected_by, process, recorded_at = decision
        employer = Decision(read_day_or_moment(expected_by), process) if has_decision else None
        opportunities.append(
            (
                pk,
                Opportunity(
                    id=opp_id,
                    company=company,
                    role=role,
                    applied=read_day(applied),
                    source=source,
                    url=url,
                    rank=rank,
                    status=status,
                    decision=employer,
                    people=tuple(_person(p) for p in people[pk]),
                    interviews=tuple(
                        _interview(i, person_ids, *attendance.get(i[1], no_one))
                        for i in interviews[pk]
                    ),
                    touches=tuple(_touch(t, person_ids) for t in touches[pk]),
                    offers=tuple(_offer(o) for o in offers[pk]),
                    recorded_at=read_moment(recorded_at),
                ),
            )
        )
    return opportunities


def load_profile(db: Db, candidate_pk: int) -> Profile:
    row = db.first(_PROFILE, (candidate_pk,))
    return Profile() if row is None else Profile(*row)


def _attendance(
    db: Db, scope: Scope, person_ids: dict[int, str]
) -> dict[int, tuple[tuple[str, ...], dict[str, str]]]:
    """interview pk -> (the ``with`` list, the notes), each in the order it was given."""
    withs: dict[int, list[tuple[int, str]]] = defaultdict(list)
    notes: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for where, params in scope.where("i.candidate_pk", "i.opportunity_pk"):
        for interview_pk, person_pk, with_position, note_position, note in db.rows(
            _ATTENDANCE.format(where=where), params
        ):
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


def _person(row: Row) -> Person:
    _, _, person_id, name, role, has_vote, is_key, email, phone, timezone, topics = row
    return Person(
        person_id, name, role, bool(has_vote), bool(is_key), email, phone, timezone, _tags(topics)
    )


def _interview(
    row: Row, person_ids: dict[int, str], with_: tuple[str, ...], notes: dict[str, str]
) -> Interview:
    _, _, interview_id, at, duration, kind, what, when, who_pk, channel, acts = row
    next_step = None
    if what is not None:
        who = person_ids[who_pk] if who_pk is not None else None
        next_step = NextStep(what, _when(when), who, channel, _actor(acts))
    return Interview(interview_id, _moment(at), with_, duration, kind, notes, next_step)


def _touch(row: Row, person_ids: dict[int, str]) -> Touch:
    _, _, touch_id, at, person_pk, channel, direction, kind, summary, body, *rest = row
    states_date, completes, completes_rule, acts, outcome = rest
    return Touch(
        _moment(at),
        person_ids[person_pk],
        channel,
        direction,
        kind,
        touch_id,
        summary,
        body,
        read_day_or_moment(states_date),
        completes,
        completes_rule,
        _actor(acts),
        outcome,
    )


def _actor(value: str | None) -> Actor | None:
    """Who acts on a named date, as stored; anything else (a hand edit) reads as unknown."""
    return value if value in ACTORS else None  # type: ignore[return-value]


def _offer(row: Row) -> Offer:
    _, _, offer_id, received, expires, decision, decided = row
    return Offer(
        offer_id,
        _when(received),
        read_day_or_moment(expires),
        _answer(decision),
        read_moment(decided),
    )


def _answer(value: str | None) -> Literal["accepted", "declined"] | None:
    """Your answer to an offer, as stored; anything else (a hand edit) reads as held."""
    return value if value in OFFER_DECISIONS else None  # type: ignore[return-value]


def load_achievements(db: Db, candidate_pk: int) -> tuple[Achievement, ...]:
    return tuple(
        Achievement(_when(at), kind, title, achievement_id, _tags(tags))
        for at, kind, title, achievement_id, tags in db.rows(_ACHIEVEMENTS, (candidate_pk,))
    )


def load_decisions(db: Db, candidate_pk: int) -> tuple[ActionDecision, ...]:
    return tuple(
        # The column holds only what ActionDecision.decision allows: it is written from one.
        ActionDecision(action, cast(DecisionWord, decision), read_moment(until))
        for action, decision, until in db.rows(_DECISIONS, (candidate_pk,))
    )
