"""Acting on the plan: mark an action done, skip it, snooze it, or undo a skip or snooze.

Actions are derived, not stored, so each use case first finds the action in the current plan
(as of ``now``). Done logs the touch that completes it; skip and snooze store the user's
decision, which the planner honours on every later plan (action ids are stable).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from followup.config import PlaybookSource
from followup.core.model import Action, ActionDecision, Facts, Touch
from followup.core.planner import completing_touch
from followup.errors import Conflict, NotFound, UsageError
from followup.services.agenda import Agenda
from followup.services.database import Database
from followup.services.plan_cache import as_source, load_agenda

if TYPE_CHECKING:
    from followup.core.playbook import Playbook

_PLAN_HINT = "`followup plan --all` lists every action with its id"


def find_action(actions: list[Action], action_id: str) -> Action:
    for action in actions:
        if action.id == action_id:
            return action
    raise NotFound(f"unknown action '{action_id}'", hint=_PLAN_HINT)


def done(
    database: Database,
    playbook: Playbook | PlaybookSource,
    action_id: str,
    now: datetime,
    note: str | None = None,
    config_dir: Path | None = None,
) -> Touch:
    """Log the touch that completes ``action_id`` (at ``now``) and return it, with its id.

    The final text of its draft (the user's edit, else the draft of a written message, from
    the templates in ``config_dir`` or the built-in ones) is kept as the touch's body. A skip
    or snooze on the action is lifted in the same transaction: it has been done.
    """
    agenda = load_agenda(database, playbook, now)
    actions = agenda.at(now)
    action = find_action(actions, action_id)
    if action.status == "done":
        raise Conflict(f"action '{action_id}' is already done", hint=_PLAN_HINT)
    if action.opportunity is None:
        raise UsageError(
            f"'{action.rule}' actions are done by applying, not by a contact",
            hint="record a new application with `followup opportunity add --applied ...`",
        )
    try:
        touch = completing_touch(action, now)
    except ValueError as exc:
        raise UsageError(f"action '{action_id}' cannot be marked done: {exc}") from exc
    if note is not None and note.strip():
        touch = replace(touch, summary=note)
    facts = database.store.load_facts()
    _check_completes(facts, as_source(playbook).playbook, action, touch, now)
    from followup.services.drafting import final_text

    body = final_text(database, action, actions, facts, now, config_dir)
    if body is not None:
        touch = replace(touch, body=body)
    with database.store.unit_of_work() as uow:
        touch_id = uow.add_touch(action.opportunity, touch)
        if agenda.decided(action_id):
            uow.clear_decision(action_id)
    return replace(touch, id=touch_id)


def _check_completes(
    facts: Facts, playbook: Playbook, action: Action, touch: Touch, now: datetime
) -> None:
    """Refuse a touch that would not complete ``action`` (a thank-you before the interview has
    started, say) rather than log a contact that changes nothing in the plan."""
    from followup.core.planner import plan

    opp = facts.opportunity(action.opportunity or "")
    if opp is None:
        raise NotFound(f"unknown opportunity '{action.opportunity}'", hint=_PLAN_HINT)
    with_touch = replace(
        facts,
        opportunities=tuple(
            replace(o, touches=(*o.touches, touch)) if o is opp else o for o in facts.opportunities
        ),
    )
    after = next((a for a in plan(with_touch, playbook, now) if a.id == action.id), None)
    if after is not None and after.status != "done":
        opens = action.window_start.isoformat(timespec="minutes")
        raise UsageError(
            f"action '{action.id}' cannot be done yet: it follows something that has not "
            f"happened (it opens {opens})",
            hint="log it when it opens, or correct the interview's time with the facts you have",
        )


def skip(
    database: Database, playbook: Playbook | PlaybookSource, action_id: str, now: datetime
) -> Action:
    """Skip an action for good (it stays skipped whenever the plan is recomputed)."""
    action = _undone(load_agenda(database, playbook, now), action_id, now)
    with database.store.unit_of_work() as uow:
        uow.set_decision(ActionDecision(action_id, "skipped"))
    return action


def snooze(
    database: Database,
    playbook: Playbook | PlaybookSource,
    action_id: str,
    until: datetime,
    now: datetime,
) -> Action:
    """Put an action off: its window opens again at ``until`` (which must be later than now)."""
    if until <= now:
        raise UsageError(
            f"--until {until.isoformat(timespec='minutes')} is not in the future",
            hint="snooze until a later moment, e.g. tomorrow morning",
        )
    action = _undone(load_agenda(database, playbook, now), action_id, now)
    with database.store.unit_of_work() as uow:
        uow.set_decision(ActionDecision(action_id, "snoozed", until))
    return action


def unskip(
    database: Database, playbook: Playbook | PlaybookSource, action_id: str, now: datetime
) -> Action:
    """Lift a skip or a snooze: the action is planned as the playbook says again."""
    agenda = load_agenda(database, playbook, now)
    action = find_action(agenda.at(now), action_id)
    if not agenda.decided(action_id):
        raise UsageError(f"action '{action_id}' is neither skipped nor snoozed")
    with database.store.unit_of_work() as uow:
        uow.clear_decision(action_id)
    return action


def _undone(agenda: Agenda, action_id: str, now: datetime) -> Action:
    action = find_action(agenda.at(now), action_id)
    if action.status == "done":
        raise Conflict(f"action '{action_id}' is already done", hint=_PLAN_HINT)
    return action
