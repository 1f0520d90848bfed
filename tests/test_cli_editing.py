"""`followup <kind> edit|rm` and `followup undone`: every kind of fact corrected from the
command line, problems named by flag, confirmation in a terminal, and one undo per command."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from followup.cli.app import App
from followup.cli.editing import OPTIONS
from followup.cli.root import cli as root
from followup.services.editing import KINDS, editable
from test_cli_support import NOW, Cli


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    run = Cli(tmp_path / "f.db")
    run.load(folder=tmp_path)
    return run


def _acme(cli: Cli) -> dict[str, Any]:
    return next(o for o in json.loads(cli.export())["opportunities"] if o["id"] == "acme")


def test_every_editable_field_of_every_kind_has_a_flag() -> None:
    assert set(OPTIONS) == set(KINDS)
    for kind in KINDS:
        covered = {f.path.split(".")[0] for f in OPTIONS[kind]}
        assert covered == set(editable(kind)), kind


def test_edit_each_kind_with_interchange_field_names(cli: Cli) -> None:
    cli("person", "edit", "acme", "dana", "--email", "Dana.Lee@ACME.example", "--no-key")
    cli("person", "edit", "acme", "sam", "--phone", "(212) 555-0100", "--timezone", "Europe/Berlin")
    cli("interview", "edit", "acme", "i1", "--at", "2030-03-04T15:00", "--note", "sam=",
        "--next-step-what", "Final round", "--next-step-when", "2030-03-12", "--next-step-who",
        "dana")  # fmt: skip
    cli("opportunity", "edit", "acme", "--rank", "2", "--expected-by", "2030-03-20", "--url", "")
    cli("touch", "add", "acme", "--person", "dana", "--summary", "typo", "--at", "2030-03-05T09:00")
    cli("touch", "edit", "acme", "t1", "--summary", "Asked about the timeline", "--direction", "in")
    cli("offer", "add", "acme", "--received", "2030-03-05", "--expires", "2030-03-10")
    cli("offer", "edit", "acme", "o1", "--expires", "2030-03-14")
    acme = _acme(cli)
    dana, sam = acme["people"]
    assert dana["email"] == "Dana.Lee@acme.example" and "key" not in dana
    assert sam["phone"] == "+12125550100" and sam["timezone"] == "Europe/Berlin"
    interview = acme["interviews"][0]
    assert interview["at"] == "2030-03-04T15:00-05:00"  # read in the profile's zone
    assert interview["notes"] == {"dana": "Moving billing to Kafka before the Q3 launch"}
    assert interview["next_step"] == {"what": "Final round", "when": "2030-03-12", "who": "dana"}
    assert acme["rank"] == 2 and acme["decision"]["expected_by"] == "2030-03-20"
    assert acme["touches"][0]["summary"] == "Asked about the timeline"
    assert acme["touches"][0]["direction"] == "in"
    assert acme["offers"][0]["expires"] == "2030-03-14"
    cli("achievement", "add", "--kind", "talk", "--title", "Kafka", "--at", "2030-03-01")
    cli("achievement", "edit", "a1", "--title", "Kafka at scale", "--tag", "kafka,billing")
    [achievement] = json.loads(cli.export())["achievements"]
    assert achievement["title"] == "Kafka at scale" and achievement["tags"] == ["kafka", "billing"]


def test_edit_prints_json_and_says_how_to_undo(cli: Cli) -> None:
    edited = cli.json("person", "edit", "acme", "sam", "--name", "Sam Ortiz-Lee", "--json")
    assert edited == {"id": "sam", "name": "Sam Ortiz-Lee", "role": "recruiter"}
    said = cli("opportunity", "edit", "globex", "--role", "Head of Platform").stdout
    assert said.startswith("Updated opportunity 'globex' (--role)") and "followup undo" in said
    cli("undo")
    assert json.loads(cli.export())["opportunities"][1]["role"] == "Platform Lead"


def test_problems_are_named_by_flag_and_nothing_is_written(cli: Cli) -> None:
    before = cli.export()
    result = cli("person", "edit", "acme", "dana", "--email", "nope", "--name", "", expect=2)
    assert "--email: 'nope' is not a valid e-mail address" in result.stderr
    assert "--name" in result.stderr
    result = cli("interview", "edit", "acme", "i1", "--with", "dana,ghost", expect=2)
    assert "--with: unknown person 'ghost'" in result.stderr
    result = cli("opportunity", "edit", "acme", "--rank", "0", "--applied", "1066-10-14", expect=2)
    assert "--rank:" in result.stderr and "--applied:" in result.stderr
    result = cli("touch", "edit", "acme", "t9", "--summary", "x", expect=3)
    assert "unknown touch 't9' in opportunity 'acme'" in result.stderr
    result = cli("person", "edit", "acme", "dana", expect=2)
    assert "at least one field" in result.stderr
    assert "Traceback" not in result.output
    assert cli.export() == before


def test_rm_refuses_what_others_name_then_cascades_and_undo_puts_it_back(cli: Cli) -> None:
    before = cli.export()
    refused = cli("person", "rm", "acme", "sam", expect=4)
    assert "named in interview 'i1'" in refused.stderr and "--cascade" in refused.stderr
    said = cli("person", "rm", "acme", "sam", "--cascade").stdout
    assert "person 'sam' (Sam Ortiz)" in said and "Sam Ortiz from interview 'i1'" in said
    acme = _acme(cli)
    assert [p["id"] for p in acme["people"]] == ["dana"]
    assert acme["interviews"][0]["with"] == ["dana"]
    plan = cli.json("plan", "--all", "--json")
    assert not any(a["person"] == "sam" and a["opportunity"] == "acme" for a in plan)
    cli("undo")
    assert cli.export() == before
    refused = cli("opportunity", "rm", "globex", expect=4)
    assert "holds 1 person and 1 interview" in refused.stderr
    cli("opportunity", "rm", "globex", "--cascade")
    assert [o["id"] for o in json.loads(cli.export())["opportunities"]] == ["acme"]


def test_rm_asks_in_a_terminal_unless_yes(tmp_path: Path, cli: Cli) -> None:
    def run(*args: str, answer: str) -> Any:
        app = App(environ=os.environ, clock=lambda: NOW, interactive=True)
        return CliRunner().invoke(root, ["--db", str(cli.db), *args], obj=app, input=answer)

    kept = run("interview", "rm", "globex", "i1", answer="n\n")
    assert "Remove interview 'i1' of globex?" in kept.output and kept.exit_code == 1
    assert json.loads(cli.export())["opportunities"][1]["interviews"]
    gone = run("interview", "rm", "globex", "i1", answer="y\n")
    assert gone.exit_code == 0 and "Removed interview 'i1'" in gone.output
    assert "interviews" not in json.loads(cli.export())["opportunities"][1]
    cli("achievement", "add", "--kind", "talk", "--title", "Kafka at scale", "--at", "2030-03-01")
    quiet = run("achievement", "rm", "a1", "--yes", answer="")
    assert quiet.exit_code == 0 and "Remove" not in quiet.output.split("Removed")[0]


def test_undone_plans_a_done_action_again(cli: Cli) -> None:
    action = "thank-you:acme:dana:i1"
    cli("done", action)
    statuses = {a["id"]: a["status"] for a in cli.json("plan", "--all", "--json")}
    assert statuses[action] == "done"
    said = cli("undone", action).stdout
    assert said.startswith(f"Not done after all: {action} (touch t")
    statuses = {a["id"]: a["status"] for a in cli.json("plan", "--all", "--json")}
    assert statuses[action] != "done"
    again = cli("undone", action, expect=4)
    assert "was not marked done" in again.stderr
