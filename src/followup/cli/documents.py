"""`followup import FILE`, `followup export [FILE]` and `followup demo`."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import click

from followup.cli.app import get_app
from followup.core.interchange import VERSION, VERSIONS
from followup.core.model import Facts
from followup.core.words import count
from followup.errors import UsageError
from followup.files import write_atomically
from followup.services import documents

_T = TypeVar("_T")
#: Files above this size show a progress display while they import (in a terminal).
BIG_FILE = 1_000_000


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path, allow_dash=True))
@click.option("--force", is_flag=True, help="Replace the opportunities already stored.")
def import_(file: Path, force: bool) -> None:
    """Replace all data with a JSON document.

    The document (the format `followup export` writes, see docs/json.md) is checked completely
    first: every problem is listed with its place, and nothing is written unless it is valid.
    Use - to read standard input.

    \b
    Examples:
      followup import backup.json
      followup import --force backup.json
    """
    app = get_app()
    source = "standard input" if str(file) == "-" else str(file)
    big = str(file) != "-" and file.is_file() and file.stat().st_size > BIG_FILE
    with _steps(big and sys.stdout.isatty()) as step:
        obj = step("Reading", lambda: documents.read_json(_read(file, source), source))
        facts = step("Checking", lambda: documents.parse(obj, source))
        step(
            "Writing",
            lambda: documents.replace_all(app.workspace, facts, now=app.now(), force=force),
        )
        step("Planning", app.agenda)  # plans what the import left stale (another playbook)
    click.echo(f"Imported {_counts(facts)}.")
    click.echo("Next: `followup today`")


@click.command()
@click.argument(
    "file", required=False, type=click.Path(dir_okay=False, path_type=Path, allow_dash=True)
)
@click.option(
    "--version",
    "version",
    type=click.Choice([str(v) for v in VERSIONS]),
    default=str(VERSION),
    show_default=True,
    help="Format version to write; 1 is for older followup (it leaves out which action a "
    "touch completed).",
)
def export(file: Path | None, version: str) -> None:
    """Write all data as a JSON document.

    Prints to standard output when no FILE is given. A file is written whole or not at all
    (a temporary file renamed into place). Export, import and export again give the same bytes.

    \b
    Examples:
      followup export > backup.json
      followup export backup.json
      followup export --version 1 old-followup.json
    """
    app = get_app()
    text = documents.dumps(documents.export_document(app.workspace, int(version)))
    if file is None or str(file) == "-":
        click.echo(text, nl=False)
        return
    write_atomically(file, text)
    click.echo(f"Exported to {file}.", err=True)


@click.command()
@click.option("--force", is_flag=True, help="Replace the opportunities already stored.")
@click.option(
    "--timezone",
    default="America/New_York",
    show_default=True,
    help="The demo candidate's time zone.",
)
def demo(force: bool, timezone: str) -> None:
    """Load a realistic sample job search.

    Three companies, several interviewers with their own notes, a logged thank-you, a reply
    naming a date, and a competing offer, all dated around today, so the plan looks live; and
    a short reading list to suggest articles from.

    \b
    Example:
      followup demo && followup today
    """
    from followup.services.checks import Checker

    c = Checker()
    c.zone(timezone, "--timezone")
    c.done()
    app = get_app()
    facts = documents.load_demo(app.workspace, app.now(), timezone, force=force)
    from followup.services import articles

    # a reading list that fits the demo's conversations, so value-add actions have suggestions
    reading = articles.import_feeds(app.workspace, [articles.sample_feed()], app.now())
    app.agenda()
    click.echo(f"Loaded the demo: {_counts(facts)}, and {count(reading.read, 'article')} to share.")
    click.echo("Now run `followup today` to see what to do.")


def _read(file: Path, source: str) -> str:
    try:
        if str(file) == "-":
            return sys.stdin.read()
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{source} is not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror or exc}") from exc


@contextmanager
def _steps(show: bool) -> Iterator[Callable[[str, Callable[[], _T]], _T]]:
    """Run named steps, with a Rich progress display when ``show`` (big files in a terminal)."""
    if not show:
        yield lambda _name, work: work()
        return
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task("Importing", total=4)

        def step(name: str, work: Callable[[], _T]) -> _T:
            progress.update(task, description=name)
            result = work()
            progress.advance(task)
            return result

        yield step


def _counts(facts: Facts) -> str:
    opps = facts.opportunities
    people = sum(len(o.people) for o in opps)
    interviews = sum(len(o.interviews) for o in opps)
    touches = sum(len(o.touches) for o in opps)
    return ", ".join(
        (
            count(len(opps), "opportunity"),
            count(people, "person"),
            count(interviews, "interview"),
            count(touches, "touch"),
        )
    )
