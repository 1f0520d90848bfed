"""`followup calendar export|token`: the plan in the user's calendar app."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from followup.cli.app import get_app
from followup.core.words import count
from followup.errors import UsageError

_BASE_URL_HELP = "The address your calendar app reaches `followup serve` at."
_DEFAULT_BASE = "http://127.0.0.1:8000"


@click.group()
def calendar() -> None:
    """Your follow-ups in your calendar app.

    A file to import (`export`), or a live feed to subscribe to (`token new`, then
    `followup serve`).

    \b
    Examples:
      followup calendar export followups.ics
      followup calendar token new
    """


@calendar.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
def export(file: Path | None) -> None:
    """Write the pending actions as an iCalendar file (standard output without FILE).

    Each action is one event, identified by the action's id: importing the file again updates
    the events instead of duplicating them.

    \b
    Examples:
      followup calendar export followups.ics
      followup calendar export > followups.ics
    """
    from followup.services.calendar import export_calendar

    app = get_app()
    data = export_calendar(app.workspace, app.now(), app.config.config_dir)
    if file is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    tmp = file.with_name(file.name + ".part")
    try:
        tmp.write_bytes(data)
        tmp.replace(file)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UsageError(f"cannot write {file}: {exc.strerror or exc}") from exc
    events = data.count(b"BEGIN:VEVENT")
    click.echo(f"Wrote {count(events, 'follow-up')} to {file}.")


@calendar.group()
def token() -> None:
    """The secret address of the live feed (`followup serve` answers it)."""


def _show(token_value: str, base_url: str) -> None:
    from followup.services.calendar import feed_path

    click.echo(base_url.rstrip("/") + feed_path(token_value))


@token.command("new")
@click.option("--base-url", default=_DEFAULT_BASE, show_default=True, help=_BASE_URL_HELP)
def token_new(base_url: str) -> None:
    """Make a new feed address (the old one stops working) and print it.

    \b
    Example:
      followup calendar token new --base-url https://followup.example.com
    """
    from followup.services.calendar import new_token

    app = get_app()
    _show(new_token(app.workspace, app.now()), base_url)


@token.command("show")
@click.option("--base-url", default=_DEFAULT_BASE, show_default=True, help=_BASE_URL_HELP)
def token_show(base_url: str) -> None:
    """Print the feed address to subscribe to.

    \b
    Example:
      followup calendar token show
    """
    from followup.services.calendar import current_token

    _show(current_token(get_app().workspace), base_url)


@token.command("revoke")
def token_revoke() -> None:
    """Close the feed: its address answers 404 from now on.

    \b
    Example:
      followup calendar token revoke
    """
    from followup.services.calendar import revoke_token

    app = get_app()
    revoke_token(app.workspace, app.now())
    click.echo("The calendar feed is closed; `followup calendar token new` opens a new one.")
