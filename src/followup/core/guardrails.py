"""Assertive, never irritating: spacing between proactive touches.

After the post-interview sequence the guardrails hold strictly: at most one proactive touch to
the same person within ``person_gap_days``, and at most ``opportunity_max_touches`` proactive
touches to one opportunity in any ``opportunity_window_days``. Callbacks and counter-offers are
excepted (the employer asked for them, or time is short). Within the sequence, touches to the
same person are spread as far apart as their deadlines allow.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from itertools import combinations

from followup.core.playbook import Playbook
from followup.core.rules import GUARDED_RULES, SEED_RULES, SEQUENCE
from followup.core.timewin import WorkCalendar, local_midnight
from followup.core.view import Item, OppView

#: a planned or logged proactive touch: (when, in epoch seconds; person id)
Touch = tuple[float, str]
DAY_S = 86400.0
#: the order of one person's touches: a counter-offer call first, then the sequence's
_POSITION = {"counter-offer": -1, **{rule: n for n, rule in enumerate(SEQUENCE)}}
_SPREAD = SEED_RULES | {"counter-offer"}
#: windows never cut: the next touch waits for them
_UNCUT = frozenset({"thank-you", "counter-offer"})


def spread_sequence(items: list[Item], home_tz: tzinfo, call_days: int = 1) -> None:
    """Where two pending sequence windows for one person overlap (an article and a call, say),
    split the overlap at a midnight so the two touches land on different days. A thank-you
    or a counter-offer call is never cut: the next touch waits for it. A call goes first and
    keeps its first business days (``call_days`` of them for the hiring manager); otherwise
    the overlap is halved."""
    by_person: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for it in items:
        if it.pending and it.opp and it.person and it.rule in _SPREAD:
            by_person[(it.opp.id, it.person.id)].append(it)
    for group in by_person.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda it: (_POSITION[it.rule], it.start))
        for a, b in combinations(group, 2):
            lo, hi = max(a.start, b.start), min(a.end, b.end)
            if lo >= hi:
                continue
            if a.rule in _UNCUT:  # the next touch waits
                if a.end < b.end:
                    b.start = a.end
                continue
            if a.cal is not None and a.is_call:
                cut = _after_call(a, a.cal, b, home_tz, call_days)
            else:
                cut = local_midnight(lo + (hi - lo) / 2 + timedelta(hours=12), home_tz)
            if not lo < cut < hi:
                cut = lo + (hi - lo) / 2
            a.end, b.start = min(a.end, cut), max(b.start, cut)


def _after_call(a: Item, cal: WorkCalendar, b: Item, home_tz: tzinfo, call_days: int) -> datetime:
    """Where the touch after call ``a`` may begin: the midnight after the call's first business
    days (``call_days`` for the hiring manager), or after its first one if ``b`` would
    otherwise have no business day left before its deadline."""
    days = call_days if a.person is not None and a.person.role == "hiring-manager" else 1
    opened = cal.next_open(max(a.start, b.start))
    cuts = []
    for _ in range(max(days, 1)):
        cuts.append(local_midnight(opened, home_tz) + timedelta(days=1))
        opened = cal.next_open(cal.add_business_days(opened, 1))
    for cut in reversed(cuts):
        if cal.next_open(cut) < cal.close_by(b.end):
            return cut
    return cuts[0]


def space_out(v: OppView, items: list[Item]) -> None:
    """Move each guarded item of one opportunity to the earliest moment at or after its window
    opens where every guardrail holds; its window keeps its length. Distances are measured in
    real elapsed time (epoch seconds), whatever the clocks do."""
    pb = v.pb
    pending = sorted(
        (x for x in items if x.rule in GUARDED_RULES and x.host is None and x.done_at is None),
        key=lambda x: (x.start, x.rule),
    )
    if not pending:
        return
    taken: list[Touch] = [
        (at, t.person) for at, t in v.timed if t.direction == "out" and t.kind != "counter-offer"
    ]
    taken += [
        (it.start.timestamp(), it.person.id)
        for it in items
        if it.rule in SEED_RULES and it.person and it.done_at is None
    ]
    # a callback is excepted from the opportunity's count, but it is a touch to that person
    personal: list[Touch] = [
        (it.start.timestamp(), it.person.id)
        for it in items
        if it.rule == "callback" and it.person and it.done_at is None
    ]
    for it in pending:
        if it.person is None:
            continue
        opens = it.start.timestamp()
        length = it.end.timestamp() - opens
        start = _earliest(opens, it.person.id, taken, pb, personal)
        if start == opens:
            taken.append((start, it.person.id))
            continue
        cal = it.cal or v.calendar(it.person)
        for _ in range(20):  # business hours too: both must hold at once
            opened = cal.next_open(datetime.fromtimestamp(start, UTC)).timestamp()
            if opened == start:
                break
            start = _earliest(opened, it.person.id, taken, pb, personal)
        tz = it.start.tzinfo
        moved = datetime.fromtimestamp(start, tz)
        it.start, it.end = cal.working_window(moved, datetime.fromtimestamp(start + length, tz))
        taken.append((start, it.person.id))


def _earliest(
    start: float, person: str, taken: list[Touch], pb: Playbook, personal: Sequence[Touch] = ()
) -> float:
    """The earliest moment >= start that keeps every guardrail. Forbidden moments form
    intervals that close at some touch + gap or touch + window, so the answer is ``start`` or
    one of those points: try them in order."""
    if allowed(start, person, taken, pb, personal):
        return start
    gap = pb.person_gap_days * DAY_S
    window = pb.opportunity_window_days * DAY_S
    candidates = {t + gap for t, p in [*taken, *personal] if p == person}
    candidates.update(t + window for t, _ in taken)
    for c in sorted(x for x in candidates if x > start):
        if allowed(c, person, taken, pb, personal):
            return c
    return start  # unreachable: past every touch + window all rules hold


def allowed(
    moment: float, person: str, taken: list[Touch], pb: Playbook, personal: Sequence[Touch] = ()
) -> bool:
    """Would a proactive touch to ``person`` at ``moment`` (epoch seconds) keep every
    guardrail? ``personal``: touches that count for the gap to their person only."""
    gap = pb.person_gap_days * DAY_S
    window = pb.opportunity_window_days * DAY_S
    if any(p == person and abs(t - moment) < gap for t, p in [*taken, *personal]):
        return False
    near = sorted([moment, *(t for t, _ in taken if abs(t - moment) < window)])
    limit = pb.opportunity_max_touches
    # any `limit + 1` touches within one window, the new one among them, break the rule
    for k in range(len(near) - limit):
        run = near[k : k + limit + 1]
        if run[-1] - run[0] < window and run[0] <= moment <= run[-1]:
            return False
    return True
