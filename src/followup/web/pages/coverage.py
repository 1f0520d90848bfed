"""The coverage grid of one opportunity: for each person, each tactic's state.

A cell sums up the person's actions of one rule: overdue if any is overdue, else pending if any
is still to do (due, upcoming, snoozed), else done if any was done, else skipped; empty when
the playbook planned nothing of that kind for that person.

A touch logged by hand (`followup touch add`, the Record page) that no planned action accounts
for counts too: a thank-you sent to someone the plan did not ask to thank is a done thank-you.
A tactic done once per interview shows each interview's round ("Round 1: done · Round 2:
pending", the round's name in its title).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from followup.core.model import Action, Interview, Opportunity, Touch

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


#: the tactic a touch logged by hand counts for, by its kind (a check-in keeps in touch)
TACTIC_OF_KIND: Final = {
    "thank-you": "thank-you",
    "value-add": "value-add",
    "call": "phone-call",
    "continued-interest": "continued-interest",
    "check-in": "cycle",
    "still-in-running": "still-in-running",
    "counter-offer": "counter-offer",
}


@dataclass(frozen=True)
class Round:
    """One interview's part of a cell: its round (1 for the first interview), name, state."""

    number: int
    name: str
    state: str


@dataclass(frozen=True)
class Cell:
    state: str  # overdue | pending | done | skipped | "" (nothing planned)
    count: int  # planned actions
    by_hand: int = 0  # touches logged by hand that no planned action accounts for
    rounds: tuple[Round, ...] = ()  # per interview, when the tactic is done once per interview

    @property
    def label(self) -> str:
        """What the cell says: its state, per round when there are several."""
        if len(self.rounds) > 1:
            return " · ".join(f"R{r.number} {r.state}" for r in self.rounds)
        return self.state or "·"

    @property
    def title(self) -> str:
        """The cell's tooltip: each round by name, and the touches logged by hand."""
        if not self.state:
            return "nothing planned"
        parts = [f"Round {r.number} ({r.name}): {r.state}" for r in self.rounds]
        if not parts:
            parts = [self.state]
        if self.by_hand:
            touches = "touch" if self.by_hand == 1 else "touches"
            parts.append(f"{self.by_hand} {touches} logged by hand")
        return "; ".join(parts)


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
    rounds = _rounds(opp.interviews)
    rows = []
    for person in opp.people:
        mine = [a for a in actions if a.person == person.id]
        logged = _by_hand(opp.touches, person.id, mine)
        cells = []
        for rule, _ in TACTICS:
            ours = [a for a in mine if a.rule == rule]
            statuses = [a.status for a in ours] + ["done"] * logged.get(rule, 0)
            cells.append(
                Cell(cell_state(statuses), len(ours), logged.get(rule, 0), _per_round(ours, rounds))
            )
        rows.append((person.id, cells))
    return rows


def _rounds(interviews: Sequence[Interview]) -> dict[str, tuple[int, str]]:
    """Interview id -> (its round, first interview 1, and its name: its kind, else its id)."""
    ordered = sorted(interviews, key=lambda i: i.at)
    return {i.id: (n, i.kind or i.id) for n, i in enumerate(ordered, start=1)}


def _per_round(actions: Sequence[Action], rounds: dict[str, tuple[int, str]]) -> tuple[Round, ...]:
    """The actions anchored on an interview (``rule:opportunity:person:interview``), by round."""
    by_round: dict[str, list[str]] = {}
    for a in actions:
        anchor = a.id.split(":", 3)[-1]
        if anchor in rounds:
            by_round.setdefault(anchor, []).append(a.status)
    found = [Round(*rounds[i], cell_state(statuses)) for i, statuses in by_round.items()]
    return tuple(sorted(found, key=lambda r: r.number))


def _by_hand(touches: Sequence[Touch], person: str, actions: Sequence[Action]) -> dict[str, int]:
    """Tactic -> the touches to ``person`` logged by hand that no action of the plan counts
    as done (an action done by a touch has that touch's moment as its ``done_at``)."""
    done_at = {(a.rule, a.done_at) for a in actions if a.done_at is not None}
    found: dict[str, int] = {}
    for t in touches:
        rule = t.completes_rule or TACTIC_OF_KIND.get(t.kind)
        if t.direction != "out" or t.person != person or rule is None:
            continue
        if t.completes is not None or (rule, t.at) in done_at:
            continue  # a planned action's touch: its action is in the cell already
        if any(at == t.at for r, at in done_at if r in _SAME_KIND.get(rule, ())):
            continue
        found[rule] = found.get(rule, 0) + 1
    return found


#: rules done by the same kind of touch: a check-in may have done a next-step or a callback
_SAME_KIND: Final = {"cycle": ("next-step", "callback", "cycle")}
