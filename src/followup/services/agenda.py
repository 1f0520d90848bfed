"""The plan compiled for display at any ``now``: what the plan cache holds.

The planner's ``Schedule`` separates the clock-free work from ``at(now)``, but a plan of a
thousand opportunities has tens of thousands of actions, and decoding them all (let alone
building them as objects) takes longer than `followup today` may take in total. An ``Agenda``
keeps:

- the windows of every action as two arrays of POSIX seconds, ordered by window end (then id),
  and one status letter per action (done, skipped, snoozed, or open);
- the text of each action (pre-formatted times, id, reason, ...), zlib-compressed in chunks.

`followup today` finds its groups by comparing numbers (overdue actions are a prefix of the
order) and decompresses only the chunks of the lines it shows. ``at(now)`` builds every
``Action`` for the JSON output, `followup plan` and the commands that act on one action.

It is compiled from the planner's public API (``schedule.at``), and a test checks that
``Agenda.at(now)`` equals ``Schedule.at(now)`` for many moments. Statuses follow the planner's
rule: done, then skipped, then snoozed (until its moment), then upcoming, due or overdue by the
window ``[start, end)``. The candidate's weekly ``keep-searching`` action depends on the week
of ``now``: it is compiled for the weeks around the moment of compiling (see ``covers``).
"""

from __future__ import annotations

import json
import zlib
from array import array
from base64 import b64decode, b64encode
from bisect import bisect_right
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Final, NamedTuple

if TYPE_CHECKING:
    from followup.core.model import Action, ActionStatus, Facts
    from followup.core.planner import Schedule
    from followup.core.playbook import Playbook

#: Bump when the layout below changes.
FORMAT: Final = 3
HORIZON_SECONDS: Final = 7 * 24 * 3600
#: Weeks of keep-searching actions compiled before and after the moment of compiling.
WEEKS_BEFORE: Final = 8
WEEKS_AFTER: Final = 52
CHUNK: Final = 256
#: Status letters: done, skipped, snoozed (until a moment), open. The weekly keep-searching
#: actions use the capitals: they exist only while ``now`` is inside their window.
DONE, SKIPPED, SNOOZED, OPEN = "d", "s", "z", "-"
_DECIDED: Final = frozenset("szSZ")

#: (when, action id, reason): one line of `followup today`
TodayLine = tuple[str, str, str]
# The text of one action, tab-separated (tabs, newlines and backslashes escaped):
#   when_start when_end id reason rule opportunity person channel done_at snoozed_until


class Group(NamedTuple):
    """One group of `followup today`: the lines shown and how many there are in all."""

    lines: list[TodayLine]
    total: int


class Agenda:
    """A compiled plan (see the module docstring). A plain class: `followup today` does not
    import ``dataclasses``."""

    __slots__ = (
        "_texts",
        "chunks",
        "coverage",
        "ends",
        "opportunities",
        "starts",
        "states",
        "timezone",
        "untils",
    )

    def __init__(
        self,
        *,
        timezone: str,
        opportunities: dict[str, str],
        coverage: tuple[float, float],
        starts: array[float],
        ends: array[float],
        states: str,
        untils: dict[int, float],
        chunks: list[str],
    ) -> None:
        self.timezone = timezone
        #: opportunity id -> "Company — Role", in stored order
        self.opportunities = opportunities
        #: the moments [first, last) for which the weekly action is compiled
        self.coverage = coverage
        self.starts = starts
        self.ends = ends
        self.states = states
        #: row -> the moment its snooze ends
        self.untils = untils
        self.chunks = chunks
        self._texts: dict[int, list[str]] = {}

    @property
    def tz(self) -> tzinfo:
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.timezone)

    def covers(self, now: datetime) -> bool:
        return self.coverage[0] <= now.timestamp() < self.coverage[1]

    # -- statuses ----------------------------------------------------------------------------

    def _open(self, i: int, t: float) -> bool:
        """Whether row ``i`` exists at ``t`` and is neither done, skipped nor snoozed."""
        state = self.states[i]
        if state == OPEN:
            return True
        if state.isupper() and not self.starts[i] <= t < self.ends[i]:
            return False
        return state in "-W" or (state in "zZ" and t >= self.untils[i])

    def _exists(self, i: int, t: float) -> bool:
        """Whether row ``i`` is part of the plan at ``t`` (a weekly action only in its week)."""
        return not self.states[i].isupper() or self.starts[i] <= t < self.ends[i]

    def _text(self, i: int) -> list[str]:
        chunk = self._texts.get(i // CHUNK)
        if chunk is None:
            data = zlib.decompress(b64decode(self.chunks[i // CHUNK]))
            chunk = self._texts[i // CHUNK] = data.decode().split("\n")
        return chunk[i % CHUNK].split("\t")

    # -- `followup today` ------------------------------------------------------------------------

    def today(self, now: datetime, limit: int | None = None) -> list[Group]:
        """Overdue, due now, and opening within 7 days, without building any Action.

        With ``limit``, each group shows at most that many lines: the latest overdue ones, the
        first due and upcoming ones.
        """
        t = now.timestamp()
        horizon = t + HORIZON_SECONDS
        past = bisect_right(self.ends, t)  # rows [0, past) ended by now
        overdue = [i for i in range(past) if self._open(i, t)] if self.untils else None
        due: list[int] = []
        soon: list[tuple[float, int]] = []
        starts = self.starts
        for i in range(past, len(starts)):
            start = starts[i]
            if start <= t:
                if self._open(i, t):
                    due.append(i)
            elif start < horizon and self._open(i, t):
                soon.append((start, i))
        soon.sort()
        if overdue is None:  # no snoozes: count open rows in C, fetch only the lines shown
            total = self.states.count(OPEN, 0, past)
            shown = _last_open(self.states, past, limit if limit is not None else total)
            groups = [(shown, total)]
        else:
            groups = [(overdue[-limit:] if limit else overdue, len(overdue))]
        groups.append((due[:limit] if limit else due, len(due)))
        ordered = [i for _, i in soon]
        groups.append((ordered[:limit] if limit else ordered, len(ordered)))
        return [
            Group([self._line(i, shown_end=n < 2) for i in rows], total)
            for n, (rows, total) in enumerate(groups)
        ]

    def _line(self, i: int, *, shown_end: bool) -> TodayLine:
        f = self._text(i)
        return (f[1] if shown_end else f[0], f[2], _unescape(f[3]))

    # -- actions -----------------------------------------------------------------------------

    def at(self, now: datetime) -> list[Action]:
        """Every action as of ``now``, in the planner's order (window start, then id; the
        weekly action last)."""
        t = now.timestamp()
        tz = self.tz
        rows = [i for i in range(len(self.starts)) if self._exists(i, t)]
        rows.sort(key=lambda i: (self.states[i].isupper(), self.starts[i], self._text(i)[2]))
        return [self._action(i, t, tz) for i in rows]

    def _action(self, i: int, t: float, tz: tzinfo) -> Action:
        from followup.core.model import Action

        f = self._text(i)
        start, end = self.starts[i], self.ends[i]
        return Action(
            id=f[2],
            rule=f[4],
            opportunity=f[5] or None,
            person=f[6] or None,
            channel=f[7] or None,
            window_start=datetime.fromtimestamp(start, tz),
            window_end=datetime.fromtimestamp(end, tz),
            status=_status(t, start, end, self.states[i].lower(), self.untils.get(i)),
            reason=_unescape(f[3]),
            done_at=datetime.fromtimestamp(float(f[8]), tz) if f[8] else None,
            snoozed_until=datetime.fromtimestamp(float(f[9]), tz) if f[9] else None,
        )

    def next_upcoming(self, now: datetime) -> Action | None:
        """The first action still to open (for "Nothing due. Next: ...")."""
        t = now.timestamp()
        ahead = [
            (self.starts[i], self.ends[i], i)
            for i in range(len(self.starts))
            if self.starts[i] > t and self.states[i] in "-z" and self._open(i, t)
        ]
        return self._action(min(ahead)[2], t, self.tz) if ahead else None

    def decided(self, action_id: str) -> bool:
        """Whether the user skipped or snoozed ``action_id`` (a decision is stored for it)."""
        return any(
            state in _DECIDED and self._text(i)[2] == action_id
            for i, state in enumerate(self.states)
        )


def _last_open(states: str, end: int, count: int) -> list[int]:
    """The last ``count`` open rows before ``end``, in order."""
    found: list[int] = []
    i = end
    while len(found) < count:
        i = states.rfind(OPEN, 0, i)
        if i < 0:
            break
        found.append(i)
    found.reverse()
    return found


def _status(t: float, start: float, end: float, state: str, until: float | None) -> ActionStatus:
    from followup.core.model import status_at

    return status_at(
        t,
        start,
        end,
        done=state == DONE,
        skipped=state == SKIPPED,
        snoozed_until=until if state == SNOOZED else None,
    )


# -- compiling ---------------------------------------------------------------------------------


def compile_agenda(facts: Facts, playbook: Playbook, now: datetime) -> Agenda:
    """Plan ``facts`` and compile the result; weekly actions around ``now``."""
    from followup.core.planner import schedule

    labels = {o.id: f"{o.company} — {o.role}" for o in facts.opportunities}
    return compile_schedule(schedule(facts, playbook), labels, now)


def compile_schedule(plan: Schedule, labels: dict[str, str], now: datetime) -> Agenda:
    """Compile a schedule: every action as ``plan.at(now)`` gives it, and the weekly
    keep-searching action of each week around ``now``."""
    from followup.core.timewin import week_start, zone

    tz = zone(plan.timezone)
    rows = [(a, False) for a in plan.at(now) if a.rule != "keep-searching"]
    first = week_start(now, tz) - timedelta(weeks=WEEKS_BEFORE)
    last = week_start(now, tz) + timedelta(weeks=WEEKS_AFTER)
    week = first
    while week < last:
        rows += [(a, True) for a in plan.keep_searching(week + timedelta(hours=12))]
        week = week_start(week + timedelta(days=8), tz)
    rows.sort(key=lambda row: (row[0].window_end, row[0].id))
    states, untils = [], {}
    for i, (a, weekly) in enumerate(rows):
        state, until = _state(a, plan)
        if weekly:
            state = "W" if state == OPEN else state.upper()
        states.append(state)
        if until is not None:
            untils[i] = until
    texts = [_text(a, tz) for a, _ in rows]
    return Agenda(
        timezone=plan.timezone,
        opportunities=labels,
        coverage=(first.timestamp(), last.timestamp()),
        starts=array("d", (a.window_start.timestamp() for a, _ in rows)),
        ends=array("d", (a.window_end.timestamp() for a, _ in rows)),
        states="".join(states),
        untils=untils,
        chunks=[
            b64encode(zlib.compress("\n".join(texts[n : n + CHUNK]).encode())).decode()
            for n in range(0, len(texts), CHUNK)
        ],
    )


def _state(a: Action, plan: Schedule) -> tuple[str, float | None]:
    decision = plan.decisions.get(a.id)
    if a.status == "done":
        return DONE, None
    if decision is not None and decision[0] == "skipped":
        return SKIPPED, None
    if decision is not None and decision[1] is not None:
        return SNOOZED, float(decision[1])
    return OPEN, None


def _text(a: Action, tz: tzinfo) -> str:
    from followup.render import format_when

    fields = (
        format_when(a.window_start, tz),
        format_when(a.window_end, tz),
        a.id,
        _escape(a.reason),
        a.rule,
        a.opportunity or "",
        a.person or "",
        a.channel or "",
        repr(a.done_at.timestamp()) if a.done_at else "",
        repr(a.snoozed_until.timestamp()) if a.snoozed_until else "",
    )
    return "\t".join(fields)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append({"t": "\t", "n": "\n"}.get(text[i + 1], text[i + 1]))
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


# -- the cache payload -------------------------------------------------------------------------


def encode(agenda: Agenda) -> str:
    """A JSON header line, the windows (base64 doubles), the states, then the text chunks."""
    header = {
        "format": FORMAT,
        "timezone": agenda.timezone,
        "coverage": list(agenda.coverage),
        "opportunities": list(agenda.opportunities.items()),
        "untils": [[i, u] for i, u in agenda.untils.items()],
    }
    return "\n".join(
        [
            json.dumps(header, ensure_ascii=False),
            b64encode(agenda.starts.tobytes()).decode(),
            b64encode(agenda.ends.tobytes()).decode(),
            agenda.states,
            *agenda.chunks,
        ]
    )


def decode(payload: str | None) -> Agenda | None:
    """The agenda of a cached payload; None (a cache miss) for anything unreadable."""
    if payload is None:
        return None
    try:
        head, starts, ends, states, *chunks = payload.split("\n")
        header = json.loads(head)
        if header.get("format") != FORMAT:
            return None
        first, last = (float(x) for x in header["coverage"])
        agenda = Agenda(
            timezone=str(header["timezone"]),
            opportunities={str(k): str(v) for k, v in header["opportunities"]},
            coverage=(first, last),
            starts=_doubles(starts),
            ends=_doubles(ends),
            states=states,
            untils={int(i): float(u) for i, u in header["untils"]},
            chunks=chunks,
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if not len(agenda.starts) == len(agenda.ends) == len(agenda.states):
        return None
    return agenda


def _doubles(text: str) -> array[float]:
    values = array("d")
    values.frombytes(b64decode(text))
    return values
