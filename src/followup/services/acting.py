"""Acting on the plan: mark an action done, skip it, snooze it, or undo a skip or snooze.

Each use case is one unit of work on the workspace: it finds the action in the stored plan by
its id (one indexed query), checks it, writes, and the plan of that one opportunity is stored
again before commit. Done logs the touch that completes the action, linked to it; skip and
snooze store the user's decision, which the planner honours on every later plan (action ids are
stable).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from followup.core.actions import action_at
from followup.core.model import Action, ActionDecision, Facts, Opportunity, Touch
from followup.core.planner import Context, completing_touch, plan_opportunity
from followup.core.rules import logged_summary
from followup.errors import Conflict, NotFound, UsageError
from followup.services.workspace import Workspace

if TYPE_CHECKING:
    from followup.store.uow import UnitOfWork

_PLAN_HINT = "`followup plan --all` lists every action with its id"


def find_action(actions: list[Action], action_id: str) -> Action:
    for action in actions:
        if action.id == action_id:
            return action
    raise NotFound(f"unknown action '{action_id}'", hint=_PLAN_HINT)


def find_one(ws: Workspace, action_id: str, now: datetime) -> Action:
    """``action_id`` as of ``now`` (NotFound when the plan has no such action)."""
    ws.units.ensure_plans(ws.source, ws.candidate_pk)
    with ws.units.reading(ws.candidate_pk) as work:
        return _in_work(work, ws, action_id, now)


def _in_work(uow: UnitOfWork, ws: Workspace, action_id: str, now: datetime) -> Action:
    """``action_id`` as of ``now``, read inside the unit of work (a write's checks cannot be
    overtaken by another writer): from the stored plan, or the weekly keep-searching action."""
    row = uow.action(action_id)
    profile = uow.profile()
    if row is not None:
        return action_at(row, now.timestamp(), _zone(profile.timezone))
    from followup.services.agenda import agenda_of

    opportunities, decisions = uow.search()
    weekly = agenda_of(
        [], profile.timezone, opportunities, decisions, profile.weekly_target, ws.playbook
    )
    this_week = weekly.keep_searching(now)
    if any(a.id == action_id for a in this_week):
        return find_action(this_week, action_id)
    if any(a.id == action_id for a in weekly.keep_searching(now - timedelta(days=7))):
        # asked for from a page shown before the week turned (on the candidate's clock)
        raise Conflict(
            f"'{action_id}' was last week's: that week is over",
            hint=f"this week's is '{this_week[0].id}'" if this_week else None,
        )
    return find_action(this_week, action_id)


def _zone(name: str) -> tzinfo:
    from followup.core.timewin import zone

    return zone(name)


def done(ws: Workspace, action_id: str, now: datetime, note: str | None = None) -> Touch:
    """Log the touch that completes ``action_id`` (at ``now``) and return it, with its id.

    The final text of its draft (the user's edit, else the draft of a written message, from
    the workspace's templates or the built-in ones) is kept as the touch's body. A skip or
    snooze on the action is lifted in the same transaction: it has been done.
    """
    with ws.unit_of_work() as uow:
        action = _undone(_in_work(uow, ws, action_id, now))
        if action.opportunity is None:
            raise UsageError(
                f"'{action.rule}' actions are done by applying, not by a contact",
                hint="record a new application with `followup opportunity add --applied ...`",
            )
        if action.rule == "decide-by":  # done by your answer to the offer
            raise UsageError(
                f"action '{action_id}' is done by your answer to the offer, not by a contact",
                hint=f"`followup offer accept|decline {action.opportunity} OFFER`, or ask for "
                f"more time and `followup offer extend {action.opportunity} OFFER --expires DAY`",
            )
        try:  # logged to the minute, as every time the user gives is
            touch = completing_touch(action, now.replace(second=0, microsecond=0))
        except ValueError as exc:
            raise UsageError(f"action '{action_id}' cannot be marked done: {exc}") from exc
        opp = uow.opportunity(action.opportunity)
        if note is not None and note.strip():
            touch = replace(touch, summary=note)
        else:  # what was done, in words: "Thank-you e-mail to Dana Lee"
            person = opp.person(touch.person)
            name = person.name if person is not None else touch.person
            touch = replace(touch, summary=logged_summary(action.rule, touch.channel, name))
        context = uow.context(opp)
        _check_completes(opp, context, ws, action, touch)
        from followup.services.drafting import final_text

        facts = Facts(context.profile, (opp,), context.achievements)
        folded = [r.anchor for r in uow.folded_into(action.id) if r.done_at is None]
        body = final_text(ws, action, facts, now, folded, uow.position(opp.id))
        if body is not None:
            touch = replace(touch, body=body)
        touch_id = uow.add_touch(action.opportunity, touch)
        if uow.decided(action_id):
            uow.clear_decision(action_id)
    return replace(touch, id=touch_id)


def _check_completes(
    opp: Opportunity, context: Context, ws: Workspace, action: Action, touch: Touch
) -> None:
    """Refuse a touch that would not complete ``action`` (a thank-you before the interview has
    started, say) rather than log a contact that changes nothing in the plan."""
    with_touch = replace(opp, touches=(*opp.touches, touch))
    after = next(
        (r for r in plan_opportunity(with_touch, context, ws.playbook) if r.id == action.id), None
    )
    if after is not None and after.done_at is None:
        opens = action.window_start.isoformat(timespec="minutes")
        raise UsageError(
            f"action '{action.id}' cannot be done yet: it follows something that has not "
            f"happened (it opens {opens})",
            hint="log it when it opens, or correct the interview's time with the facts you have",
        )


def skip(ws: Workspace, action_id: str, now: datetime) -> Action:
    """Skip an action for good (it stays skipped whenever the plan is recomputed)."""
    with ws.unit_of_work() as uow:
        action = _undone(_in_work(uow, ws, action_id, now))
        uow.set_decision(ActionDecision(action_id, "skipped"))
    return action


def snooze(ws: Workspace, action_id: str, until: datetime, now: datetime) -> Action:
    """Put an action off: its window opens again at ``until`` (which must be later than now)."""
    if until <= now:
        raise UsageError(
            f"--until {until.isoformat(timespec='minutes')} is not in the future",
            hint="snooze until a later moment, e.g. tomorrow morning",
        )
    with ws.unit_of_work() as uow:
        action = _undone(_in_work(uow, ws, action_id, now))
        uow.set_decision(ActionDecision(action_id, "snoozed", until))
    return action


def reopen(ws: Workspace, action_id: str, now: datetime) -> Action:
    """Do a missed (or overdue, or due) action anyway: its window opens again now, keeping
    its length (a snooze until now), on the contact's business days like any other."""
    with ws.unit_of_work() as uow:
        action = _undone(_in_work(uow, ws, action_id, now))
        if action.status not in ("missed", "overdue", "due"):
            raise UsageError(
                f"action '{action_id}' is {action.status}: only an action already open (due, "
                "overdue or missed) reopens",
                hint=_PLAN_HINT,
            )
        uow.set_decision(ActionDecision(action_id, "snoozed", now))
    return action


def unskip(ws: Workspace, action_id: str, now: datetime) -> Action:
    """Lift a skip or a snooze: the action is planned as the playbook says again."""
    with ws.unit_of_work() as uow:
        action = _in_work(uow, ws, action_id, now)
        if not uow.decided(action_id):
            raise UsageError(f"action '{action_id}' is neither skipped nor snoozed")
        uow.clear_decision(action_id)
    return action


def _undone(action: Action) -> Action:
    if action.status in ("done", "replaced"):
        raise Conflict(f"action '{action.id}' is already {action.status}", hint=_PLAN_HINT)
    return action
