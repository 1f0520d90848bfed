"""Assertive, never irritating: spacing between proactive touches.

After the post-interview sequence the guardrails hold strictly: at most one proactive touch to
the same person within ``person_gap_days``, and at most ``opportunity_max_touches`` proactive
touches to one opportunity in any ``opportunity_window_days``. Callbacks and counter-offers are
excepted (the employer asked for them, or time is short). Within the sequence, touches to the
same person are spread as far apart as their deadlines allow.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta, tzinfo
from itertools import pairwise

from followup.core.playbook import Playbook
from followup.core.rules import GUARDED_RULES, SEED_RULES, SEQUENCE
from followup.core.timewin import local_midnight
from followup.core.view import Item, OppView

#: a planned or logged proactive touch: (when, in epoch seconds; person id)
Touch = tuple[float, str]
DAY_S = 86400.0
_POSITION = {rule: n for n, rule in enumerate(SEQUENCE)}


def spread_sequence(items: list[Item], home_tz: tzinfo) -> None:
    """Where two pending sequence windows for one person overlap (an article and a call, say),
    split the overlap at a midnight so the two touches land on different days. A call goes
    first and keeps its first business day; otherwise the overlap is halved."""
    by_person: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for it in items:
        if it.rule in SEED_RULES and it.opp and it.person:
            by_person[(it.opp.id, it.person.id)].append(it)
    for group in by_person.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda it: (_POSITION[it.rule], it.start))
        for a, b in pairwise(group):
            lo, hi = max(a.start, b.start), min(a.end, b.end)
            if lo >= hi:
                continue
            if a.rule == "thank-you":  # its 24 hours are never cut: the next touch waits
                if a.end < b.end:
                    b.start = a.end
                continue
            if a.cal is not None and a.is_call:
                opened = a.cal.next_open(lo)
                cut = local_midnight(opened, home_tz) + timedelta(days=1)
            else:
                cut = local_midnight(lo + (hi - lo) / 2 + timedelta(hours=12), home_tz)
            if not lo < cut < hi:
                cut = lo + (hi - lo) / 2
            a.end, b.start = min(a.end, cut), max(b.start, cut)


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
    for it in pending:
        if it.person is None:
            continue
        opens = it.start.timestamp()
        length = it.end.timestamp() - opens
        start = _earliest(opens, it.person.id, taken, pb)
        if it.is_call:
            cal = it.cal or v.calendar(it.person)
            for _ in range(20):  # calls also need business hours; both must hold at once
                opened = cal.next_open(datetime.fromtimestamp(start, UTC)).timestamp()
                if opened == start:
                    break
                start = _earliest(opened, it.person.id, taken, pb)
        tz = it.start.tzinfo
        it.start = datetime.fromtimestamp(start, tz)
        it.end = datetime.fromtimestamp(start + length, tz)
        taken.append((start, it.person.id))


def _earliest(start: float, person: str, taken: list[Touch], pb: Playbook) -> float:
    """The earliest moment >= start that keeps every guardrail. Forbidden moments form
    intervals that close at some touch + gap or touch + window, so the answer is ``start`` or
    one of those points: try them in order."""
    if allowed(start, person, taken, pb):
        return start
    gap = pb.person_gap_days * DAY_S
    window = pb.opportunity_window_days * DAY_S
    candidates = {t + gap for t, p in taken if p == person}
    candidates.update(t + window for t, _ in taken)
    for c in sorted(x for x in candidates if x > start):
        if allowed(c, person, taken, pb):
            return c
    return start  # unreachable: past every touch + window all rules hold


def allowed(moment: float, person: str, taken: list[Touch], pb: Playbook) -> bool:
    """Would a proactive touch to ``person`` at ``moment`` (epoch seconds) keep every
    guardrail?"""
    gap = pb.person_gap_days * DAY_S
    window = pb.opportunity_window_days * DAY_S
    if any(p == person and abs(t - moment) < gap for t, p in taken):
        return False
    near = sorted([moment, *(t for t, _ in taken if abs(t - moment) < window)])
    limit = pb.opportunity_max_touches
    # any `limit + 1` touches within one window, the new one among them, break the rule
    for k in range(len(near) - limit):
        run = near[k : k + limit + 1]
        if run[-1] - run[0] < window and run[0] <= moment <= run[-1]:
            return False
    return True
