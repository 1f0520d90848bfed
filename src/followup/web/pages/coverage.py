"""The coverage grid of one opportunity: for each person, each tactic's state.

A cell sums up the person's actions of one rule: overdue if any is overdue, else pending if any
is still to do (due, upcoming, snoozed), else done if any was done, else skipped; empty when
the playbook planned nothing of that kind for that person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from followup.core.model import Action, Opportunity

#: (rule, column title) in the order of the post-interview sequence, then the rest.
TACTICS: Final = (
    ("next-step", "Next step"),
    ("thank-you", "Thank-you"),
    ("value-add", "Value-add"),
    ("phone-call", "Call"),
    ("continued-interest", "Continued interest"),
    ("cycle", "Cycle"),
    ("callback", "Callback"),
    ("still-in-running", "Still in the running"),
    ("counter-offer", "Counter-offer"),
    ("set-apart", "Set apart"),
)
_ORDER: Final = ("overdue", "pending", "done", "skipped")


@dataclass(frozen=True)
class Cell:
    state: str  # overdue | pending | done | skipped | "" (nothing planned)
    count: int


def cell_state(statuses: Sequence[str]) -> str:
    if not statuses:
        return ""
    states = {_STATE.get(s, "pending") for s in statuses}
    return next(s for s in _ORDER if s in states)


#: action status -> its coverage cell (a missed one is as undone as an overdue one; one that
#: another touch did is done); anything else is still to do
_STATE: Final = {
    "overdue": "overdue",
    "missed": "overdue",
    "done": "done",
    "replaced": "done",
    "skipped": "skipped",
}


def coverage(opp: Opportunity, actions: Sequence[Action]) -> list[tuple[str, list[Cell]]]:
    """One row per person (name, cells in ``TACTICS`` order)."""
    rows = []
    for person in opp.people:
        mine = [a for a in actions if a.person == person.id]
        cells = []
        for rule, _ in TACTICS:
            statuses = [a.status for a in mine if a.rule == rule]
            cells.append(Cell(cell_state(statuses), len(statuses)))
        rows.append((person.id, cells))
    return rows
