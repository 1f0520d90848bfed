"""`followup import FILE`, `followup export [FILE]` and `followup demo`."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from followup.cli.app import get_app
from followup.cli.params import read_text
from followup.core.interchange import VERSION, VERSIONS
from followup.core.model import Facts
from followup.core.words import count
from followup.errors import UsageError
from followup.files import write_atomically
from followup.services import documents

if TYPE_CHECKING:
    from followup.services import csv_import

_T = TypeVar("_T")
#: Files above this size show a progress display while they import (in a terminal).
BIG_FILE = 1_000_000
#: CSV imports of more rows than this show a progress bar (in a terminal).
PROGRESS_ROWS = 200


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path, allow_dash=True))
@click.option("--force", is_flag=True, help="Replace the opportunities already stored.")
@click.option(
    "--from",
    "tracker",
    type=click.Choice(["huntr", "teal", "jobsync", "csv"]),
    help="Read FILE as that tracker's CSV export (csv: any CSV) and ADD its opportunities.",
)
@click.option(
    "--map",
    "mapping",
    metavar="FIELD=COLUMN,...",
    help="With --from: the CSV columns to read (fields: company, role, applied, status, url, "
    "source, rank, excitement, id).",
)
@click.option(
    "--statuses",
    metavar="WORD=STATUS,...",
    help="With --from: what the file's status words mean (active, offer, accepted, rejected, "
    "withdrawn, closed, or skip).",
)
@click.option(
    "--date-format",
    metavar="FORMAT",
    help="With --from: how the file writes dates, in strftime codes (e.g. %d/%m/%Y).",
)
@click.option(
    "--skip-bad", is_flag=True, help="With --from: leave out the rows that cannot be read."
)
@click.option(
    "--dry-run", is_flag=True, help="With --from: show what would be added; write nothing."
)
@click.option("--yes", is_flag=True, help="With --from: do not ask before adding.")
def import_(
    file: Path,
    force: bool,
    tracker: str | None,
    mapping: str | None,
    statuses: str | None,
    date_format: str | None,
    skip_bad: bool,
    dry_run: bool,
    yes: bool,
) -> None:
    """Replace your facts with a JSON document, or add from another tracker's CSV.

    The document (the format `followup export` writes, see docs/json.md) is checked completely
    first: every problem is listed with its place, and nothing is written unless it is valid.
    Use - to read standard input.

    With --from, FILE is instead a CSV export of another tracker (Huntr, Teal, JobSync) or any
    spreadsheet (csv, with --map naming its columns), and its opportunities are ADDED to what
    is stored. What will be added and what is left out, and why (not applied to yet, recorded
    already), is shown first; rows that cannot be read are listed by line number and nothing
    is written unless --skip-bad. In a terminal it asks before adding, unless --yes. All of it
    is added in one go, or nothing. See docs/csv.md.

    \b
    Examples:
      followup import backup.json
      followup import --force backup.json
      followup import --from huntr huntr-export.csv --dry-run
      followup import --from csv jobs.csv --map 'company=Employer,role=Title,applied=Applied on'
    """
    csv_options = {
        "--map": mapping,
        "--statuses": statuses,
        "--date-format": date_format,
        "--skip-bad": skip_bad,
        "--dry-run": dry_run,
        "--yes": yes,
    }
    if tracker is not None:
        if force:
            raise UsageError(
                "--force is for a JSON document: --from adds to what is stored, replacing nothing"
            )
        _import_csv(file, tracker, mapping, statuses, date_format, skip_bad, dry_run, yes)
        return
    given = [name for name, value in csv_options.items() if value]
    if given:
        raise UsageError(f"{given[0]} goes with --from (a CSV file)")
    if file.suffix.lower() == ".csv":
        raise UsageError(
            f"{file} looks like a CSV file; import reads a JSON document",
            hint="give --from huntr|teal|jobsync|csv to add its opportunities (docs/csv.md)",
        )
    app = get_app()
    source = "standard input" if str(file) == "-" else str(file)
    big = str(file) != "-" and file.is_file() and file.stat().st_size > BIG_FILE
    with _steps(big and sys.stdout.isatty()) as step:
        obj = step("Reading", lambda: documents.read_json(read_text(file, source), source))
        facts = step("Checking", lambda: documents.parse(obj, source))
        step(
            "Writing",
            lambda: documents.replace_all(app.workspace, facts, now=app.now(), force=force),
        )
        step("Planning", app.agenda)  # plans what the import left stale (another playbook)
    click.echo(f"Imported {_counts(facts)}.")
    click.echo("Next: `followup today`")


def _import_csv(
    file: Path,
    tracker: str,
    mapping: str | None,
    statuses: str | None,
    date_format: str | None,
    skip_bad: bool,
    dry_run: bool,
    yes: bool,
) -> None:
    """`followup import --from TRACKER FILE`: preview, ask, then add in one unit of work."""
    from followup.services import csv_import

    app = get_app()
    source = "standard input" if str(file) == "-" else str(file)
    parsed = csv_import.read_csv(
        csv_import.decode(_read_bytes(file, source), source),
        source,
        tracker,
        mapping=csv_import.parse_map(mapping),
        statuses=csv_import.parse_statuses(statuses),
        date_format=date_format,
    )
    plan = csv_import.preview(app.workspace, parsed)
    _show_plan(plan, skip_bad)
    if not skip_bad:
        csv_import.refuse_bad(parsed)
    if dry_run:
        click.echo("Dry run: nothing was written.")
        return
    if not plan.new:
        click.echo("Nothing to import.")
        return
    asked = f"Add {count(len(plan.new), 'opportunity')}?"
    if app.interactive and not yes and not click.confirm(asked, default=True):
        click.echo("Nothing was imported.")
        return
    advance, stop = _row_progress()
    try:
        done = csv_import.import_rows(
            app.workspace, parsed, now=app.now(), skip_bad=skip_bad, progress=advance
        )
    finally:
        stop()
    click.echo(f"Imported {count(len(done.new), 'opportunity')} from {source}.")
    click.echo("Next: `followup opportunity list`, then add the people you met.")


def _show_plan(plan: csv_import.Plan, skip_bad: bool) -> None:
    from followup.render import visible

    parsed = plan.parsed
    delimiter = {",": "comma", ";": "semicolon", "\t": "tab"}[parsed.delimiter]
    lines = [f"{parsed.source}: {parsed.tracker}, {delimiter}-separated."]
    if plan.new:
        lines.append(f"Will add {count(len(plan.new), 'opportunity')}:")
        for line, opp in plan.new:
            applied = f", applied {opp.applied.isoformat()}" if opp.applied else ""
            rank = f", rank {opp.rank}" if opp.rank else ""
            lines.append(
                f"  line {line}: {opp.id}  {opp.company} — {opp.role} ({opp.status}{applied}{rank})"
            )
    if plan.skipped:
        lines.append(f"Will skip {count(len(plan.skipped), 'row')}:")
        lines += [f"  line {s.line}: {s.what}: {s.reason}" for s in plan.skipped]
    if plan.bad and skip_bad:
        lines.append(f"Will leave out {count(len(plan.bad), 'row')} that cannot be read:")
        lines += [f"  {b}" for b in plan.bad]
    if parsed.unused:
        lines.append(f"Columns not read: {', '.join(parsed.unused)}")
    click.echo(visible("\n".join(lines)))


def _row_progress() -> tuple[Callable[[int, int], None], Callable[[], None]]:
    """A progress bar on stderr for an import of many rows, in a terminal."""
    if not sys.stderr.isatty():
        return (lambda _done, _total: None), (lambda: None)
    from followup.cli.output import progress_bar

    return progress_bar("Importing", PROGRESS_ROWS)


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
@click.option(
    "--csv",
    "as_csv",
    is_flag=True,
    help="Write a CSV table instead: one row per opportunity, with its stages (docs/csv.md).",
)
def export(file: Path | None, version: str, as_csv: bool) -> None:
    """Write all data as a JSON document.

    Prints to standard output when no FILE is given. A file is written whole or not at all
    (a temporary file renamed into place). Export, import and export again give the same bytes.

    With --csv it writes a table for spreadsheets instead: one row per opportunity (its
    fields, how many people and interviews, the last touch, the next action, and its stages),
    which `followup import --from csv` reads back. A CSV file starts with a byte-order mark,
    so that spreadsheets read it as UTF-8.

    \b
    Examples:
      followup export > backup.json
      followup export backup.json
      followup export --version 1 old-followup.json
      followup export --csv opportunities.csv
    """
    app = get_app()
    if as_csv:
        from followup.services.csv_export import export_csv

        table = export_csv(app.workspace, app.now())
        if file is None or str(file) == "-":
            click.echo(table, nl=False)
            return
        write_atomically(file, "\ufeff" + table)
        click.echo(f"Exported to {file}.", err=True)
        return
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


def _read_bytes(file: Path, source: str) -> bytes:
    try:
        if str(file) == "-":
            return sys.stdin.buffer.read()
        return file.read_bytes()
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
