"""The detail view of one opportunity (`followup opportunity show`), drawn with Rich.

Every piece of user text goes through ``escape``: a note that reads "[bold]" or "[/]" is shown
as written, never interpreted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING

from followup.cli.output import escape, table
from followup.core.model import Action, Interview, Opportunity
from followup.render import format_when, shown_moment

if TYPE_CHECKING:
    from rich.console import Console


def when_text(value: date | datetime | None, tz: tzinfo) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_when(value, tz, with_date=True)
    return value.isoformat()


def show_opportunity(out: Console, opp: Opportunity, actions: Sequence[Action], tz: tzinfo) -> None:
    out.print(
        f"[bold]{escape(opp.company)} — {escape(opp.role)}[/bold]  [dim]({escape(opp.id)})[/dim]"
    )
    facts = [f"status: {opp.status}"]
    if opp.rank is not None:
        facts.append(f"rank: {opp.rank}")
    if opp.applied is not None:
        facts.append(f"applied: {opp.applied.isoformat()}")
    if opp.source:
        facts.append(f"source: {escape(opp.source)}")
    out.print("  ".join(facts))
    if opp.url:
        out.print(escape(opp.url))
    if opp.decision is not None:
        expected = when_text(opp.decision.expected_by, tz)
        line = f"decision expected by {expected}" if expected else "decision"
        if opp.decision.process:
            line += f": {escape(opp.decision.process)}"
        out.print(line)
    _people(out, opp)
    for interview in opp.interviews:
        _interview(out, opp, interview, tz)
    _touches(out, opp, tz)
    if opp.offers:
        grid = table("offer", "received", "expires", "your answer", title="Offers")
        for offer in opp.offers:
            answer = "held"
            if offer.decision is not None:
                answer = f"{offer.decision} {when_text(offer.decided, tz)}".rstrip()
            grid.add_row(
                escape(offer.id),
                when_text(offer.received, tz),
                when_text(offer.expires, tz),
                answer,
            )
        out.print()
        out.print(grid)
    out.print()
    if not actions:
        out.print("[bold]Plan[/bold]: nothing pending.")
        return
    grid = table("when", "status", "action", "why", title="Plan")
    for action in actions:
        grid.add_row(
            format_when(shown_moment(action), tz, with_date=True),
            action.status,
            f"[dim]{escape(action.id)}[/dim]",
            escape(action.reason),
        )
    out.print(grid)


def _people(out: Console, opp: Opportunity) -> None:
    if not opp.people:
        out.print(f"\nNo people yet: `followup person add {escape(opp.id)}`.")
        return
    grid = table("id", "name", "role", "vote", "email", "phone", "time zone", title="People")
    for p in opp.people:
        vote = ("yes" if p.has_vote else "no") + (", key" if p.key else "")
        grid.add_row(
            escape(p.id),
            escape(p.name),
            p.role,
            vote,
            escape(p.email),
            escape(p.phone),
            escape(p.timezone),
        )
    out.print()
    out.print(grid)


def _interview(out: Console, opp: Opportunity, i: Interview, tz: tzinfo) -> None:
    names = ", ".join(escape(_name(opp, pid)) for pid in i.with_)
    kind = f", {escape(i.kind)}" if i.kind else ""
    out.print()
    out.print(
        f"[bold]Interview {escape(i.id)}[/bold]: {format_when(i.at, tz, with_date=True)} "
        f"({i.duration_minutes} min{kind}) with {names}"
    )
    for pid, note in i.notes.items():
        out.print(f"  {escape(_name(opp, pid))}: {escape(note)}")
    if i.next_step is not None:
        step = i.next_step
        who = f" ({escape(_name(opp, step.who))})" if step.who else ""
        out.print(f"  next step: {escape(step.what)} — {when_text(step.when, tz)}{who}")


def _touches(out: Console, opp: Opportunity, tz: tzinfo) -> None:
    if not opp.touches:
        return
    grid = table("id", "when", "", "person", "channel", "kind", "summary", title="Touches")
    for t in opp.touches:
        summary = escape(t.summary)
        if t.states_date is not None:
            summary += f" [dim](named {when_text(t.states_date, tz)})[/dim]"
        if t.outcome is not None:
            summary += f" [bold](outcome: {t.outcome})[/bold]"
        grid.add_row(
            escape(t.id),
            format_when(t.at, tz, with_date=True),
            "→" if t.direction == "out" else "←",
            escape(_name(opp, t.person)),
            t.channel,
            escape(t.kind),
            summary,
        )
    out.print()
    out.print(grid)


def _name(opp: Opportunity, person_id: str | None) -> str:
    person = opp.person(person_id) if person_id else None
    return person.name if person is not None else (person_id or "")
