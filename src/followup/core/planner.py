"""The planner: ``plan(facts, playbook, now) -> actions``, a pure function.

Reading order:
1. ``schedule(facts, playbook)`` runs every rule of the playbook (``rules.py``) over each
   opportunity, spreads the post-interview sequence, applies snoozes, keeps the guardrails
   (``guardrails.py``) and writes each action's reason. Nothing here depends on the clock, so a
   schedule can be cached until the facts change.
2. ``Schedule.at(now)`` gives each action its status (upcoming, due, overdue, done, skipped,
   snoozed) and adds the candidate's weekly ``keep-searching`` action.
3. ``completing_touch(action, now)`` is the touch that marks an action done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from followup.core import rules
from followup.core.guardrails import space_out, spread_sequence
from followup.core.model import (
    OUTCOMES,
    Action,
    ActionDecision,
    ActionStatus,
    Facts,
    Touch,
    status_at,
)
from followup.core.playbook import Playbook
from followup.core.timewin import DAY, WorkCalendar, short, week_start, zone
from followup.core.view import SEED_RULES, Item, OppView

#: the touch kind that completes each rule's action (``followup done``)
DONE_KIND = {
    "next-step": "check-in",
    "thank-you": "thank-you",
    "value-add": "value-add",
    "phone-call": "call",
    "continued-interest": "continued-interest",
    "cycle": "check-in",
    "callback": "check-in",
    "still-in-running": "still-in-running",
    "counter-offer": "counter-offer",
    "set-apart": "other",
}


def plan(facts: Facts, playbook: Playbook, now: datetime) -> list[Action]:
    """Every action of the plan, as of ``now``, in window order."""
    return schedule(facts, playbook).at(now)


def schedule(facts: Facts, playbook: Playbook) -> Schedule:
    """Every action of the plan with its window and reason; statuses come with ``at(now)``."""
    home = zone(facts.profile.timezone)
    decisions = {d.action: d for d in facts.decisions}
    skipped = {k for k, d in decisions.items() if d.decision == "skipped"}
    views = [OppView(o, playbook, home, facts.profile.country) for o in facts.opportunities]

    # 1. Every rule of the playbook proposes its actions.
    items = _propose(views, facts, playbook, skipped)
    # 2. An outcome stops everything that is not already done.
    items = [it for it in items if it.done_at is not None or not _stopped(it)]
    # 3. Touches to one person in the post-interview sequence land on different days.
    spread_sequence(items, home)
    # 4. A snoozed action opens when its snooze ends; calls keep to business hours.
    hours: dict[tuple[WorkCalendar, datetime, datetime], tuple[datetime, datetime]] = {}
    for it in items:
        _snooze(it, decisions.get(it.id))
        if it.cal is not None and it.channel == "phone":
            key = (it.cal, it.start, it.end)
            if key not in hours:
                hours[key] = it.cal.business_window(it.start, it.end)
            it.start, it.end = hours[key]
    # 5. A new achievement rides along with the next touch to that person.
    _fold_set_apart(items)
    # 6. After the sequence, the guardrails space the proactive touches out.
    by_opp: dict[str, list[Item]] = {}
    for it in items:
        if it.opp is not None and it.id not in skipped:
            by_opp.setdefault(it.opp.id, []).append(it)
    for v in views:
        space_out(v, by_opp.get(v.opp.id, []))

    rows = sorted((_row(it, home) for it in items), key=lambda r: (r[5], r[0]))
    return Schedule(
        rows=rows,
        timezone=facts.profile.timezone,
        weekly_target=(
            facts.profile.weekly_target
            if facts.profile.weekly_target is not None
            else playbook.weekly_target
        ),
        thin_pipeline=playbook.thin_pipeline,
        applied=sorted(o.applied.isoformat() for o in facts.opportunities if o.applied),
        active=sum(1 for o in facts.opportunities if o.status in ("active", "offer")),
        searching=not any(o.status == "accepted" for o in facts.opportunities),
        decisions={k: (d.decision, _ts(d.until)) for k, d in decisions.items()},
    )


def _propose(
    views: list[OppView], facts: Facts, playbook: Playbook, skipped: set[str]
) -> list[Item]:
    items: list[Item] = []
    for v in views:
        items += rules.sequence(v)
        named = rules.callbacks(v)
        items += named
        after = max((c.end for c in named), default=None)
        items += rules.still_in_running(v, after)
        if not any(c.done_at is None and c.id not in skipped for c in named):
            items += rules.cycle(v, after, skipped)  # the cycle waits for a date they named
    items += rules.counter_offers(views, playbook)
    items += rules.set_apart(views, facts.achievements)
    return items


def _stopped(it: Item) -> bool:
    return it.opp is not None and it.opp.status in OUTCOMES


def _snooze(it: Item, d: ActionDecision | None) -> None:
    """A snoozed action waits: its window opens when the snooze ends, keeping its length."""
    if d is not None and d.decision == "snoozed" and d.until is not None and d.until > it.start:
        it.start, it.end = d.until, d.until + (it.end - it.start)


def _fold_set_apart(items: list[Item]) -> None:
    """An achievement rides along with the next planned touch to that person, if one comes
    within the set-apart window."""
    pending = [
        it
        for it in items
        if it.done_at is None and it.rule in SEED_RULES | {"cycle", "still-in-running"}
    ]
    for sa in items:
        if sa.rule != "set-apart" or sa.done_at is not None or sa.person is None:
            continue
        host = min(
            (
                h
                for h in pending
                if h.person is sa.person and h.opp is sa.opp and sa.start <= h.start < sa.end
            ),
            key=lambda h: h.start,
            default=None,
        )
        if host is not None:
            sa.start, sa.end, sa.folded = host.start, host.end, True
            sa.why += f"; mention it in your {host.rule} touch"


# --- the schedule: rows that need only `now` to become actions --------------------------------

#: id, rule, opportunity, person, channel, start, end (epoch seconds), verb, why, hours (the
#: business hours of a call, or ""), done_at (epoch seconds or None). The reason is written
#: from these when an action is shown, in the candidate's time zone.
Row = tuple[str, str, str | None, str | None, str | None, float, float, str, str, str, float | None]


def _ts(moment: datetime | None) -> float | None:
    return moment.timestamp() if moment is not None else None


def _row(it: Item, home: tzinfo) -> Row:
    hours = ""
    if it.is_call and it.cal is not None:
        c = it.cal
        where = "" if c.tz == home else f" {c.tz}"
        hours = f", {c.opens:02d}:00–{c.closes:02d}:00{where} on working days"
    return (
        it.id,
        it.rule,
        it.opp.id if it.opp else None,
        it.person.id if it.person else None,
        it.channel,
        it.start.timestamp(),
        it.end.timestamp(),
        it.verb,
        it.why,
        hours,
        _ts(it.done_at),
    )


def reason(verb: str, why: str, hours: str, start: datetime, end: datetime, tz: tzinfo) -> str:
    """'Thank Dana Lee by Wed 2 Dec 14:00 — within 24h of your interview, …'"""
    if end - start <= DAY:
        when = f"by {short(end, tz)}"
    else:
        when = f"between {short(start, tz)} and {short(end, tz)}"
    return f"{verb} {when}{hours} — {why}"


@dataclass(frozen=True, slots=True)
class Schedule:
    """The clock-free part of a plan, turned into actions at any ``now`` (``at``)."""

    rows: list[Row]
    timezone: str
    weekly_target: int
    thin_pipeline: int
    applied: list[str]  # ISO dates of applications
    active: int  # opportunities still open
    searching: bool  # no offer accepted yet
    decisions: dict[str, tuple[str, float | None]]

    def at(self, now: datetime) -> list[Action]:
        """Every action with its status as of ``now``, and this week's keep-searching."""
        tz = zone(self.timezone)
        t = now.timestamp()
        out = []
        for id_, rule, opp, person, channel, start, end, verb, why, hours, done in self.rows:
            d = self.decisions.get(id_)
            begins, ends = datetime.fromtimestamp(start, tz), datetime.fromtimestamp(end, tz)
            out.append(
                Action(
                    id_,
                    rule,
                    opp,
                    person,
                    channel,
                    begins,
                    ends,
                    _status(t, start, end, done, d),
                    reason(verb, why, hours, begins, ends, tz),
                    datetime.fromtimestamp(done, tz) if done is not None else None,
                    datetime.fromtimestamp(d[1], tz) if d and d[0] == "snoozed" and d[1] else None,
                )
            )
        return out + self.keep_searching(now)

    def keep_searching(self, now: datetime) -> list[Action]:
        """The candidate's own action for the week holding ``now``: new applications against
        the weekly target, with a warning when the pipeline is thin."""
        if not self.searching or self.weekly_target <= 0:
            return []
        tz = zone(self.timezone)
        start = week_start(now, tz)
        end = start + 7 * DAY
        first, last = start.date().isoformat(), (end.date() - timedelta(days=1)).isoformat()
        count = sum(1 for a in self.applied if first <= a <= last)
        year, week, _ = start.date().isocalendar()
        id_ = f"keep-searching:-:-:{year}-W{week:02d}"
        d = self.decisions.get(id_)
        status = _status(now.timestamp(), start.timestamp(), end.timestamp(), None, d)
        if count >= self.weekly_target:
            status = "done"
        why = (
            f"Apply to {self.weekly_target} new roles this week ({count} so far) by "
            f"{short(end, tz)} — don't slow down while you wait for decisions"
        )
        if self.active < self.thin_pipeline:
            why += f"; only {self.active} active opportunities: your pipeline is thin"
        return [Action(id_, "keep-searching", None, None, None, start, end, status, why)]


def _status(
    now: float, start: float, end: float, done: float | None, d: tuple[str, float | None] | None
) -> ActionStatus:
    """An action's status from its row and the user's decision on it (see ``status_at``)."""
    return status_at(
        now,
        start,
        end,
        done=done is not None,
        skipped=d is not None and d[0] == "skipped",
        snoozed_until=d[1] if d is not None and d[0] == "snoozed" else None,
    )


def completing_touch(action: Action, now: datetime) -> Touch:
    """The touch that `followup done ACTION_ID` logs to complete ``action``."""
    if action.person is None or action.rule not in DONE_KIND:
        raise ValueError(f"{action.rule} actions are not completed by a touch")
    channel = (
        action.channel if action.channel in ("email", "phone", "letter", "linkedin") else "email"
    )
    return Touch(
        at=now.astimezone(UTC),
        person=action.person,
        channel=channel,  # type: ignore[arg-type]
        direction="out",
        kind=DONE_KIND[action.rule],
        summary=action.reason.split(" — ")[0],
    )
