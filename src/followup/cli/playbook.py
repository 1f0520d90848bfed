"""`followup playbook`: the settings the planner follows, and where to change them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from followup.cli.app import get_app
from followup.cli.output import console, echo_json, table
from followup.core.playbook import settings

if TYPE_CHECKING:
    from followup.core.playbook import Playbook


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the settings as JSON.")
@click.option(
    "--set",
    "changes",
    multiple=True,
    metavar="NAME=VALUE",
    help="Change a setting (repeatable; lists comma-separated); all are checked, then saved.",
)
def playbook(as_json: bool, changes: tuple[str, ...]) -> None:
    """Show or change the playbook settings.

    Every number the planner uses, with its default and meaning. Change one in the [playbook]
    table of config.toml in your config folder (path printed below), e.g.

    \b
      [playbook]
      thank_you_hours = 12
      cycle_channels = ["email", "linkedin"]

    \b
    Examples:
      followup playbook
      followup playbook --json
      followup playbook --set thank_you_hours=12 --set cycle_channels=email,linkedin
    """
    app = get_app()
    if changes:
        _save(app.config.config_file, app.playbook.playbook, changes)
        app.__dict__.pop("playbook", None)  # read the saved file again
    rows = settings(app.playbook.playbook)
    path = str(app.config.config_file)
    if as_json:
        echo_json(
            {
                "config_file": path,
                "settings": [
                    {"name": n, "value": _plain(v), "default": _plain(d), "help": h}
                    for n, v, d, h in rows
                ],
            }
        )
        return
    grid = table("setting", "value", "default", "meaning")
    for name, value, default, help_text in rows:
        shown = _text(value) if value == default else f"[bold]{_text(value)}[/bold]"
        grid.add_row(name, shown, _text(default), help_text)
    out = console()
    out.print(grid)
    out.print(f"\nSettings file: {path}")


def _plain(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def _text(value: object) -> str:
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _save(config_file: Path, current: Playbook, changes: tuple[str, ...]) -> None:
    """Keep the settings already in effect, apply ``changes``, check them all, then save."""
    from followup.errors import UsageError
    from followup.services.settings import save_playbook

    texts = {name: _text(value) for name, value, _, _ in settings(current)}
    for change in changes:
        name, eq, value = change.partition("=")
        if not eq or not name.strip():
            raise UsageError(f"--set {change!r}: write NAME=VALUE, e.g. thank_you_hours=12")
        texts[name.strip()] = value
    save_playbook(config_file, texts)
    click.echo(f"Saved to {config_file}.", err=True)
