"""`followup undo`, `followup redo` and `followup history`: the undo journal."""

from __future__ import annotations

import json
import sys

import click

from followup.cli.app import get_app
from followup.services import history as journal


@click.command()
def undo() -> None:
    """Undo the last change (run it again for the one before).

    Every change to your data is journalled: an added touch, a done or skipped action, an
    import. Undo puts back what that change replaced; ids stay the same, so skips and
    snoozes of the plan's actions stay too. `followup redo` makes it again.

    \b
    Examples:
      followup undo
      followup history     # what undo would revert, newest first
    """
    entry = journal.undo(get_app().workspace)
    click.echo(f"Undid #{entry.seq}: {entry.label}")
    for line in entry.lines:
        click.echo(f"  {line}")


@click.command()
def redo() -> None:
    """Make again the change you undid last (until you change something else).

    \b
    Example:
      followup undo && followup redo     # back where you were
    """
    entry = journal.redo(get_app().workspace)
    click.echo(f"Redid #{entry.seq}: {entry.label}")
    for line in entry.lines:
        click.echo(f"  {line}")


@click.command()
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="A JSON list, for scripts.")
def history(limit: int, as_json: bool) -> None:
    """The last changes to your data, newest first, with what each changed.

    \b
    Examples:
      followup history --limit 5
      followup history --json
    """
    app = get_app()
    entries = journal.history(app.workspace, limit)
    tz = app.profile_tz()
    if as_json:
        items = [
            {
                "seq": e.seq,
                "at": e.at.astimezone(tz).isoformat(),
                "command": e.label,
                "changed": e.lines,
                "undone": e.undone,
            }
            for e in entries
        ]
        sys.stdout.write(json.dumps(items, indent=2, ensure_ascii=False) + "\n")
        return
    if not entries:
        click.echo("No changes yet: what you record shows here, and `followup undo` reverts it.")
        return
    from followup.render import format_when

    for e in entries:
        mark = "  (undone)" if e.undone else ""
        click.echo(f"#{e.seq}  {format_when(e.at, tz, with_date=True)}  {e.label}{mark}")
        for line in e.lines:
            click.echo(f"      {line}")
