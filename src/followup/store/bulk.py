"""Inserting many rows at once: whole opportunities with everything nested in them.

An import of a thousand opportunities is a handful of multi-row INSERTs (with RETURNING for the
surrogate keys children need), not tens of thousands of statements. Callers check the data
first (`followup.store.rows`); this module only writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Connection

from followup.core.model import Interview, Opportunity
from followup.store import rows
from followup.store.schema import (
    InterviewPersonRow,
    InterviewRow,
    OfferRow,
    OpportunityRow,
    PersonRow,
    TouchRow,
)

#: (opportunity pk, person id -> pk in it, the interview, its position)
InterviewItem = tuple[int, dict[str, int], Interview, int]


def insert_returning(conn: Connection, row_type: Any, values: list[rows.Columns]) -> list[int]:
    """Insert many rows; their primary keys, in the order of ``values``."""
    if not values:
        return []
    statement = insert(row_type).returning(row_type.pk, sort_by_parameter_order=True)
    return list(conn.execute(statement, values).scalars())


def insert_many(conn: Connection, row_type: Any, values: list[rows.Columns]) -> None:
    if values:
        conn.execute(insert(row_type), values)


def insert_opportunities(
    conn: Connection, candidate_pk: int, opps: Sequence[Opportunity], first_position: int
) -> list[int]:
    """Insert a candidate's checked opportunities and everything in them; missing touch ids
    are assigned. Returns the opportunities' pks."""
    ours = {"candidate_pk": candidate_pk}
    opp_pks = insert_returning(
        conn,
        OpportunityRow,
        [rows.opportunity_row(o, first_position + n) | ours for n, o in enumerate(opps)],
    )
    person_pks = iter(
        insert_returning(
            conn,
            PersonRow,
            [
                rows.person_row(opp_pk, person, n) | ours
                for opp_pk, opp in zip(opp_pks, opps, strict=True)
                for n, person in enumerate(opp.people)
            ],
        )
    )
    people = [{p.id: next(person_pks) for p in opp.people} for opp in opps]
    insert_interviews(
        conn,
        candidate_pk,
        [
            (opp_pk, known, interview, n)
            for opp_pk, opp, known in zip(opp_pks, opps, people, strict=True)
            for n, interview in enumerate(opp.interviews)
        ],
    )
    touches, offers = [], []
    for opp_pk, opp, known in zip(opp_pks, opps, people, strict=True):
        touch_ids = rows.assign_ids("t", (t.id for t in opp.touches), ())
        touches += [
            rows.touch_row(opp_pk, touch, touch_id, n, known) | ours
            for n, (touch, touch_id) in enumerate(zip(opp.touches, touch_ids, strict=True))
        ]
        offers += [rows.offer_row(opp_pk, offer, n) | ours for n, offer in enumerate(opp.offers)]
    insert_many(conn, TouchRow, touches)
    insert_many(conn, OfferRow, offers)
    return opp_pks


def insert_interviews(conn: Connection, candidate_pk: int, items: list[InterviewItem]) -> None:
    """Insert checked interviews with their attendance (the ``with`` list and the notes)."""
    pks = insert_returning(
        conn,
        InterviewRow,
        [
            rows.interview_row(opp_pk, i, position, known) | {"candidate_pk": candidate_pk}
            for opp_pk, known, i, position in items
        ],
    )
    insert_many(
        conn,
        InterviewPersonRow,
        [
            row
            for pk, (_, known, interview, _) in zip(pks, items, strict=True)
            for row in rows.attendance_rows(pk, interview, known)
        ],
    )
