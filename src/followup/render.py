"""Plain-text rendering of action lists: the output of `followup today` and `followup plan`.

Deliberately tiny (no Rich): these two commands run on every glance at the plan and must start
instantly. Colour is plain ANSI, used only when the output is a terminal and ``NO_COLOR`` is unset
(https://no-color.org). Times are shown in the profile's time zone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Final, TypeVar

if TYPE_CHECKING:
    from followup.core.model import Action

T = TypeVar("T")
#: The next-days horizon of `followup today`.
HORIZON: Final = timedelta(days=7)
PENDING: Final = frozenset({"upcoming", "due", "overdue", "missed", "snoozed"})
#: `followup today` shows a missed action, in its own section, for a week after it was missed
MISSED_SHOWN: Final = timedelta(days=7)
NO_OPPORTUNITIES: Final = (
    "No opportunities yet — try `followup demo`, or set your time zone and country "
    "(`followup profile set`) and add one (`followup opportunity add`)."
)

_RESET = "\x1b[0m"
_STYLES: Final = {
    "bold": "\x1b[1m",
    "dim": "\x1b[2m",
    "red": "\x1b[1;31m",
    "yellow": "\x1b[1;33m",
    "cyan": "\x1b[1;36m",
    "magenta": "\x1b[35m",
    "green": "\x1b[32m",
}
_STATUS_STYLE: Final = {
    "overdue": "red",
    "missed": "magenta",
    "replaced": "green",
    "due": "yellow",
    "upcoming": "cyan",
    "snoozed": "dim",
    "skipped": "dim",
    "done": "green",
}
#: Control characters in user or mail text, shown as visible escapes instead of reaching the
#: terminal (ESC[31m recolours it, ESC]0;...BEL retitles its window, CR overwrites a line). Tab
#: and line feed stay; `visible(..., one_line=True)` shows a line feed as \n too.
_CONTROLS: Final = {
    c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0)) if c not in (0x09, 0x0A)
}
_ONE_LINE: Final = {**_CONTROLS, 0x0A: "\\n"}
_DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


def visible(text: str, *, one_line: bool = False) -> str:
    """``text`` (user or mail text) safe to print on a terminal: each control character but
    tab and line feed is shown as an escape (``\\x1b``), and with ``one_line`` a line feed as
    ``\\n``, so a line of a listing stays one line."""
    return text.translate(_ONE_LINE if one_line else _CONTROLS)


def entry(
    when: str, ident: str, reason: str, paint: Painter, width: int | None, lead: str = ""
) -> str:
    """One action. For a pipe, one line (``when  id  reason``: easy to grep). For a terminal
    ``width`` columns wide, the reason wrapped under its time, then the id to act on."""
    ident, reason = visible(ident, one_line=True), visible(reason, one_line=True)
    if width is None:
        return f"  {when:<9}  {lead}{paint(ident, 'dim')}  {reason}"
    import textwrap  # only for a terminal

    indent = " " * 13
    text = textwrap.fill(
        reason,
        width=max(width - 1, 40),
        initial_indent=f"  {when:<9}  ",
        subsequent_indent=indent,
        break_on_hyphens=False,
    )
    return f"{text}\n{indent}{lead}{paint(ident, 'dim')}"


def should_color(isatty: bool, environ: Mapping[str, str]) -> bool:
    """Colour only for a terminal, and never when NO_COLOR is set (to anything, even empty)."""
    return isatty and "NO_COLOR" not in environ


class Painter:
    """Wraps text in ANSI styles, or leaves it alone when colour is off."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, style: str) -> str:
        if not self.color or not text:
            return text
        return f"{_STYLES[style]}{text}{_RESET}"


def format_when(moment: datetime, tz: tzinfo, *, with_date: bool = False) -> str:
    """'Wed 14:00', or 'Wed 12 Nov 14:00' with the date (the same words in every locale)."""
    local = moment.astimezone(tz)
    day = _DAYS[local.weekday()]
    clock = f"{local.hour:02d}:{local.minute:02d}"
    if with_date:
        return f"{day} {local.day} {_MONTHS[local.month - 1]} {clock}"
    return f"{day} {clock}"


def shown_moment(action: Action) -> datetime:
    """The moment that matters for an action: its deadline once due, else when it opens."""
    if action.status in ("done", "replaced") and action.done_at is not None:
        return action.done_at
    if action.status == "snoozed" and action.snoozed_until is not None:
        return action.snoozed_until
    if action.status in ("due", "overdue", "missed"):
        return action.window_end
    return action.window_start


def today_groups(actions: Sequence[Action], now: datetime) -> list[list[Action]]:
    """Overdue and due now (by deadline, then id), what opens within the next 7 days (by
    opening, deadline, then id), snoozed actions that come back by then included, and what was
    missed in the last week (by when it was missed)."""
    horizon, since = now + HORIZON, now - MISSED_SHOWN
    overdue = [a for a in actions if a.status == "overdue"]
    due = [a for a in actions if a.status == "due"]
    # a snoozed action is shown where it comes back: among those opening soon
    soon = [
        a for a in actions if a.status in ("upcoming", "snoozed") and now < a.window_start < horizon
    ]
    missed = [
        a
        for a in actions
        if a.status == "missed" and a.missed_at is not None and a.missed_at > since
    ]
    overdue.sort(key=lambda a: (a.window_end, a.id))
    due.sort(key=lambda a: (a.window_end, a.id))
    soon.sort(key=lambda a: (a.window_start, a.window_end, a.id))
    missed.sort(key=lambda a: (a.missed_at or now, a.id))
    return [overdue, due, soon, missed]


def when_shown(action: Action, group: int, now: datetime, tz: tzinfo) -> str:
    """The moment a line of `followup today` shows: the deadline (overdue, due, missed) or the
    opening (the next days), with its date unless it falls in the current week."""
    moment = action.window_start if group == 2 else action.window_end
    return format_when(moment, tz, with_date=not same_week(moment, now, tz))


def same_week(a: datetime, b: datetime, tz: tzinfo) -> bool:
    return a.astimezone(tz).isocalendar()[:2] == b.astimezone(tz).isocalendar()[:2]


def cap(items: Sequence[T], limit: int | None, *, latest: bool = False) -> list[T]:
    """At most ``limit`` items: the first ones, or the last ones with ``latest``."""
    if not limit or len(items) <= limit:
        return list(items)
    return list(items[-limit:] if latest else items[:limit])


def render_today(
    actions: Sequence[Action],
    now: datetime,
    tz: tzinfo,
    *,
    has_opportunities: bool,
    limit: int | None = None,
    color: bool = False,
) -> str:
    """The text of `followup today` for a list of actions (see ``today_text``)."""
    groups = []
    for n, group in enumerate(today_groups(actions, now)):
        shown = cap(group, limit, latest=n in (0, 3))
        lines = [(when_shown(a, n, now, tz), a.id, a.reason) for a in shown]
        groups.append((lines, len(group)))
    upcoming = [a for a in actions if a.status == "upcoming"]
    later = min(upcoming, key=lambda a: (a.window_start, a.window_end, a.id), default=None)
    return today_text(groups, later, tz, has_opportunities=has_opportunities, color=color)


def today_text(
    groups: Sequence[tuple[Sequence[tuple[str, str, str]], int]],
    later: Action | None,
    tz: tzinfo | None,
    *,
    has_opportunities: bool,
    color: bool = False,
    width: int | None = None,
) -> str:
    """Overdue / Due now / Next 7 days from ((when, id, reason) lines shown, total) per group,
    or a friendly empty state (``later``: the first action still to open). ``width``: the
    terminal's, to wrap each reason (see ``entry``)."""
    paint = Painter(color)
    out: list[str] = []
    for title, style, (lines, total), more in zip(
        _TODAY_TITLES, _TODAY_STYLES, groups, _TODAY_MORE, strict=True
    ):
        if not total:
            continue
        out.append(paint(f"{title} ({total})", style))
        out.extend(entry(when, ident, reason, paint, width) for when, ident, reason in lines)
        if total > len(lines):
            rest = total - len(lines)
            out.append(paint(f"  … and {rest} {more} (`followup plan` lists all)", "dim"))
        if title == "Missed":
            out.append(paint(MISSED_HINT, "dim"))
        out.append("")
    if not has_opportunities:
        out.insert(0, NO_OPPORTUNITIES + ("\n" if out else ""))
    if out:
        return "\n".join(out)
    if later is None or tz is None:
        return "Nothing due.\n"
    when = format_when(later.window_start, tz, with_date=True)
    reason, ident = visible(later.reason, one_line=True), visible(later.id, one_line=True)
    return f"Nothing due. Next: {when}  {reason}  {paint(ident, 'dim')}\n"


_TODAY_MORE: Final = ("older overdue", "more due now", "more this week", "more missed")
_TODAY_TITLES: Final = ("Overdue", "Due now", "Next 7 days", "Missed")
_TODAY_STYLES: Final = ("red", "yellow", "cyan", "magenta")
#: what to do about the missed ones, under their section
MISSED_HINT: Final = (
    "  Did it? `followup done ID`. Still worth doing? `followup reopen ID`. "
    "Let it go: `followup skip ID`."
)


def render_plan(
    actions: Sequence[Action],
    tz: tzinfo,
    labels: Mapping[str, str],
    *,
    color: bool = False,
    width: int | None = None,
) -> str:
    """The text of `followup plan`: actions grouped by opportunity, then your own."""
    paint = Painter(color)
    if not actions:
        return "No actions.\n" if labels else NO_OPPORTUNITIES + "\n"
    by_opportunity: dict[str | None, list[Action]] = {}
    for action in actions:
        by_opportunity.setdefault(action.opportunity, []).append(action)
    order: list[str | None] = [o for o in labels if o in by_opportunity]
    order += [o for o in by_opportunity if o is not None and o not in labels]
    if None in by_opportunity:
        order.append(None)
    out: list[str] = []
    for opportunity in order:
        title = "Your search" if opportunity is None else labels.get(opportunity, opportunity)
        out.append(paint(visible(title, one_line=True), "bold"))
        for action in sorted(by_opportunity[opportunity], key=lambda a: (shown_moment(a), a.id)):
            when = format_when(shown_moment(action), tz, with_date=True)
            status = paint(f"{action.status:<8}", _STATUS_STYLE.get(action.status, "dim"))
            if width is None:
                ident, reason = (
                    visible(action.id, one_line=True),
                    visible(action.reason, one_line=True),
                )
                out.append(f"  {when}  {status}  {paint(ident, 'dim')}  {reason}")
            else:
                out.append(entry(when, action.id, action.reason, paint, width, f"{status}  "))
        out.append("")
    return "\n".join(out)


def action_json(action: Action, tz: tzinfo) -> dict[str, Any]:
    """One action in the stable `--json` shape (see docs/json.md); times in the profile's zone."""
    item: dict[str, Any] = {
        "id": action.id,
        "rule": action.rule,
        "opportunity": action.opportunity,
        "person": action.person,
        "channel": action.channel,
        "window_start": action.window_start.astimezone(tz).isoformat(),
        "window_end": action.window_end.astimezone(tz).isoformat(),
        "status": action.status,
        "reason": action.reason,
    }
    if action.done_at is not None:
        item["done_at"] = action.done_at.astimezone(tz).isoformat()
    if action.status == "snoozed" and action.snoozed_until is not None:  # not once it ended
        item["snoozed_until"] = action.snoozed_until.astimezone(tz).isoformat()
    if action.status == "missed" and action.missed_at is not None:
        item["missed_at"] = action.missed_at.astimezone(tz).isoformat()
    return item
