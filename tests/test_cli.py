"""The command line as a whole: help, the generated reference, today/plan and their JSON,
errors, colour, and the speed rules (lazy imports, the click-free fast path)."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import subprocess
import sys
from contextlib import redirect_stdout
from datetime import datetime
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from followup.cli import fast
from followup.cli.app import report
from followup.cli.docs import generate
from followup.cli.root import COMMANDS, cli
from followup.config import SPEC
from test_cli_support import AS_OF, Cli, ids, sample_document

ROOT = Path(__file__).resolve().parents[1]
FOLLOWUP = Path(sys.executable).with_name("followup")
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?[+-]\d{2}:\d{2}$")
STATUSES = {"upcoming", "due", "overdue", "missed", "done", "replaced", "skipped", "snoozed"}


@pytest.fixture
def run(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "followup.db")


@pytest.fixture
def loaded(run: Cli, tmp_path: Path) -> Cli:
    run.load(folder=tmp_path)
    return run


def _all_commands() -> list[list[str]]:
    paths: list[list[str]] = [[]]
    for name in COMMANDS:
        command = cli.get_command(click.Context(cli), name)
        paths.append([name])
        if isinstance(command, click.Group):
            paths += [[name, sub] for sub in command.list_commands(click.Context(command))]
    return paths


# -- help and docs ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", _all_commands(), ids=lambda p: " ".join(p) or "followup")
def test_every_command_has_help(path: list[str]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Usage: ")
    command = cli
    for name in path:
        command = command.get_command(click.Context(command), name)  # type: ignore[attr-defined]
    assert command.help
    assert len(command.help.strip()) > 20
    if not isinstance(command, click.Group):
        assert "Example" in result.stdout, "every command shows an example"


@pytest.mark.parametrize("name", list(COMMANDS))
def test_table_short_help_matches_the_command(name: str) -> None:
    command = cli.get_command(click.Context(cli), name)

    assert command is not None
    assert command.help is not None
    assert command.help.strip().splitlines()[0] == COMMANDS[name].short_help


def test_top_level_help_lists_commands_without_importing_them() -> None:
    code = (
        "import sys; sys.argv = ['followup', '--help']\n"
        "from followup.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "loaded = [m for m in sys.modules if m.startswith('followup.cli.')]\n"
        "print(sorted(loaded), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert "today" in done.stdout
    assert "playbook" in done.stdout
    loaded = eval(done.stderr)  # noqa: S307 - our own subprocess's list of module names
    assert set(loaded) <= {
        "followup.cli.fast",
        "followup.cli.when",
        "followup.cli.root",
        "followup.cli.app",
        "followup.cli.lazy",
    }


def test_docs_cli_md_is_generated_from_help() -> None:
    on_disk = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")

    assert on_disk == generate(), "run: python -m followup.cli.docs > docs/cli.md"


def test_every_setting_is_documented() -> None:
    reference = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    top_help = CliRunner().invoke(cli, ["--help"]).stdout

    for setting in SPEC:
        assert setting.name in reference
        for way in (setting.flag, setting.env):
            if way:
                assert way in reference, f"{way} missing from docs/cli.md"
                assert way in top_help, f"{way} missing from `followup --help`"


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])

    assert result.exit_code == 0
    assert re.search(r"followup, version \d+\.\d+", result.stdout)


# -- today and plan --------------------------------------------------------------------------


def test_empty_database_has_a_friendly_today(run: Cli) -> None:
    result = run("today")

    assert result.stdout.startswith("No opportunities yet")
    assert "followup demo" in result.stdout
    assert "keep-searching" in result.stdout


def test_demo_then_today_shows_actions(run: Cli) -> None:
    demo = run("demo")
    today = run("today")

    assert "followup today" in demo.stdout
    assert re.search(r"^(Overdue|Due now|Next 7 days) \(\d+\)$", today.stdout, re.M)
    assert "Thank " in today.stdout


def test_demo_comes_with_articles_worth_sending(run: Cli) -> None:
    run("demo")
    value_adds = [a["id"] for a in run.json("plan", "--json") if a["rule"] == "value-add"]
    assert value_adds
    suggested = run.json("article", "suggest", value_adds[0], "--json")
    assert suggested  # the demo's reading list fits what the hiring manager discussed


def test_today_groups_and_reasons(loaded: Cli) -> None:
    text = loaded("today", "--as-of", AS_OF).stdout

    groups = re.findall(r"^(Overdue|Due now|Next 7 days|Missed) \(\d+\)$", text, re.M)
    assert groups == ["Overdue", "Due now", "Next 7 days", "Missed"]
    overdue, due = text.split("Due now")[0], text.split("Due now")[1].split("Next 7 days")[0]
    missed = text.split("Missed (")[1]
    # a week-old thank-you is no longer "overdue": it was missed (3 working days after its
    # deadline), shown once in its own section with what to do about it
    assert "value-add:globex:kim:i1" in overdue and "thank-you:globex:kim:i1" not in overdue
    assert "  Tue 26 Feb 12:00  thank-you:globex:kim:i1  Thank Kim Park" in missed
    assert "`followup reopen ID`" in missed
    line = next(x for x in due.splitlines() if "thank-you:acme:dana:i1" in x)
    assert line.startswith("  Tue 15:00  thank-you:acme:dana:i1  Thank Dana Lee")
    assert "within 24h of your interview" in line
    assert "“Moving billing to Kafka before the Q3 launch”" in line


def test_today_json_schema(loaded: Cli) -> None:
    actions = loaded.json("today", "--as-of", AS_OF, "--json")

    assert actions, "the sample has actions due"
    _assert_schema(actions)
    assert {a["status"] for a in actions} <= {"overdue", "due", "upcoming", "missed"}
    assert "thank-you:acme:dana:i1" in ids(actions)


def test_plan_json_schema_and_all(loaded: Cli) -> None:
    pending = loaded.json("plan", "--as-of", AS_OF, "--json")
    every = loaded.json("plan", "--as-of", "2030-06-01", "--json", "--all")
    acme = loaded.json("plan", "acme", "--as-of", AS_OF, "--json")

    _assert_schema(pending)
    _assert_schema(every)
    assert {a["status"] for a in pending} <= {"upcoming", "due", "overdue", "missed", "snoozed"}
    assert ids(acme) < ids(pending)
    assert {a["opportunity"] for a in acme} == {"acme"}
    keep = [a for a in pending if a["rule"] == "keep-searching"]
    assert keep
    assert keep[0]["person"] is None
    assert keep[0]["opportunity"] is None


def _assert_schema(actions: list[dict[str, Any]]) -> None:
    required = {
        "id": str,
        "rule": str,
        "opportunity": (str, type(None)),
        "person": (str, type(None)),
        "channel": (str, type(None)),
        "window_start": str,
        "window_end": str,
        "status": str,
        "reason": str,
    }
    optional = {"done_at", "snoozed_until", "missed_at"}
    for action in actions:
        assert set(required) <= set(action) <= set(required) | optional
        for key, kind in required.items():
            assert isinstance(action[key], kind), (key, action)
        assert action["status"] in STATUSES
        for key in ("window_start", "window_end", *(optional & set(action))):
            assert ISO_WITH_OFFSET.match(action[key]), action[key]
            assert action[key].endswith("-05:00") or action[key].endswith("-04:00")
        assert datetime.fromisoformat(action["window_start"]) < datetime.fromisoformat(
            action["window_end"]
        )
        assert ("done_at" in action) == (action["status"] == "done")


def test_plan_text_groups_by_opportunity(loaded: Cli) -> None:
    text = loaded("plan", "--as-of", AS_OF).stdout

    assert text.index("Acme Corp — Staff Engineer") < text.index("Globex — Platform Lead")
    assert "Your search" in text
    assert "Tue 5 Mar 15:00" in text


def test_plan_unknown_opportunity(loaded: Cli) -> None:
    result = loaded("plan", "nope", expect=3)

    assert "error: unknown opportunity 'nope'" in result.stderr
    assert "hint: `followup opportunity list`" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("value", ["tomorrow", "2030-13-01", "05/03/2030", "2030-03-05T25:00"])
def test_bad_as_of_names_the_flag_and_an_example(loaded: Cli, value: str) -> None:
    result = loaded("today", "--as-of", value, expect=2)

    assert "--as-of" in result.stderr
    assert "e.g. 2026-11-02" in result.stderr  # an example of what is expected
    assert "Traceback" not in result.output


def test_today_limit_caps_each_group(run: Cli, tmp_path: Path) -> None:
    document = sample_document()
    people = [{"id": f"p{n}", "name": f"Person {n}", "role": "panel"} for n in range(8)]
    document["opportunities"][0]["people"] += people
    document["opportunities"][0]["interviews"][0]["with"] += [p["id"] for p in people]
    run.load(document, folder=tmp_path)

    capped = run("today", "--as-of", AS_OF, "--limit", "3").stdout
    full = run("today", "--as-of", AS_OF, "--limit", "0").stdout

    due = re.search(r"^Due now \((\d+)\)$", capped, re.M)
    assert due
    assert int(due.group(1)) > 3
    assert f"… and {int(due.group(1)) - 3} more due now" in capped
    assert "more due now" not in full
    assert len(full.splitlines()) > len(capped.splitlines())


# -- errors ----------------------------------------------------------------------------------


def test_errors_are_one_line_unless_debug(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    env = {**os.environ, "FOLLOWUP_DATABASE_URL": "sqlite:///" + str(folder)}
    plain = subprocess.run([FOLLOWUP, "plan"], env=env, capture_output=True, text=True, check=False)
    debug = subprocess.run(
        [FOLLOWUP, "--debug", "plan"], env=env, capture_output=True, text=True, check=False
    )

    assert plain.returncode == debug.returncode == 6
    assert plain.stderr.startswith("error: cannot open")
    assert "Traceback" not in plain.stderr
    assert "Traceback" in debug.stderr


@pytest.mark.parametrize("debug", [False, True])
def test_unexpected_errors_point_at_debug(debug: bool, capsys: pytest.CaptureFixture[str]) -> None:
    try:
        raise RuntimeError("disk on fire")
    except RuntimeError as exc:
        with pytest.raises(SystemExit) as exited:
            report(exc, debug=debug)

    err = capsys.readouterr().err
    assert exited.value.code == 1
    assert "error: unexpected RuntimeError: disk on fire" in err
    assert ("run with --debug for details" in err) is not debug
    assert ("Traceback" in err) is debug


def test_broken_config_file_names_file_and_key(run: Cli, tmp_path: Path) -> None:
    config = tmp_path / "broken-config"
    config.mkdir()
    (config / "config.toml").write_text("[playbook]\nthank_you_hours = 'soon'\nbogus = 1\n")

    result = run("today", expect=5, env={"FOLLOWUP_CONFIG_DIR": str(config)})

    assert f"{config / 'config.toml'} has problems" in result.stderr
    assert "playbook.thank_you_hours: expected a whole number" in result.stderr
    assert "playbook.bogus: unknown setting" in result.stderr


def test_playbook_setting_changes_the_plan(loaded: Cli, tmp_path: Path) -> None:
    config = tmp_path / "custom-config"
    config.mkdir()
    (config / "config.toml").write_text("[playbook]\nthank_you_hours = 12\n")
    env = {"FOLLOWUP_CONFIG_DIR": str(config)}

    default = loaded.json("plan", "acme", "--json", "--as-of", AS_OF)
    custom = json.loads(loaded("plan", "acme", "--json", "--as-of", AS_OF, env=env).stdout)
    shown = json.loads(loaded("playbook", "--json", env=env).stdout)

    def end(actions: list[dict[str, Any]]) -> str:
        return next(a["window_end"] for a in actions if a["id"] == "thank-you:acme:dana:i1")

    assert end(default) == "2030-03-05T15:00:00-05:00"  # exactly 24 hours, never cut
    assert end(custom) == "2030-03-05T03:00:00-05:00"
    setting = next(s for s in shown["settings"] if s["name"] == "thank_you_hours")
    assert setting == {
        "name": "thank_you_hours",
        "value": 12,
        "default": 24,
        "help": setting["help"],
    }
    assert shown["config_file"] == str(config / "config.toml")


# -- colour ----------------------------------------------------------------------------------


def _in_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run `followup` with its stdout on a pseudo-terminal; return what it wrote."""
    leader, follower = pty.openpty()
    with subprocess.Popen(
        [FOLLOWUP, *args], stdout=follower, stderr=subprocess.PIPE, env=env
    ) as proc:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        proc.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode()


def test_colour_only_in_a_terminal_and_never_with_no_color(loaded: Cli) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    args = ["--db", str(loaded.db), "today", "--as-of", AS_OF]

    coloured = _in_terminal(args, env)
    plain = _in_terminal(args, {**env, "NO_COLOR": "1"})
    piped = subprocess.run(
        [FOLLOWUP, *args], env=env, capture_output=True, text=True, check=True
    ).stdout

    assert "\x1b[" in coloured
    assert "thank-you:acme:dana:i1" in plain
    assert "\x1b[" not in plain
    assert "\x1b[" not in piped


# -- speed: the fast path --------------------------------------------------------------------

FAST_CASES = [
    ["today", "--as-of", AS_OF],
    ["today", "--as-of=2030-03-06", "--limit", "2"],
    ["today", "--json", "--as-of", "2030-03-05T10:00-05:00"],
    ["today", "--limit=0", "--as-of", "2030-03-20T09:00"],
]


@pytest.mark.parametrize("argv", FAST_CASES, ids=" ".join)
def test_fast_path_prints_what_click_prints(loaded: Cli, argv: list[str]) -> None:
    full = ["--db", str(loaded.db), *argv]
    assert fast.parse(full) is not None
    out = io.StringIO()
    with redirect_stdout(out):
        assert fast.run_fast(full)

    assert out.getvalue() == loaded(*argv).stdout


@pytest.mark.parametrize(
    "argv",
    [
        ["today", "--help"],
        ["today", "--as-of", "tomorrow"],
        ["today", "--limit", "-1"],
        ["today", "--bogus"],
        ["today", "extra"],
        ["plan"],
        ["--db"],
        ["--version"],
        ["today", "--as-of"],
        [],
    ],
    ids=lambda a: " ".join(a) or "nothing",
)
def test_fast_path_leaves_everything_else_to_click(argv: list[str]) -> None:
    assert fast.parse(argv) is None


def test_today_reads_the_stored_plan_without_importing_anything_heavy(loaded: Cli) -> None:
    loaded("today")
    code = (
        "import sys\n"
        f"sys.argv = ['followup', '--db', {str(loaded.db)!r}, 'today', '--as-of', {AS_OF!r}]\n"
        "from followup.cli import main\n"
        "main()\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'rich', 'holidays', 'click', 'alembic', 'platformdirs',"
        " 'email_validator', 'phonenumbers')]\n"
        "print(sorted(heavy), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert "Next 7 days" in done.stdout or "Due now" in done.stdout
    assert done.stderr.strip() == "[]"


def test_after_a_write_today_still_needs_no_sqlalchemy(loaded: Cli) -> None:
    loaded("today")
    loaded("skip", "thank-you:acme:sam:i1")  # the write stores the new plan before it ends
    code = (
        "import sys\n"
        f"sys.argv = ['followup', '--db', {str(loaded.db)!r}, 'today', '--as-of', {AS_OF!r}]\n"
        "from followup.cli import main\n"
        "main()\n"
        "print('sqlalchemy' in sys.modules, file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert done.stderr.strip() == "False"  # answered from the stored plan, by sqlite3


@pytest.mark.parametrize(
    "write",
    [
        ["skip", "thank-you:acme:sam:i1"],
        ["snooze", "thank-you:acme:sam:i1", "--until", "2026-12-20"],
        ["done", "thank-you:acme:sam:i1", "--at", AS_OF],
        ["touch", "add", "acme", "--person", "sam", "--channel", "email", "--kind", "other",
         "--summary", "Checking in"],
    ],
    ids=lambda w: " ".join(w[:2]),
)  # fmt: skip
def test_a_write_on_a_current_file_imports_neither_sqlalchemy_nor_holidays(
    loaded: Cli, write: list[str]
) -> None:
    """A write plans with the public holidays cached in the file, through ``sqlite3``: the
    two slowest imports (~250 ms and ~100 ms) are never paid on the command line."""
    loaded("today")
    loaded("skip", "value-add:acme:dana:i1")  # a first write caches the holidays it computes
    code = (
        "import sys\n"
        f"sys.argv = ['followup', '--db', {str(loaded.db)!r}, *{write!r}]\n"
        "from followup.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic', "
        "'holidays')]\n"
        "print(sorted(heavy), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)

    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "[]"
    said = {"skip": "Skipped ", "snooze": "Snoozed ", "done": "Done: ", "touch": "Logged touch "}
    assert done.stdout.startswith(said[write[0]])


def test_today_shows_a_write_at_once(loaded: Cli) -> None:
    before = loaded("today", "--as-of", AS_OF).stdout
    loaded("skip", "thank-you:acme:sam:i1")
    after = loaded("today", "--as-of", AS_OF).stdout

    assert "thank-you:acme:sam:i1" in before
    assert "thank-you:acme:sam:i1" not in after


# -- docs/json.md ------------------------------------------------------------------------------


def _json_blocks(section: str) -> list[str]:
    text = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
    part = text.split(f"## {section}")[1].split("\n## ")[0]
    return re.findall(r"```json\n(.*?)```", part, re.S)


def test_docs_json_md_documents_every_key(loaded: Cli) -> None:
    doc = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
    loaded("snooze", "phone-call:acme:sam:i1", "--until", "2030-03-09")
    loaded("done", "thank-you:acme:dana:i1")
    actions = loaded.json("plan", "--json", "--all", "--as-of", AS_OF)
    listed = loaded.json("opportunity", "list", "--json")

    action_keys = {key for action in actions for key in action}
    assert {"done_at", "snoozed_until"} <= action_keys
    for key in action_keys | {key for item in listed for key in item}:
        assert f"| `{key}` |" in doc, key
    for block in _json_blocks("Actions") + _json_blocks("Profile"):
        json.loads(block)


def test_docs_json_md_example_document_imports(run: Cli, tmp_path: Path) -> None:
    (block,) = _json_blocks("The interchange document")
    path = tmp_path / "example.json"
    path.write_text(block, encoding="utf-8")

    run("import", str(path))

    exported = json.loads(run.export())
    assert exported["opportunities"][0]["touches"][1]["states_date"] == "2030-03-11"
    assert exported["decisions"][1]["until"] == "2030-03-07T09:00-05:00"


def test_a_snoozed_action_shows_where_it_comes_back(loaded: Cli) -> None:
    """Snoozed until Thursday, the thank-you leaves "Due now" and waits under "Next 7 days",
    on the fast path, the full path and in the JSON alike."""
    loaded("snooze", "thank-you:acme:sam:i1", "--until", "2030-03-07T09:00")

    text = loaded("today", "--as-of", AS_OF).stdout
    soon = text.split("Next 7 days", 1)[1]
    assert "thank-you:acme:sam:i1" in soon
    assert "thank-you:acme:sam:i1" not in text.split("Next 7 days", 1)[0]
    listed = {a["id"]: a["status"] for a in loaded.json("today", "--json", "--as-of", AS_OF)}
    assert listed["thank-you:acme:sam:i1"] == "snoozed"


@pytest.mark.parametrize("value", ["99999999999999999999999", "10001"])
def test_an_absurd_limit_is_refused_with_its_bounds(loaded: Cli, value: str) -> None:
    result = loaded("today", "--limit", value, expect=2)

    assert "--limit" in result.stderr
    assert "10000" in result.stderr
    assert "Traceback" not in result.output


def test_the_fast_path_leaves_an_absurd_limit_to_click() -> None:
    from followup.cli.fast import parse

    assert parse(["today", "--limit", "99999999999999999999999"]) is None
    found = parse(["today", "--limit", "3"])
    assert found is not None and found.limit == 3
