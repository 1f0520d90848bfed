"""`followup import --from huntr|teal|jobsync|csv FILE` and `followup export --csv`.

The sample files under fixtures/csv/ are written from the trackers' documented columns (see
``followup.services.csv_import``): huntr.csv, teal.csv, jobsync.csv, generic.csv (a spreadsheet
saved with `;` and a byte-order mark) and broken.csv (a line of each kind that cannot be read).
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from followup.cli.app import App
from followup.cli.root import cli
from followup.services import csv_import
from followup.store.uow import UnitOfWork
from test_cli_support import NOW, Cli

FIXTURES = Path(__file__).parent / "fixtures" / "csv"
GENERIC_MAP = (
    "company=Employer,role=Title,applied=Applied on,status=Stage,url=Link,source=Found via"
)


@pytest.fixture
def run(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "followup.db")


def fixture(name: str) -> str:
    return str(FIXTURES / name)


def stored(run: Cli) -> dict[str, dict[str, Any]]:
    """The stored opportunities by id (their top-level fields)."""
    return {o["id"]: o for o in json.loads(run.export())["opportunities"]}


def basics(opp: dict[str, Any]) -> tuple[Any, ...]:
    keys = ("company", "role", "status", "applied", "rank", "source", "url")
    return tuple(opp.get(k) for k in keys)


# -- each tracker ------------------------------------------------------------------------------


def test_huntr_export_imports_with_a_preview(run: Cli) -> None:
    result = run("import", "--from", "huntr", fixture("huntr.csv"))

    out = result.stdout
    assert "Huntr export, comma-separated." in out
    assert "Will add 5 opportunities:" in out
    assert "line 2: acme-corp  Acme Corp — Staff Engineer (active, applied 2026-10-12)" in out
    # a quoted note over two lines: the row after it keeps its own line number
    assert "line 8: hooli  Hooli — Data Engineer (rejected, applied 2026-09-15)" in out
    assert "line 4: Initech — Backend Engineer: status 'Wishlist': not applied to yet" in out
    assert "Columns not read: Location, Salary, Notes, Date Added" in out
    assert "Imported 5 opportunities" in out
    opps = stored(run)
    assert list(opps) == ["acme-corp", "globex", "umbrella-health", "stark-industries", "hooli"]
    assert basics(opps["acme-corp"]) == (
        "Acme Corp",
        "Staff Engineer",
        "active",
        "2026-10-12",
        None,
        None,
        "https://jobs.acme.example/staff-eng",
    )
    assert opps["umbrella-health"]["status"] == "offer"
    assert opps["hooli"]["status"] == "rejected"
    assert opps["acme-corp"]["recorded_at"].startswith(NOW.date().isoformat())


def test_teal_statuses_excitement_and_us_dates(run: Cli) -> None:
    result = run("import", "--from", "teal", fixture("teal.csv"))

    assert "line 4: Initech — Backend Engineer: status 'Bookmarked': not applied to yet" in (
        result.stdout
    )
    opps = stored(run)
    statuses = {k: (o["status"], o.get("rank"), o.get("applied")) for k, o in opps.items()}
    assert statuses == {
        # 10/02/2026 is read month first: 10/14/2026 in the same column shows the order
        "acme-corp": ("active", 1, "2026-10-02"),
        "globex": ("active", 3, "2026-10-14"),
        "umbrella-health": ("offer", 2, "2026-09-05"),
        "hooli": ("rejected", None, "2026-08-25"),
        "pied-piper": ("withdrawn", 5, "2026-08-03"),
        "vandelay-industries": ("closed", None, "2026-07-11"),
        "wayne-enterprises": ("accepted", 1, "2026-06-02"),
    }


def test_jobsync_statuses_sources_and_its_applied_flag(run: Cli) -> None:
    result = run("import", "--from", "jobsync", fixture("jobsync.csv"))

    assert "line 4: Initech — Backend Engineer: status 'draft': not applied to yet" in (
        result.stdout
    )
    opps = stored(run)
    assert {k: o["status"] for k, o in opps.items()} == {
        "acme-corp": "active",
        "globex": "active",
        "umbrella-health": "accepted",
        "hooli": "rejected",
        "soylent": "closed",
    }
    assert opps["acme-corp"]["applied"] == "2026-10-12"  # appliedDate, not the yes/no column
    assert opps["acme-corp"]["source"] == "LinkedIn"
    assert "applied" in result.stdout.split("Columns not read: ")[1]


def test_any_csv_with_a_mapping_semicolons_and_a_bom(run: Cli) -> None:
    assert (FIXTURES / "generic.csv").read_bytes().startswith(b"\xef\xbb\xbf")

    result = run("import", "--from", "csv", fixture("generic.csv"), "--map", GENERIC_MAP)

    out = result.stdout
    assert "CSV file, semicolon-separated." in out
    assert "line 5: ACME corp — staff  engineer: repeats line 3" in out
    assert "Columns not read: Comments" in out
    opps = stored(run)
    assert list(opps) == ["zurich-versicherung", "acme-corp", "societe-generale", "globex"]
    assert basics(opps["zurich-versicherung"]) == (
        "Zürich Versicherung",
        "Cloud-Architekt",
        "active",
        "2026-10-13",
        None,
        "LinkedIn",
        "https://zurich.example/jobs/cloud",
    )
    # 02/11/2026 is 2 November: 13/10/2026 in the same column shows the day comes first
    assert opps["acme-corp"]["applied"] == "2026-11-02"
    assert opps["societe-generale"]["status"] == "offer"
    assert opps["globex"]["status"] == "closed"  # "Ghosted"
    assert "applied" not in opps["globex"]


def test_a_file_without_a_company_column_asks_for_a_mapping(run: Cli, tmp_path: Path) -> None:
    path = tmp_path / "jobs.csv"
    path.write_text("Firm,Job,When\nAcme,Engineer,2026-11-02\n", encoding="utf-8")

    result = run("import", "--from", "csv", str(path), expect=2)

    assert "has no column for the company (its columns: Firm, Job, When)" in result.stderr
    assert "--map company=COLUMN" in result.stderr
    run("import", "--from", "csv", str(path), "--map", "company=firm,role=JOB,applied=When")
    assert basics(stored(run)["acme"])[:4] == ("Acme", "Engineer", "active", "2026-11-02")


def test_a_mapping_naming_a_missing_column_is_refused(run: Cli) -> None:
    result = run(
        "import", "--from", "csv", fixture("generic.csv"), "--map", "company=Firm", expect=2
    )

    assert "--map company=Firm: " in result.stderr
    assert "has no column 'Firm'" in result.stderr


# -- adding, not replacing; duplicates ------------------------------------------------------


def test_rows_repeating_stored_opportunities_are_skipped_and_the_rest_added(run: Cli) -> None:
    run("opportunity", "add", "--company", "ACME Corp", "--role", "Staff  engineer", "--rank", "2")
    run("opportunity", "add", "--company", "Hooli", "--role", "Platform Lead")

    result = run("import", "--from", "huntr", fixture("huntr.csv"))

    assert (
        "line 2: Acme Corp — Staff Engineer: recorded already, as opportunity 'acme-corp'"
        in result.stdout
    )
    assert "Imported 4 opportunities" in result.stdout
    opps = stored(run)
    # what was stored stays as it was; the new ones come after it, with free ids
    assert list(opps) == [
        "acme-corp",
        "hooli",
        "globex",
        "umbrella-health",
        "stark-industries",
        "hooli-1",
    ]
    assert opps["acme-corp"]["rank"] == 2
    assert opps["hooli-1"]["role"] == "Data Engineer"


def test_importing_the_same_file_twice_adds_nothing_the_second_time(run: Cli) -> None:
    run("import", "--from", "teal", fixture("teal.csv"))

    result = run("import", "--from", "teal", fixture("teal.csv"))

    assert "Nothing to import." in result.stdout
    assert result.stdout.count("recorded already") == 7
    assert len(stored(run)) == 7


# -- rows that cannot be read ------------------------------------------------------------------


BROKEN_LINES = (
    "line 3: no company",
    "line 4: date '2026-13-45' is not a day of the calendar",
    "line 5: malformed CSV line",
    "line 6: has 6 cells where the header has 5",
    "line 7: unknown status 'On hold'",
    "line 9: date '11/02/2026' could be 11 Feb or Nov 2",
)


def test_a_broken_line_blocks_the_whole_import_and_each_is_named(run: Cli) -> None:
    result = run("import", "--from", "csv", fixture("broken.csv"), "--yes", expect=5)

    assert "has 6 rows that cannot be read; nothing was imported" in result.stderr
    for line in BROKEN_LINES:
        assert line in result.stderr
    assert "--skip-bad" in result.stderr
    assert "Will add 2 opportunities:" in result.stdout  # the preview came first
    assert stored(run) == {}


def test_skip_bad_imports_the_readable_rows(run: Cli) -> None:
    result = run("import", "--from", "csv", fixture("broken.csv"), "--skip-bad")

    assert "Will leave out 6 rows that cannot be read:" in result.stdout
    for line in BROKEN_LINES:
        assert line in result.stdout
    assert list(stored(run)) == ["acme-corp", "wayne-enterprises"]
    assert stored(run)["wayne-enterprises"]["applied"] == "2026-10-23"  # "Oct 23, 2026"


def test_an_unknown_status_can_be_named(run: Cli, tmp_path: Path) -> None:
    path = tmp_path / "statuses.csv"
    path.write_text(
        "Company,Job Title,Status\nAcme,Engineer,On hold\nGlobex,Lead,Maybe later\n",
        encoding="utf-8",
    )

    run("import", "--from", "csv", str(path), "--statuses", "On hold=active,maybe-later=skip")

    assert {k: o["status"] for k, o in stored(run).items()} == {"acme": "active"}


def test_ambiguous_dates_need_a_date_format(run: Cli, tmp_path: Path) -> None:
    path = tmp_path / "dates.csv"
    path.write_text(
        "Company,Job Title,Date Applied\n"
        "Acme,Engineer,11/02/2026\n"
        'Globex,Lead,"Nov 3, 2026"\n'
        "Initech,Developer,4 December 2026\n"
        "Hooli,Analyst,2026-11-05 09:30:00\n",
        encoding="utf-8",
    )

    refused = run("import", "--from", "csv", str(path), expect=5)
    assert "line 2: date '11/02/2026' could be 11 Feb or Nov 2" in refused.stderr
    assert "--date-format %d/%m/%Y or %m/%d/%Y" in refused.stderr

    run("import", "--from", "csv", str(path), "--date-format", "%d/%m/%Y")
    applied = {k: o["applied"] for k, o in stored(run).items()}
    assert applied == {
        "acme": "2026-02-11",
        "globex": "2026-11-03",
        "initech": "2026-12-04",
        "hooli": "2026-11-05",
    }


def test_parse_date_formats() -> None:
    assert csv_import.parse_date("2026-11-02") == (date(2026, 11, 2), "")
    assert csv_import.parse_date("13/10/2026")[0] == date(2026, 10, 13)
    assert csv_import.parse_date("10/13/2026")[0] == date(2026, 10, 13)
    assert csv_import.parse_date("02.11.2026")[0] == date(2026, 11, 2)
    assert csv_import.parse_date("2/11/26", "mdy")[0] == date(2026, 2, 11)
    assert csv_import.parse_date("Sept. 9th, 2026")[0] == date(2026, 9, 9)
    assert csv_import.parse_date("") == (None, "")
    assert "not a date" in csv_import.parse_date("soon")[1]
    assert "year" in csv_import.parse_date("0026-01-01")[1]


# -- preview, dry run, confirmation, atomicity ---------------------------------------------------


def test_dry_run_shows_the_preview_and_writes_nothing(run: Cli) -> None:
    result = run("import", "--from", "huntr", fixture("huntr.csv"), "--dry-run")

    assert "Will add 5 opportunities:" in result.stdout
    assert "Dry run: nothing was written." in result.stdout
    assert stored(run) == {}


@pytest.mark.parametrize(("answer", "count"), [("n\n", 0), ("y\n", 7)])
def test_a_terminal_is_asked_before_adding(tmp_path: Path, answer: str, count: int) -> None:
    app = App(environ=os.environ, clock=lambda: NOW, interactive=True)
    db = str(tmp_path / "followup.db")
    result = CliRunner().invoke(
        cli, ["--db", db, "import", "--from", "teal", fixture("teal.csv")], obj=app, input=answer
    )

    assert result.exit_code == 0, result.output
    assert "Add 7 opportunities? [Y/n]" in result.stdout
    assert len(stored(Cli(tmp_path / "followup.db"))) == count


def test_the_import_is_one_unit_of_work(
    run: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("opportunity", "add", "--company", "Initech", "--role", "Developer")
    real = UnitOfWork.add_opportunity
    added: list[str] = []

    def third_fails(self: UnitOfWork, opp: Any) -> None:
        if len(added) == 2:
            raise RuntimeError("the disk is full")
        added.append(opp.id)
        real(self, opp)

    monkeypatch.setattr(UnitOfWork, "add_opportunity", third_fails)
    run("import", "--from", "huntr", fixture("huntr.csv"), expect=1)

    assert added == ["acme-corp", "globex"]
    assert list(stored(run)) == ["initech"]


def test_progress_is_reported_row_by_row(run: Cli) -> None:
    run("opportunity", "add", "--company", "Initech", "--role", "Developer")
    path = FIXTURES / "teal.csv"
    text = csv_import.decode(path.read_bytes(), "teal.csv")
    parsed = csv_import.read_csv(text, "teal.csv", "teal")
    ws = App(environ=os.environ, db=str(run.db)).workspace
    seen: list[tuple[int, int]] = []
    try:
        done = csv_import.import_rows(
            ws, parsed, now=NOW, progress=lambda d, t: seen.append((d, t))
        )
    finally:
        ws.close()

    assert len(done.new) == 7
    assert seen == [(n, 7) for n in range(1, 8)]


def test_csv_options_go_with_from(run: Cli, tmp_path: Path) -> None:
    assert (
        "--dry-run goes with --from"
        in run("import", fixture("teal.csv"), "--dry-run", expect=2).stderr
    )
    assert (
        "--force is for a JSON document"
        in run("import", "--from", "teal", fixture("teal.csv"), "--force", expect=2).stderr
    )
    result = run("import", fixture("teal.csv"), expect=2)
    assert "looks like a CSV file" in result.stderr
    assert "--from huntr|teal|jobsync|csv" in result.stderr


def test_a_file_that_is_not_utf8_is_refused(run: Cli, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("Company,Job Title\nSociété,Dev\n".encode("latin-1"))

    result = run("import", "--from", "csv", str(path), expect=2)

    assert "is not UTF-8 text" in result.stderr


# -- export --csv ------------------------------------------------------------------------------


def test_export_csv_has_one_row_per_opportunity(run: Cli, tmp_path: Path) -> None:
    run.load(folder=tmp_path)
    run("done", "thank-you:acme:dana:i1", "--note", "Thanked Dana")

    out = run("export", "--csv").stdout

    lines = out.splitlines()
    assert lines[0] == (
        "id,company,role,status,rank,applied,source,url,people,interviews,last_touch,"
        "next_action,next_action_at,stages"
    )
    acme = lines[1].split(",")
    assert acme[:10] == [
        "acme",
        "Acme Corp",
        "Staff Engineer",
        "active",
        "1",
        "2030-02-18",
        "",
        "",
        "2",
        "1",
    ]
    assert acme[10] == "2030-03-05"  # the thank-you, today
    assert acme[11] and acme[12].startswith("2030-03")
    assert acme[13] == "2030-02-18 applied; 2030-03-04 interview; now active"
    assert lines[2].startswith("globex,Globex,Platform Lead,active,2,,")


def test_export_csv_round_trips_through_import_from_csv(run: Cli, tmp_path: Path) -> None:
    run("import", str(Path(__file__).parent / "fixtures" / "release-0.1-demo.json"))
    run("opportunity", "add", "--company", '=HYPERLINK("x")', "--role", "-1 Engineer")
    exported = tmp_path / "opportunities.csv"

    run("export", "--csv", str(exported))

    data = exported.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == len(data.splitlines())  # RFC 4180 line ends
    assert "'=HYPERLINK" in data.decode("utf-8-sig")  # a spreadsheet shows it, runs nothing
    other = Cli(tmp_path / "other.db")
    result = other("import", "--from", "csv", str(exported))
    assert "Columns not read: people, interviews, last_touch, next_action" in result.stdout
    before, after = stored(run), stored(other)
    assert list(after) == list(before)
    assert {k: basics(o) for k, o in after.items()} == {k: basics(o) for k, o in before.items()}
    assert after["hyperlink-x"]["company"] == '=HYPERLINK("x")'


def test_undo_takes_the_whole_import_back(run: Cli) -> None:
    run("opportunity", "add", "--company", "Initech", "--role", "Developer")
    run("import", "--from", "teal", fixture("teal.csv"))

    run("undo")

    assert list(stored(run)) == ["initech"]
