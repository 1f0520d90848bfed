"""Inserting many rows at once: whole opportunities with everything nested in them.

An import of a thousand opportunities is a handful of statements: multi-row INSERTs with
RETURNING for the surrogate keys children need (`Db.insert_returning`), one prepared INSERT run
over all the rows of each other table (`Db.insert`), not tens of thousands of round trips.
Callers check the data first (`followup.store.rows`); this module only writes, through a
`followup.store.sql.Db`, which stores each value as its column's type does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from followup.core.model import Interview, Opportunity
from followup.store import rows

if TYPE_CHECKING:
    from followup.store.sql import Db

#: (opportunity pk, person id -> pk in it, the interview, its position)
InterviewItem = tuple[int, dict[str, int], Interview, int]

#: what tells apart the rows of one insert into a table whose ids are unique per opportunity
_IN_OPPORTUNITY = ("opportunity_pk", "id")


def insert_many(db: Db, table: str, values: Sequence[rows.Columns]) -> None:
    """Insert rows (dicts keyed by column name, with the same keys) into ``table``."""
    db.insert(table, values)


def insert_opportunities(
    db: Db, candidate_pk: int, opps: Sequence[Opportunity], first_position: int
) -> list[int]:
    """Insert a candidate's checked opportunities and everything in them; missing touch ids
    are assigned. Returns the opportunities' pks."""
    ours = {"candidate_pk": candidate_pk}
    opp_pks = db.insert_returning(
        "opportunity",
        [
            rows.opportunity_row(o, first_position + n) | ours | {"fact_revision": 0}
            for n, o in enumerate(opps)
        ],
        key=("candidate_pk", "id"),
    )
    person_pks = iter(
        db.insert_returning(
            "person",
            [
                rows.person_row(opp_pk, person, n) | ours
                for opp_pk, opp in zip(opp_pks, opps, strict=True)
                for n, person in enumerate(opp.people)
            ],
            key=_IN_OPPORTUNITY,
        )
    )
    people = [{p.id: next(person_pks) for p in opp.people} for opp in opps]
    insert_interviews(
        db,
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
    db.insert("touch", touches)
    db.insert("offer", offers)
    return opp_pks


def insert_interviews(db: Db, candidate_pk: int, items: list[InterviewItem]) -> None:
    """Insert checked interviews with their attendance (the ``with`` list and the notes)."""
    pks = db.insert_returning(
        "interview",
        [
            rows.interview_row(opp_pk, i, position, known) | {"candidate_pk": candidate_pk}
            for opp_pk, known, i, position in items
        ],
        key=_IN_OPPORTUNITY,
    )
    db.insert(
        "interview_person",
        [
            row
            for pk, (_, known, interview, _) in zip(pks, items, strict=True)
            for row in rows.attendance_rows(pk, interview, known)
        ],
    )
