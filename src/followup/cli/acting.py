"""`followup done|skip|snooze|unskip ACTION_ID`: acting on the plan.

Action ids come from `followup today` / `followup plan` (and their --json).
"""

from __future__ import annotations

from datetime import date, datetime

import click

from followup.cli.app import get_app
from followup.cli.params import WhenType, ask, localize
from followup.render import format_when
from followup.services import acting


@click.command()
@click.argument("action_id")
@click.option("--note", help="What you said or sent (kept as the touch's summary).")
@click.option(
    "--at",
    type=WhenType(),
    help="When you did it (default: now; a time without offset is in your time zone).",
)
def done(action_id: str, note: str | None, at: date | datetime | None) -> None:
    """Mark an action done (logs the matching touch).

    Logs the outbound touch that completes the action (e.g. a thank-you e-mail to that
    person), so the plan moves on.

    \b
    Examples:
      followup done thank-you:acme:dana:i1
      followup done phone-call:acme:sam:i1 --note "Sam: decision by Friday"
    """
    app = get_app()
    tz = app.profile_tz()
    now = localize(at, tz) if at is not None else app.now()
    touch = acting.done(app.workspace, action_id, now, note)
    click.echo(
        f"Done: {touch.summary} (touch {touch.id}, {format_when(touch.at, tz, with_date=True)}). "
        f"`followup undone {action_id}` takes it back."
    )


@click.command()
@click.argument("action_id")
def skip(action_id: str) -> None:
    """Skip an action for good.

    A skipped action stays skipped when the plan is recomputed; `followup unskip` undoes it.

    \b
    Example:
      followup skip value-add:acme:sam:i1
    """
    app = get_app()
    action = acting.skip(app.workspace, action_id, app.now())
    click.echo(f"Skipped {action.id}: {action.reason}")


@click.command()
@click.argument("action_id")
def reopen(action_id: str) -> None:
    """Do a missed action anyway: open its window again from now.

    Its window keeps its length and the contact's business hours; `followup skip` lets it go.

    \b
    Example:
      followup reopen value-add:acme:dana:i1
    """
    app = get_app()
    now = app.now()
    action = acting.reopen(app.workspace, action_id, now)
    click.echo(f"Reopened {action.id}: {action.verb or action.rule}, from now.")


@click.command()
@click.argument("action_id")
@click.option(
    "--until",
    type=WhenType(),
    help="When to bring it back (a date means its midnight, in your time zone).",
)
def snooze(action_id: str, until: date | datetime | None) -> None:
    """Put an action off until a later moment.

    Its window opens again at --until, keeping its length; the guardrails still apply.

    \b
    Examples:
      followup snooze cycle:acme:dana:3 --until 2026-11-10
      followup snooze phone-call:acme:sam:i1 --until 2026-11-04T09:30
    """
    app = get_app()
    when = ask(
        until,
        "--until",
        "Snooze until (e.g. 2026-11-10 or 2026-11-10T09:00)",
        interactive=app.interactive,
        type=WhenType(),
    )
    tz = app.profile_tz()
    moment = localize(when, tz)
    action = acting.snooze(app.workspace, action_id, moment, app.now())
    click.echo(f"Snoozed {action.id} until {format_when(moment, tz, with_date=True)}.")


@click.command()
@click.argument("action_id")
def unskip(action_id: str) -> None:
    """Undo a skip or a snooze.

    \b
    Example:
      followup unskip value-add:acme:sam:i1
    """
    app = get_app()
    action = acting.unskip(app.workspace, action_id, app.now())
    click.echo(f"Back in the plan: {action.id}")
