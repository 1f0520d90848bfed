"""The plan as every front end reads it: the stored rows, turned into actions at any ``now``.

An ``Agenda`` is one candidate's stored plan (``store.plans``) with what the weekly
keep-searching action needs (applications by day, how many opportunities are open, the
decisions). Statuses and reasons are worked out when asked for, at ``now``: nothing in it goes
stale while the clock moves. ``today_of`` makes the three groups of `followup today` from the
rows the store read for them by its indexed queries (``store.fastpath``, ``store.plans``).
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, NamedTuple

from followup.core.model import Action as _Action

if TYPE_CHECKING:
    from collections.abc import Callable

    from followup.core.actions import Planned
    from followup.core.applications import Entry
    from followup.core.model import Action, ActionDecision
    from followup.core.playbook import Playbook
    from followup.store.fastpath import Today
    from followup.store.plans import OpportunityLine


#: (when, action id, reason): one line of `followup today`
TodayLine = tuple[str, str, str]


class Group(NamedTuple):
    """One group of `followup today`: the lines shown (and their actions), and how many
    there are in all."""

    lines: list[TodayLine]
    total: int
    actions: list[Action]


class Agenda:
    """One candidate's plan, ready to be read at any moment."""

    def __init__(
        self,
        *,
        timezone: str,
        opportunities: dict[str, str],
        rows: list[Planned],
        applications: list[Entry],
        active: int,
        searching: bool,
        weekly_target: int,
        thin_pipeline: int,
        decisions: dict[str, ActionDecision],
    ) -> None:
        self.timezone = timezone
        #: opportunity id -> "Company — Role", in stored order
        self.opportunities = opportunities
        self.rows = rows
        #: (applied, recorded_at) of the opportunities (at least those that may count in the
        #: weeks asked about; ``core.applications`` says which week each counts in)
        self.applications = applications
        #: opportunities still open, and whether no offer was accepted yet
        self.active = active
        self.searching = searching
        self.weekly_target = weekly_target
        self.thin_pipeline = thin_pipeline
        self.decisions = decisions

    @property
    def tz(self) -> tzinfo:
        from followup.core.timewin import zone

        return zone(self.timezone)

    # -- actions -----------------------------------------------------------------------------

    def at(self, now: datetime) -> list[Action]:
        """Every action as of ``now``, in the planner's order (window start, then id; the
        weekly action last)."""
        from followup.core.actions import action_at

        tz, t = self.tz, now.timestamp()
        ordered = sorted(self.rows, key=lambda r: (r.start, r.id))
        return [action_at(r, t, tz) for r in ordered] + self.keep_searching(now)

    def keep_searching(self, now: datetime) -> list[Action]:
        from followup.core.actions import Search, keep_searching, week_days
        from followup.core.applications import count_between

        tz = self.tz
        first, last = week_days(now, tz)
        search = Search(
            weekly_target=self.weekly_target,
            thin_pipeline=self.thin_pipeline,
            applied_this_week=count_between(self.applications, tz, first, last),
            active=self.active,
            searching=self.searching,
        )
        return keep_searching(now, tz, search, self.decisions)

    def action(self, action_id: str, now: datetime) -> Action | None:
        """One action as of ``now`` (the weekly one too)."""
        from followup.core.actions import action_at

        for r in self.rows:
            if r.id == action_id:
                return action_at(r, now.timestamp(), self.tz)
        return next((a for a in self.keep_searching(now) if a.id == action_id), None)

    def decided(self, action_id: str) -> bool:
        """Whether the user skipped or snoozed ``action_id`` (a decision is stored for it)."""
        return action_id in self.decisions

    def today(
        self, now: datetime, limit: int | None, at: Callable[[Planned], Action] | None = None
    ) -> tuple[list[Group], Action | None]:
        """The groups of `followup today` at ``now`` from the whole plan (``rows``), and the
        next action to open when nothing is due: the rows, order, limits and totals that the
        store's indexed queries read (``store.fastpath.read_groups``, kept in step with it), so
        that a server holding the plan of a revision answers without a query. ``at``: a row
        as an action at ``now`` (default ``core.actions.action_at``)."""
        from followup.core.actions import action_at
        from followup.store.fastpath import MISSED_SHOWN_SECONDS, WEEK_SECONDS

        t = now.timestamp()
        pending = [r for r in self.rows if r.done_at is None and not r.skipped]
        opened = [r for r in pending if r.snoozed_until is None or r.snoozed_until <= t]
        closed = [r for r in opened if r.end <= t]
        overdue = [r for r in closed if r.missed_at is None or r.missed_at > t]
        since = t - MISSED_SHOWN_SECONDS
        missed = [r for r in closed if r.missed_at is not None and since < r.missed_at <= t]
        due = [r for r in opened if r.start <= t < r.end]
        ahead = sorted((r for r in pending if r.start > t), key=lambda r: (r.start, r.end, r.id))
        soon = [r for r in ahead if r.start < t + WEEK_SECONDS]

        def shown(rows: list[Planned], latest_first: bool = False) -> tuple[list[Planned], int]:
            """The first ``limit`` rows, as the queries' ``ORDER BY ... LIMIT`` take them; the
            latest ones are taken, then shown oldest first."""
            if not limit:
                return (rows[::-1] if latest_first else rows), len(rows)
            return (rows[:limit][::-1] if latest_first else rows[:limit]), len(rows)

        moment = datetime.fromtimestamp(t, UTC)  # as the queries' groups are made at
        groups = self.groups(
            moment,
            shown(sorted(overdue, key=lambda r: (r.end, r.id), reverse=True), True),
            shown(sorted(due, key=lambda r: (r.end, r.id))),
            shown(soon),
            shown(sorted(missed, key=lambda r: (r.missed_at or 0.0, r.id), reverse=True), True),
            limit,
            at,
        )
        later = None
        if not any(group.total for group in groups) and ahead:
            later = (at or (lambda r: action_at(r, t, self.tz)))(ahead[0])
        return groups, later

    def groups(
        self,
        now: datetime,
        overdue: tuple[list[Planned], int],
        due: tuple[list[Planned], int],
        soon: tuple[list[Planned], int],
        missed: tuple[list[Planned], int],
        limit: int | None,
        at: Callable[[Planned], Action] | None = None,
    ) -> list[Group]:
        """The lines of `followup today` from the rows of each group (the weekly action joins
        the due ones); ``at``: a row as an action at ``now`` (default ``action_at``)."""
        from followup.core.actions import action_at
        from followup.render import when_shown

        t, tz = now.timestamp(), self.tz
        if at is None:
            at = lambda row: action_at(row, t, tz)  # noqa: E731 - the default, one line
        weekly = [a for a in self.keep_searching(now) if a.status == "due"]
        groups: list[tuple[list[Planned | Action], int]] = [
            (list(overdue[0]), overdue[1]),
            (_merged(due[0], weekly, limit), due[1] + len(weekly)),
            (list(soon[0]), soon[1]),
            (list(missed[0]), missed[1]),
        ]

        out = []
        for n, (items, total) in enumerate(groups):
            actions = [item if isinstance(item, _Action) else at(item) for item in items]
            lines = [(when_shown(a, n, now, tz), a.id, a.reason) for a in actions]
            out.append(Group(lines, total, actions))
        return out


def _merged(due: list[Planned], weekly: list[Action], limit: int | None) -> list[Planned | Action]:
    """The due rows with the weekly action among them, by the end of their window."""
    items: list[Planned | Action] = [*due]
    for a in weekly:
        end = a.window_end.timestamp()
        at = next((n for n, r in enumerate(due) if (r.end, r.id) > (end, a.id)), len(due))
        items.insert(at, a)
    return items[:limit] if limit else items


def today_of(
    found: Today, playbook: Playbook, limit: int | None
) -> tuple[Agenda, list[Group], Action | None]:
    """`followup today` from what the store read for it (``Today``): an agenda that knows the
    candidate's week and the labels of the opportunities shown, the groups, and the next
    action to open when nothing is due."""

    from followup.core.actions import action_at
    from followup.core.model import ActionDecision

    decisions = {
        k: ActionDecision(
            k,
            "skipped" if word == "skipped" else "snoozed",
            _moment(until) if until is not None else None,
        )
        for k, (word, until) in found.decisions.items()
    }
    agenda = Agenda(
        timezone=found.timezone,
        opportunities=found.labels if found.has_opportunities else {},
        rows=[],
        applications=found.applications,
        active=found.active,
        searching=found.searching,
        weekly_target=(
            found.weekly_target if found.weekly_target is not None else playbook.weekly_target
        ),
        thin_pipeline=playbook.thin_pipeline,
        decisions=decisions,
    )
    now = datetime.fromtimestamp(found.now, UTC)
    g = found.groups
    groups = agenda.groups(now, g["overdue"], g["due"], g["soon"], g["missed"], limit)
    later = None
    if not any(group.total for group in groups) and g["next"][0]:
        later = action_at(g["next"][0][0], found.now, agenda.tz)
    return agenda, groups, later


def agenda_of(
    rows: list[Planned],
    timezone: str,
    opportunities: list[OpportunityLine],
    decisions: list[ActionDecision],
    weekly_target: int | None,
    playbook: Playbook,
) -> Agenda:
    """An agenda from what the store reads: the rows, the profile's zone and weekly target,
    the opportunities (id, company, role, status, applied, recorded_at) and the decisions."""
    return Agenda(
        timezone=timezone,
        opportunities={o[0]: f"{o[1]} — {o[2]}" for o in opportunities},
        rows=rows,
        applications=[(o[4], o[5]) for o in opportunities],
        active=sum(1 for o in opportunities if o[3] in ("active", "offer")),
        searching=all(o[3] != "accepted" for o in opportunities),
        weekly_target=weekly_target if weekly_target is not None else playbook.weekly_target,
        thin_pipeline=playbook.thin_pipeline,
        decisions={d.action: d for d in decisions},
    )


def _moment(epoch: float) -> datetime:
    """A stored moment, kept within what ``datetime`` holds (a snooze stored at its very end
    rounds past it as a float; the planner clamps it to the years a plan can hold anyway)."""
    try:
        return datetime.fromtimestamp(epoch, UTC)
    except (OverflowError, ValueError, OSError):
        return datetime.max.replace(tzinfo=UTC) if epoch > 0 else datetime.min.replace(tzinfo=UTC)
