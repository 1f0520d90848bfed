"""Docs that cannot lie: each example in them is the real output, checked by a test.

- README.md: every output block that starts with ``$ followup ...`` is what that command prints
  after `followup demo` at a fixed moment (``NOW``). ``FOLLOWUP_WRITE_DOCS=1 pytest
  tests/test_docs.py`` rewrites the blocks from the real output; otherwise a stale one fails.
- docs/cli.md: generated from the commands' --help (``python -m followup.cli.docs``), and each
  section equal to what the real `followup ... --help` prints on a terminal that wide.
- docs/json.md: every ```json block is marked with what it shows (``<!-- check: KIND -->``) and
  checked against the JSON Schemas shipped in ``followup/data/`` or the real output; the demo's
  real `export`, `plan --json` and `today --json` validate against the same schemas; and the
  interchange schema agrees with the importer (``core/_parse.py``) on generated documents.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from followup.cli import docs as cli_docs
from followup.core import _parse, model
from followup.core.interchange import parse_document
from followup.demo import demo_document
from test_cli_support import Cli
from test_interchange import damage, documents

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
JSON_MD = ROOT / "docs" / "json.md"
CLI_MD = ROOT / "docs" / "cli.md"
WRITE = os.environ.get("FOLLOWUP_WRITE_DOCS") == "1"

#: Tue 24 Nov 2026, 10:00 in New York: the morning after Brightline's final panel, Cobalt's
#: offer from the evening before in hand (the dates the README's commands use).
NOW = datetime(2026, 11, 24, 15, tzinfo=UTC)


def _schema(name: str) -> Any:
    return json.loads(
        files("followup").joinpath("data", f"{name}.schema.json").read_text(encoding="utf-8")
    )


INTERCHANGE = _schema("interchange")
ACTIONS = _schema("action")


def _validator(schema: Any, part: str | None = None) -> jsonschema_rs.Validator:
    if part is not None:  # one of the schema's $defs, with the others to refer to
        schema = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": f"#/$defs/{part}"}
    return jsonschema_rs.validator_for(schema)


def _errors(validator: jsonschema_rs.Validator, value: object) -> list[str]:
    return [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(value)]


def _lines(text: str) -> str:
    """``text`` with trailing spaces and trailing blank lines removed (nothing else)."""
    return "\n".join(line.rstrip() for line in text.rstrip().splitlines())


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """`followup demo` loaded at ``NOW``, on its own database."""
    run = Cli(tmp_path_factory.mktemp("demo") / "demo.db", NOW)
    run("demo")
    return run


# --- README.md ----------------------------------------------------------------------------------

_EXAMPLE = re.compile(r"```\n(\$ followup [^\n]*)\n(.*?)```", re.S)


def _damaged_search(folder: Path) -> None:
    """search.json: the demo's document with an unknown person and a time without its offset."""
    doc: Any = demo_document(NOW)
    doc["opportunities"][0]["interviews"][0]["with"][0] = "ghost"
    doc["opportunities"][1]["touches"][3]["at"] = "2026-11-02 10:00"
    (folder / "search.json").write_text(json.dumps(doc), encoding="utf-8")


def _readme_output(command: str, demo: Cli, folder: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """What ``command`` (as the README shows it) prints in the README's story."""
    args = shlex.split(command)[2:]
    if command == "$ followup import search.json":  # into an empty database, from this folder
        _damaged_search(folder)
        monkeypatch.chdir(folder)
        result = Cli(folder / "empty.db", NOW)(*args, expect=5)
        return str(result.output)
    return str(demo(*args).output)


def test_readme_examples_are_the_real_output(
    demo: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = README.read_text(encoding="utf-8")
    blocks = list(_EXAMPLE.finditer(page))
    assert {m.group(1) for m in blocks} >= {"$ followup today", "$ followup import search.json"}
    fresh = page
    for found in reversed(blocks):  # from the end, so earlier offsets stay right
        real = _readme_output(found.group(1), demo, tmp_path, monkeypatch)
        block = f"```\n{found.group(1)}\n{_lines(real)}\n```"
        fresh = fresh[: found.start()] + block + fresh[found.end() :]
    if WRITE:
        README.write_text(fresh, encoding="utf-8")
        page = fresh
    assert _lines(page) == _lines(fresh), (
        "README.md's example output is stale: FOLLOWUP_WRITE_DOCS=1 pytest tests/test_docs.py"
    )


def test_readme_links_the_csv_formats() -> None:
    assert "](docs/csv.md)" in README.read_text(encoding="utf-8")


# --- docs/cli.md --------------------------------------------------------------------------------


def test_cli_md_is_generated_from_help() -> None:
    assert CLI_MD.read_text(encoding="utf-8") == cli_docs.generate(), (
        "docs/cli.md is stale: run `python -m followup.cli.docs > docs/cli.md`"
    )


_REAL_HELP = """
import contextlib, io, json, sys
from followup.cli.root import cli
out = {}
for title in json.loads(sys.argv[1]):
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        cli.main([*title.split()[1:], "--help"], prog_name="followup", standalone_mode=False)
    out[title] = buffer.getvalue()
print(json.dumps(out))
"""


def test_cli_md_is_what_help_prints_on_a_terminal_that_wide() -> None:
    """The real `followup ... --help` (click measuring the terminal from COLUMNS), not click's
    test runner (which forces its own width), in a process of its own."""
    sections = dict(
        re.findall(r"### `([^`]+)`[^\n]*\n\n```text\n(.*?)```", cli_docs.generate(), re.S)
    )
    assert len(sections) > 40
    env = {**os.environ, "COLUMNS": str(cli_docs.COLUMNS), "LINES": "50"}
    done = subprocess.run(
        [sys.executable, "-c", _REAL_HELP, json.dumps(list(sections))],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    real = json.loads(done.stdout)
    for title, text in sections.items():
        assert _lines(real[title]) == _lines(text), (
            f"`{title} --help` at COLUMNS={cli_docs.COLUMNS} differs from docs/cli.md"
        )


# --- docs/json.md: schemas and examples ---------------------------------------------------------

_JSON_BLOCK = re.compile(r"(?:<!-- check: ([a-z-]+) -->\n)?```json\n(.*?)```", re.S)


def _json_examples() -> list[tuple[str | None, str]]:
    return [(m.group(1), m.group(2)) for m in _JSON_BLOCK.finditer(JSON_MD.read_text("utf-8"))]


def test_schemas_are_valid_and_name_what_the_code_knows() -> None:
    for schema in (INTERCHANGE, ACTIONS):
        jsonschema_rs.meta.validate(schema)
    defs = INTERCHANGE["$defs"]
    fields = {
        "profile": _parse._PROFILE,
        "opportunity": _parse._OPPORTUNITY,
        "person": _parse._PERSON,
        "interview": _parse._INTERVIEW,
        "touch": _parse._TOUCH,
        "offer": _parse._OFFER,
        "achievement": _parse._ACHIEVEMENT,
        "decision": _parse._ACTION_DECISION,
    }
    assert tuple(INTERCHANGE["properties"]) == _parse._TOP
    for name, known in fields.items():
        assert tuple(defs[name]["properties"]) == known, name
    touch, person = defs["touch"]["properties"], defs["person"]["properties"]
    assert defs["channel"]["enum"] == list(model.CHANNELS)
    assert person["role"]["enum"] == list(model.ROLES)
    assert touch["kind"]["enum"] == list(model.TOUCH_KINDS)
    assert touch["direction"]["enum"] == list(model.DIRECTIONS)
    assert touch["completes"]["anyOf"][0]["properties"]["rule"]["enum"] == list(_parse.RULE_NAMES)
    assert ACTIONS["$defs"]["action"]["properties"]["rule"]["enum"] == list(_parse.RULE_NAMES)


def test_every_json_example_is_marked_with_what_it_shows() -> None:
    kinds = [kind for kind, _ in _json_examples()]
    assert kinds and None not in kinds, "mark each ```json block: <!-- check: KIND -->"
    assert set(kinds) <= {"actions", "profile", "playbook", "interchange", "backup"}


def test_json_examples_validate_against_the_schemas_and_the_real_output(
    demo: Cli, tmp_path: Path
) -> None:
    real_settings = {s["name"]: s for s in demo.json("playbook", "--json")["settings"]}
    demo("backup", str(tmp_path / "backup.json"))
    real_backup = json.loads((tmp_path / "backup.json").read_text(encoding="utf-8"))
    for kind, text in _json_examples():
        example = json.loads(text)
        if kind == "actions":
            assert _errors(_validator(ACTIONS), example) == []
        elif kind == "interchange":
            assert _errors(_validator(INTERCHANGE), example) == []
            assert parse_document(example)[1] == []
        elif kind == "profile":
            assert _errors(_validator(INTERCHANGE, "profile"), example) == []
            assert set(example) == set(demo.json("profile", "show", "--json"))
        elif kind == "playbook":
            assert set(example) == {"config_file", "settings"}
            for setting in example["settings"]:
                real = real_settings[setting["name"]]
                assert set(setting) == set(real)
                assert (setting["default"], setting["help"]) == (real["default"], real["help"])
        elif kind == "backup":  # abridged ("...") but for its parts and its facts
            assert list(example) == list(real_backup)
            assert _errors(_validator(INTERCHANGE), example["facts"]) == []


def test_the_demos_real_output_validates(tmp_path: Path) -> None:
    demo = Cli(tmp_path / "demo.db", NOW)  # its own: it snoozes
    demo("demo")
    exported = json.loads(demo.export())
    assert _errors(_validator(INTERCHANGE), exported) == []
    version_1 = json.loads(demo("export", "--version", "1").stdout)
    assert _errors(_validator(INTERCHANGE), version_1) == []

    actions = _validator(ACTIONS)
    demo("snooze", "value-add:brightline:dana:final-panel", "--until", "2026-11-27T09:00")
    seen: set[str] = set()
    for as_of in (NOW, NOW + timedelta(days=9)):  # a week on, some are missed
        when = as_of.isoformat()
        for args in (("plan", "--json", "--all"), ("today", "--json")):
            listed = demo.json(*args, "--as-of", when)
            assert _errors(actions, listed) == [], args
            seen |= {a["status"] for a in listed}
    assert {"due", "upcoming", "done", "replaced", "snoozed", "missed"} <= seen


def test_a_version_2_field_in_a_version_1_document_is_refused_by_both() -> None:
    doc: Any = demo_document(NOW)
    doc["version"] = 1
    for opportunity in doc["opportunities"]:
        opportunity.pop("recorded_at", None)
        for touch in opportunity.get("touches", []):
            for key in ("completes", "acts", "outcome"):
                touch.pop(key, None)
        for offer in opportunity.get("offers", []):
            offer.pop("decision", None)
            offer.pop("decided", None)
    assert _errors(_validator(INTERCHANGE), doc) == []
    assert parse_document(doc)[1] == []
    doc["opportunities"][0]["touches"][0]["outcome"] = None  # even as null
    assert _errors(_validator(INTERCHANGE), doc)
    assert parse_document(doc)[1]


# --- the schema and the importer agree ----------------------------------------------------------


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_every_document_the_importer_reads_fits_the_schema(doc: dict[str, Any]) -> None:
    facts, _ = parse_document(doc)
    assume(facts is not None)  # rarely, two generated touches complete one action
    assert _errors(_validator(INTERCHANGE), doc) == []


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(documents(), st.data())
def test_a_document_the_schema_refuses_the_importer_refuses(
    doc: dict[str, Any], data: st.DataObject
) -> None:
    """One value anywhere replaced with arbitrary JSON: the schema never refuses a document the
    importer reads (it says less than the importer: references, zones, countries, addresses)."""
    damage(doc, data)
    schema_errors = _errors(_validator(INTERCHANGE), doc)
    facts, problems = parse_document(doc)
    if schema_errors:
        assert facts is None, schema_errors
    if facts is None:  # what the schema can see, both see
        assert schema_errors or any(
            "unknown person" in p.message
            or "duplicate" in p.message
            or "time zone" in p.message
            or "country" in p.message
            or "valid" in p.message
            or "listed twice" in p.message
            or "completed already" in p.message
            or "outside the years" in p.message
            or "whole number" in p.message
            or "version" in p.path
            for p in problems
        ), problems
