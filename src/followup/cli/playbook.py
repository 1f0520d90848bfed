"""`followup playbook`: the settings the planner follows, and where to change them."""

from __future__ import annotations

import click

from followup.cli.app import get_app
from followup.cli.output import console, echo_json, table
from followup.core.playbook import settings


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the settings as JSON.")
def playbook(as_json: bool) -> None:
    """Show the playbook settings in effect.

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
    """
    app = get_app()
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
