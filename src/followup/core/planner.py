"""The planner: a pure function from facts to actions, one opportunity at a time.

Reading order:
1. ``plan_opportunity(opp, context, playbook)`` runs every rule of the playbook (``rules.py``)
   over one opportunity, spreads the post-interview sequence, applies snoozes, keeps the
   guardrails (``guardrails.py``) and returns ``Planned`` rows: raw values only (windows in UTC
   epoch seconds, the reason as a key and its values). Nothing here depends on the clock, so
   the rows can be stored until the opportunity's facts change. ``Context`` is all it reads
   beyond the opportunity itself: the profile, the achievements, the user's decisions, and the
   other opportunities' offers, ranks and statuses (for counter-offers).
2. ``action_at(row, now, tz)`` gives a row its status (upcoming, due, overdue, done, skipped,
   snoozed) and its reason in words; ``keep_searching(...)`` is the candidate's weekly action.
3. ``plan(facts, playbook, now)`` is the whole plan of a job search: both steps, for every
   opportunity. ``completing_touch(action, now)`` is the touch that marks an action done.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from operator import attrgetter
from typing import Final

from followup.core import rules, rules_offers
from followup.core.actions import (
    Planned,
    Search,
    action_at,
    keep_searching,
    week_days,
)
from followup.core.applications import count_between
from followup.core.guardrails import space_out, spread_sequence
from followup.core.model import (
    OUTCOMES,
    Achievement,
    Action,
    ActionDecision,
    Facts,
    Opportunity,
    Profile,
    Touch,
)
from followup.core.playbook import Playbook
from followup.core.problems import MAX_YEAR, MIN_YEAR
from followup.core.timewin import WorkCalendar, zone
from followup.core.view import HOUR, Item, OppView

__all__ = [
    "Context",
    "Planned",
    "Search",
    "action_at",
    "completing_touch",
    "context_of",
    "contexts",
    "keep_searching",
    "plan",
    "plan_opportunity",
    "schedule",
    "search_of",
    "week_days",
]


#: rows in window order (ties by id, so that the order never depends on the input's)
_WINDOW_ORDER = attrgetter("start", "id")


@dataclass(frozen=True, slots=True)
class Context:
    """What one opportunity's plan reads beyond the opportunity's own facts."""

    profile: Profile
    achievements: tuple[Achievement, ...] = ()
    decisions: Mapping[str, ActionDecision] | None = None  # by action id
    #: the candidate's other opportunities; only their offers, ranks and statuses are read
    rivals: tuple[Opportunity, ...] = ()
    #: the id of the top-ranked open opportunity (``rules.top_choice``): only it hears
    #: "first choice" in a counter-offer
    top: str | None = None


def context_of(facts: Facts, opp: Opportunity) -> Context:
    [(_, ctx)] = contexts(facts, (opp,))
    return ctx


def contexts(
    facts: Facts, opps: Iterable[Opportunity] | None = None
) -> Iterator[tuple[Opportunity, Context]]:
    """Each opportunity (all by default) with its context. What the contexts share is built
    once, so planning every opportunity costs no more per opportunity than planning one."""
    decisions = {d.action: d for d in facts.decisions}
    # only opportunities holding offers matter to another's plan (counter-offers)
    holders = [o for o in facts.opportunities if o.offers]
    top = rules.top_choice((o.id, o.rank, o.status) for o in facts.opportunities)
    for opp in facts.opportunities if opps is None else opps:
        rivals = tuple(o for o in holders if o is not opp)
        yield opp, Context(facts.profile, facts.achievements, decisions, rivals, top)


def plan_opportunity(opp: Opportunity, ctx: Context, playbook: Playbook) -> list[Planned]:
    """Every action for ``opp``, with its window and reason, in window order."""
    home = zone(ctx.profile.timezone)
    decisions = ctx.decisions or {}
    skipped: Container[str] = _Skipped(decisions) if decisions else frozenset()
    v = OppView(opp, playbook, home, ctx.profile.country)

    # 1. Every rule of the playbook proposes its actions; a touch logged for an action
    #    completes exactly that action.
    items = _propose(v, ctx, skipped)
    if v.completed:
        for it in items:
            done = v.completed.get(it.id)
            if it.pending and done is not None and done >= _opens(v, it):
                it.done_at = done
    # 2. An outcome stops everything that is not already done; an offer accepted elsewhere
    #    too, but for the note that withdraws.
    if opp.status in OUTCOMES:
        items = [it for it in items if not it.pending]
    elif rules_offers.accepted_elsewhere(ctx.rivals) is not None:
        items = [it for it in items if not it.pending or it.rule == "withdrawal"]
    elif opp.status == "offer":  # their offer is on the table: no more asks to win one
        items = [
            it
            for it in items
            if not it.pending or it.rule not in _ASKS_BEFORE_AN_OFFER or it.id in skipped
        ]
    # 3. One conversation with a person, not two: a counter-offer call is the call the
    #    sequence wanted, and a date they named holds the other asks to that employer.
    items = _call_once(items)
    items = _hold_for_named_dates(items, skipped)
    # 4. Touches to one person in the post-interview sequence land on different days.
    spread_sequence(items, home, playbook.call_min_business_days)
    # 5. A snoozed action opens when its snooze ends; every window but the thank-you's keeps
    #    to the contact's business days and hours.
    for it in items:
        if (d := decisions.get(it.id)) is not None:
            _snooze(it, d)
        _business_days(v, it)
    # 6. A new achievement rides along with the next touch to that person.
    _fold_set_apart(items)
    # 7. After the sequence, the guardrails space the proactive touches out.
    space_out(v, [it for it in items if it.id not in skipped])
    # 8. An action left open some working days after its window closes is missed.
    for it in items:
        if it.pending and it.cal is not None:
            it.missed_at = it.cal.add_business_days(it.end, playbook.missed_after_days)

    rows = [_planned(it, home, decisions.get(it.id)) for it in items]
    rows.sort(key=_WINDOW_ORDER)
    return rows


#: what a candidate does to win an offer, pointless once it came (the thank-you, a date they
#: named and the decision on the offer stay)
_ASKS_BEFORE_AN_OFFER: Final = rules.WAITING_RULES | {"value-add", "set-apart"}


def _hold_for_named_dates(items: list[Item], skipped: Container[str]) -> list[Item]:
    """From the moment the employer names a date, the proactive asks to that employer still
    open then wait until it is settled: the follow-up with that person is the callback itself
    (the ask gives way to it, or shows as done by it), the others open once the callback's
    window is over, or once the exchange that settled it happened. Dates are taken in the
    order they were named: a new date holds the asks again."""
    named = sorted(
        ((c.since, c) for c in items if c.rule == "callback" and c.id not in skipped and c.since),
        key=lambda pair: (pair[0], pair[1].id),
    )
    if not named:
        return items
    asks = [it for it in items if it.rule in rules.WAITING_RULES and it.pending]
    gone: set[int] = set()
    for since, c in named:
        settled = c.end if c.pending else max(c.done_at or c.end, since)
        for it in asks:
            if id(it) in gone or not (it.end > since and it.start < settled):
                continue
            if it.person is c.person:  # the callback is the follow-up with that person
                if c.pending:
                    gone.add(id(it))
                else:
                    it.replace_by(settled, rule="callback")
                continue
            it.start, it.end = settled, settled + (it.end - it.start)
            it.params = {**it.params, "held": c.params.get("day")}
    return [it for it in items if id(it) not in gone]


def _call_once(items: list[Item]) -> list[Item]:
    """A counter-offer call to a person is also the call the sequence wanted from them: a
    follow-up call still open before their answer is due gives way to it (and, once the
    counter-offer call was made, shows as replaced by it)."""
    offers = [c for c in items if c.rule == "counter-offer"]
    if not offers:
        return items
    kept = []
    for it in items:
        co = next(
            (
                c
                for c in offers
                if it.rule == "phone-call"
                and it.pending
                and c.person is it.person
                and it.start < _answer_due(c)
            ),
            None,
        )
        if co is None:
            kept.append(it)
        elif co.done_at is not None:
            it.replace_by(co.done_at, rule="counter-offer")
            kept.append(it)
        else:
            co.params["reaffirms"] = True
    return kept


def _answer_due(co: Item) -> datetime:
    """When the answer a counter-offer call asks for is due (its window's end if unknown)."""
    try:
        return datetime.fromisoformat(str(co.params["answer_by"]))
    except (KeyError, ValueError):
        return co.end


def _business_days(v: OppView, it: Item) -> None:
    """Every employer-facing window but the thank-you's 24 hours opens and closes in the
    contact's business hours on their working days."""
    if it.person is None:
        return
    cal = it.cal = it.cal or v.calendar(it.person)
    if it.rule == "thank-you":
        return
    if it.rule == "counter-offer":  # worked out on business days already, to the hour
        it.start = cal.next_open(it.start)
        it.end = max(it.end, it.start + HOUR)
        return
    it.start, it.end = cal.working_window(it.start, it.end)
    if it.is_call and cal.tz != v.home_tz:
        _time_to_call(v, it, cal)


def _time_to_call(v: OppView, it: Item, cal: WorkCalendar) -> None:
    """A contact in another time zone: the call window holds at least
    ``call_overlap_hours`` that are both their business hours and the candidate's day, adding
    working days as needed (up to two weeks); when their hours never meet the candidate's
    day, the reason says so."""
    pb = v.pb
    day, need = (pb.candidate_day_start, pb.candidate_day_end), pb.call_overlap_hours
    have, opens = cal.shared(it.start, it.end, v.home_tz, day, need)
    end, longer = it.end, False
    for _ in range(10):
        if have >= need:
            it.end = end
            # and it opens when both days have begun: never at 04:00 on the candidate's clock
            if longer:
                opens = cal.first_shared(it.start, end, v.home_tz, day)
            if opens is not None:
                it.start = opens
            return
        later = cal.day_close(cal.next_working_day(end.astimezone(cal.tz).date()))
        gained = cal.shared_hours(end, later, v.home_tz, day, need - have)
        if gained <= 0:  # a whole working day of theirs outside your day: it never meets it
            break
        have, end, longer = have + gained, later, True
    it.params = {**it.params, "no_overlap": True}


@dataclass(frozen=True, slots=True)
class _Skipped(Container[str]):
    """The ids of the actions the user skipped, looked up in the decisions as they are asked
    for (not gathered into a set for every opportunity: the decisions only ever grow)."""

    decisions: Mapping[str, ActionDecision]

    def __contains__(self, action_id: object) -> bool:
        d = self.decisions.get(action_id) if isinstance(action_id, str) else None
        return d is not None and d.decision == "skipped"


def _propose(v: OppView, ctx: Context, skipped: Container[str]) -> list[Item]:
    items = rules.sequence(v)
    named = rules.callbacks(v)
    items += named
    # the asks that come after a date they named wait for it (a missed one holds nothing)
    after = max((c.end for c in named if c.pending and c.id not in skipped), default=None)
    items += rules.still_in_running(v, after)
    items += rules.cycle(v, after, skipped)
    items += rules.counter_offers(v, rules_offers.held(ctx.rivals), ctx.top)
    items += rules.set_apart(v, ctx.achievements)
    items += rules_offers.decide_by(v)
    items += rules_offers.withdrawal(v, ctx.rivals)
    return items


def _opens(v: OppView, it: Item) -> datetime:
    """The earliest moment a touch can complete ``it``: a follow-up of an interview once the
    interview has begun, anything else once its window opens (a callback on the day named)."""
    interview = v.interview(it.anchor) if rules.BY_ID[it.rule].sequence is not None else None
    return interview.at if interview is not None else it.start


#: the span a stored snooze is kept within (``problems.MIN_YEAR``/``MAX_YEAR``): a snooze
#: written before the bounds were checked (an auto-reply's "back on 9999-12-31") must not
#: overflow the window arithmetic
_EARLIEST: Final = datetime(MIN_YEAR, 1, 2, tzinfo=UTC)
_LATEST: Final = datetime(MAX_YEAR, 12, 31, tzinfo=UTC)


def _until(d: ActionDecision) -> datetime | None:
    """When a snooze ends, clamped to the years a plan can hold."""
    return None if d.until is None else min(max(d.until, _EARLIEST), _LATEST)


def _snooze(it: Item, d: ActionDecision) -> None:
    """A snoozed action waits: its window opens when the snooze ends, keeping its length."""
    until = _until(d)
    if d.decision == "snoozed" and until is not None and until > it.start:
        it.start, it.end = until, until + (it.end - it.start)


#: the touches an achievement can ride along with
_HOSTS = rules.SEED_RULES | {"cycle", "still-in-running"}


def _fold_set_apart(items: list[Item]) -> None:
    """An achievement rides along with the next planned touch to that person, if one comes
    within the set-apart window."""
    new = [
        it
        for it in items
        if it.rule == "set-apart" and it.done_at is None and it.person is not None
    ]
    if not new:
        return
    pending = [it for it in items if it.done_at is None and it.rule in _HOSTS]
    for sa in new:
        host = min(
            (h for h in pending if h.person is sa.person and sa.start <= h.start < sa.end),
            key=lambda h: h.start,
            default=None,
        )
        if host is not None:
            sa.start, sa.end, sa.host = host.start, host.end, host.id
            sa.params["host_rule"] = host.rule


def _planned(it: Item, home: tzinfo, d: ActionDecision | None) -> Planned:
    params = it.params
    snoozed = _until(d) if d is not None and d.decision == "snoozed" else None
    if it.channel == "phone" and it.cal is not None:
        c = it.cal
        params = {
            **params,
            "business_hours": [c.opens, c.closes, "" if c.tz == home else str(c.tz)],
        }
    return Planned(
        it.id,
        it.rule,
        it.opp.id if it.opp else "",
        it.person.id if it.person else None,
        it.channel,
        it.start.timestamp(),
        it.end.timestamp(),
        it.anchor,
        it.host,
        it.done_at.timestamp() if it.done_at is not None else None,
        d is not None and d.decision == "skipped",
        snoozed.timestamp() if snoozed is not None else None,
        it.why,
        params,
        it.missed_at.timestamp() if it.missed_at is not None and it.pending else None,
        it.replaced,
    )


def search_of(facts: Facts, playbook: Playbook, now: datetime) -> Search:
    tz = zone(facts.profile.timezone)
    first, last = week_days(now, tz)
    return Search(
        weekly_target=(
            facts.profile.weekly_target
            if facts.profile.weekly_target is not None
            else playbook.weekly_target
        ),
        thin_pipeline=playbook.thin_pipeline,
        applied_this_week=count_between(
            ((o.applied, o.recorded_at) for o in facts.opportunities), tz, first, last
        ),
        active=sum(1 for o in facts.opportunities if o.status in ("active", "offer")),
        searching=not any(o.status == "accepted" for o in facts.opportunities),
    )


# --- the whole search ---------------------------------------------------------------------------


def schedule(facts: Facts, playbook: Playbook) -> list[Planned]:
    """Every opportunity's planned rows, in window order."""
    rows = [row for o, ctx in contexts(facts) for row in plan_opportunity(o, ctx, playbook)]
    rows.sort(key=_WINDOW_ORDER)
    return rows


def plan(facts: Facts, playbook: Playbook, now: datetime) -> list[Action]:
    """Every action of the plan, as of ``now``, in window order (the weekly action last)."""
    tz = zone(facts.profile.timezone)
    t = now.timestamp()
    actions = [action_at(row, t, tz) for row in schedule(facts, playbook)]
    decisions = {d.action: d for d in facts.decisions}
    return actions + keep_searching(now, tz, search_of(facts, playbook, now), decisions)


def completing_touch(action: Action, now: datetime) -> Touch:
    """The touch that `followup done ACTION_ID` logs to complete ``action``: it records the
    action (and rule) it completed."""
    kind = rules.DONE_KIND.get(action.rule)
    if action.person is None or kind is None:
        raise ValueError(f"{action.rule} actions are not completed by a touch")
    channel = (
        action.channel if action.channel in ("email", "phone", "letter", "linkedin") else "email"
    )
    return Touch(
        at=now.astimezone(UTC),
        person=action.person,
        channel=channel,  # type: ignore[arg-type]
        direction="out",
        kind=kind,
        summary=action.verb or action.rule,
        completes=action.id,
        completes_rule=action.rule,
    )
