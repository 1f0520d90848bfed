"""Planned rows become actions at a moment: statuses, reasons in words, the weekly action.

Kept apart from the planner so that reading a stored plan (`followup today`) imports only this,
the model and the reasons, not the rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, NamedTuple

from followup.core import reasons
from followup.core.model import Action, ActionDecision, ActionStatus, status_at
from followup.core.timewin import DAY, short, week_start
from followup.core.words import count


class Planned(NamedTuple):
    """One planned action as stored: raw values, no text. Windows are ``[start, end)``."""

    id: str
    rule: str
    opportunity: str
    person: str | None
    channel: str | None
    start: float  # UTC epoch seconds
    end: float
    anchor: str
    host: str | None  # the action whose touch carries this one (a folded set-apart)
    done_at: float | None
    skipped: bool
    snoozed_until: float | None
    why: str  # the reason's key (``core.reasons``)
    params: dict[str, Any]  # the reason's raw values
    missed_at: float | None = None  # when it becomes missed if still open
    replaced: bool = False  # ``done_at`` is when another touch did its job


def row_status(row: Planned, now: float) -> ActionStatus:
    """The status of a planned row at ``now`` (epoch seconds), from its own values."""
    return status_at(
        now,
        row.start,
        row.end,
        done_at=row.done_at,
        replaced=row.replaced,
        skipped=row.skipped,
        snoozed_until=row.snoozed_until,
        missed_at=row.missed_at,
    )


def action_at(row: Planned, now: float, tz: tzinfo) -> Action:
    """A planned row as an action at ``now`` (epoch seconds), its reason in words."""
    begins = datetime.fromtimestamp(row.start, tz)
    ends = datetime.fromtimestamp(row.end, tz)
    return Action(
        row.id,
        row.rule,
        row.opportunity or None,
        row.person,
        row.channel,
        begins,
        ends,
        row_status(row, now),
        reasons.describe(row.rule, row.why, row.params, begins, ends, tz),
        datetime.fromtimestamp(row.done_at, tz) if row.done_at is not None else None,
        datetime.fromtimestamp(row.snoozed_until, tz) if row.snoozed_until else None,
        reasons.verb(row.rule, row.params),
        row.host,
        datetime.fromtimestamp(row.missed_at, tz) if row.missed_at is not None else None,
        row.params,
    )


class Search(NamedTuple):
    """The candidate-level numbers behind the weekly keep-searching action."""

    weekly_target: int
    thin_pipeline: int
    applied_this_week: int  # applications dated in the week of ``now``
    active: int  # opportunities still open
    searching: bool  # no offer accepted yet


def week_days(now: datetime, tz: tzinfo) -> tuple[date, date]:
    """The first and last day of the candidate's week holding ``now``."""
    start = week_start(now, tz)
    return start.date(), (start + 7 * DAY).date() - timedelta(days=1)


def keep_searching(
    now: datetime, tz: tzinfo, search: Search, decisions: Mapping[str, ActionDecision]
) -> list[Action]:
    """The candidate's own action for the week holding ``now``: new applications against
    the weekly target, with a warning when the pipeline is thin."""
    if not search.searching or search.weekly_target <= 0:
        return []
    start = week_start(now, tz)
    end = start + 7 * DAY
    year, week, _ = start.date().isocalendar()
    id_ = f"keep-searching:-:-:{year}-W{week:02d}"
    d = decisions.get(id_)
    status = status_at(
        now.timestamp(),
        start.timestamp(),
        end.timestamp(),
        skipped=d is not None and d.decision == "skipped",
        snoozed_until=_ts(d.until) if d is not None and d.decision == "snoozed" else None,
    )
    applied = search.applied_this_week
    if applied >= search.weekly_target:
        status = "done"
    verb = f"Apply to {count(search.weekly_target, 'new role')} this week"
    why = (
        f"{verb} ({applied} so far) by {short(end, tz)} — don't slow down while you wait for "
        "decisions"
    )
    if search.active < search.thin_pipeline:
        active = count(search.active, "active opportunity", "active opportunities")
        why += f"; only {active}: your pipeline is thin"
    return [Action(id_, "keep-searching", None, None, None, start, end, status, why, verb=verb)]


def _ts(moment: datetime | None) -> float | None:
    return moment.timestamp() if moment is not None else None
