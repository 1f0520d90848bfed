"""Import, export, demo, and acting on the plan (done, skip, snooze, unskip)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from test_cli_support import AS_OF, Cli, ids, sample_document

HOSTILE = "<script>alert(1)</script> {{ config }} \\n \t tab, “quotes”, emoji 🎯, RTL \u202e"


@pytest.fixture
def run(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "followup.db")


@pytest.fixture
def loaded(run: Cli, tmp_path: Path) -> Cli:
    run.load(folder=tmp_path)
    return run


# -- import and export -----------------------------------------------------------------------


def test_export_import_export_is_byte_identical(loaded: Cli, tmp_path: Path) -> None:
    loaded("skip", "value-add:acme:dana:i1")
    loaded("snooze", "phone-call:acme:sam:i1", "--until", "2030-03-07T09:00")
    loaded("done", "thank-you:acme:dana:i1", "--note", HOSTILE)
    first = tmp_path / "first.json"
    second = tmp_path / "second.json"
    loaded("export", str(first))

    other = Cli(tmp_path / "other.db")
    other("import", str(first))
    other("export", str(second))

    assert first.read_bytes() == second.read_bytes()
    assert other.export() == first.read_text(encoding="utf-8")
    assert (
        HOSTILE
        in json.loads(first.read_text(encoding="utf-8"))["opportunities"][0]["touches"][0][
            "summary"
        ]
    )
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def _with_completed_thanks() -> dict[str, Any]:
    """The sample as a version 2 document: Dana's thank-you was sent, completing its action."""
    document = sample_document()
    document["version"] = 2
    document["opportunities"][0]["touches"] = [
        {
            "id": "t1",
            "at": "2030-03-04T18:00-05:00",
            "person": "dana",
            "channel": "email",
            "direction": "out",
            "kind": "thank-you",
            "summary": "Thanked Dana",
            "completes": {"action": "thank-you:acme:dana:i1", "rule": "thank-you"},
        }
    ]
    return document


def test_export_writes_version_2_by_default_and_keeps_completes(run: Cli, tmp_path: Path) -> None:
    run.load(_with_completed_thanks(), folder=tmp_path)

    exported = json.loads(run.export())

    assert exported["version"] == 2
    (touch,) = exported["opportunities"][0]["touches"]
    assert touch["completes"] == {"action": "thank-you:acme:dana:i1", "rule": "thank-you"}
    assert list(touch)[-1] == "completes"


@pytest.mark.parametrize("version", ["1", "2"])
def test_export_import_export_is_byte_identical_in_each_version(
    run: Cli, tmp_path: Path, version: str
) -> None:
    run.load(_with_completed_thanks(), folder=tmp_path)
    first = tmp_path / "first.json"
    second = tmp_path / "second.json"
    run("export", "--version", version, str(first))

    other = Cli(tmp_path / "other.db")
    other("import", str(first))
    other("export", "--version", version, str(second))

    assert first.read_bytes() == second.read_bytes()
    assert json.loads(first.read_text(encoding="utf-8"))["version"] == int(version)


def test_export_version_1_is_for_older_followup(run: Cli, tmp_path: Path) -> None:
    run.load(_with_completed_thanks(), folder=tmp_path)

    old = json.loads(run("export", "--version", "1").stdout)
    new = json.loads(run.export())

    assert old["version"] == 1
    (touch,) = old["opportunities"][0]["touches"]
    assert "completes" not in touch
    assert touch["kind"] == "thank-you" and touch["summary"] == "Thanked Dana"
    del new["opportunities"][0]["touches"][0]["completes"]
    for opp in new["opportunities"]:
        del opp["recorded_at"]  # version 2 only: when the import recorded it
    assert {**new, "version": 1} == old  # nothing else is left out


def test_a_version_1_document_still_imports(run: Cli, tmp_path: Path) -> None:
    document = sample_document()
    assert document["version"] == 1
    run.load(document, folder=tmp_path)

    again = json.loads(run("export", "--version", "1").stdout)

    assert again["opportunities"][0]["interviews"] == document["opportunities"][0]["interviews"]
    assert again["profile"] == document["profile"]


def test_export_refuses_an_unknown_version(run: Cli) -> None:
    result = run("export", "--version", "3", expect=2)

    assert "--version" in result.stderr
    assert "'3' is not one of '1', '2'" in result.stderr


def test_completes_in_a_version_1_document_is_refused_with_the_fix(
    run: Cli, tmp_path: Path
) -> None:
    document = _with_completed_thanks()
    document["version"] = 1
    document["opportunities"][0]["touches"][0]["completes"]["rule"] = "thanks"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document), encoding="utf-8")

    result = run("import", str(bad), expect=5)

    assert f"{bad} has 1 problem; nothing was imported" in result.stderr
    assert (
        "opportunities[0].touches[0].completes: only a version 2 document says which action a "
        'touch completed: set "version": 2 at the top of the document'
    ) in result.stderr


def test_a_bad_completes_names_its_place(run: Cli, tmp_path: Path) -> None:
    document = _with_completed_thanks()
    document["opportunities"][0]["touches"][0]["completes"] = {"action": "thank you", "rule": "x"}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document), encoding="utf-8")

    result = run("import", str(bad), expect=5)

    assert "has 2 problems" in result.stderr
    assert "opportunities[0].touches[0].completes.action: 'thank you' is not an action id" in (
        result.stderr
    )
    assert "opportunities[0].touches[0].completes.rule: 'x' is not one of: next-step," in (
        result.stderr
    )
    assert json.loads(run.export())["opportunities"] == []


def test_hostile_strings_round_trip_verbatim(run: Cli, tmp_path: Path) -> None:
    document = sample_document()
    acme = document["opportunities"][0]
    acme["company"] = HOSTILE
    acme["interviews"][0]["notes"]["dana"] = HOSTILE
    acme["people"][0]["name"] = '[red]Dana[/red] O\'Brien "DL"'
    run.load(document, folder=tmp_path)

    exported = json.loads(run.export())
    assert exported["opportunities"][0]["company"] == HOSTILE
    assert exported["opportunities"][0]["interviews"][0]["notes"]["dana"] == HOSTILE
    shown = run("opportunity", "show", "acme").stdout
    assert "[red]Dana[/red] O'Brien" in shown
    plan = run.json("plan", "acme", "--json", "--as-of", AS_OF)
    assert any("[red]Dana[/red]" in a["reason"] for a in plan)


def test_broken_json_is_refused_with_line_and_column(loaded: Cli, tmp_path: Path) -> None:
    before = loaded.export()
    broken = tmp_path / "broken.json"
    broken.write_text('{"version": 1,\n  "profile": {,}\n}', encoding="utf-8")

    result = loaded("import", "--force", str(broken), expect=5)

    assert f"error: {broken} is not valid JSON" in result.stderr
    assert "line 2, column 15" in result.stderr
    assert loaded.export() == before


def test_invalid_document_lists_every_problem_and_writes_nothing(
    loaded: Cli, tmp_path: Path
) -> None:
    before = loaded.export()
    document = sample_document()
    document["opportunities"][0]["interviews"][0]["with"].append("ghost")
    document["opportunities"][1]["compnay"] = "Typo Inc"
    document["opportunities"][1]["interviews"][0]["at"] = "2030-02-25 11:00"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document), encoding="utf-8")

    result = loaded("import", "--force", str(bad), expect=5)

    assert f"{bad} has 3 problems; nothing was imported" in result.stderr
    assert (
        "opportunities[0].interviews[0].with[2]: unknown person 'ghost' in opportunity 'acme'"
        in result.stderr
    )
    assert "opportunities[1]: unknown field 'compnay'" in result.stderr
    assert "opportunities[1].interviews[0].at" in result.stderr
    assert loaded.export() == before


def test_import_refuses_to_replace_without_force(loaded: Cli, tmp_path: Path) -> None:
    document = sample_document()
    document["opportunities"] = document["opportunities"][:1]
    path = tmp_path / "one.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    refused = loaded("import", str(path), expect=4)
    loaded("import", "--force", str(path))

    assert "already has 2 opportunities" in refused.stderr
    assert "--force" in refused.stderr
    assert [o["id"] for o in json.loads(loaded.export())["opportunities"]] == ["acme"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.json", None, "cannot read"),
        ("latin1.json", b"\xff\xfe{}", "is not UTF-8 text"),
        ("array.json", b"[]", "has 1 problem"),
    ],
)
def test_unreadable_files(
    run: Cli, tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)

    result = run("import", str(path), expect=5 if name == "array.json" else 2)

    assert message in result.stderr
    assert json.loads(run.export())["opportunities"] == []


def test_import_from_stdin(run: Cli) -> None:
    run("import", "-", input=json.dumps(sample_document()))

    assert [o["id"] for o in json.loads(run.export())["opportunities"]] == ["acme", "globex"]


def test_export_to_an_unwritable_place(loaded: Cli, tmp_path: Path) -> None:
    result = loaded("export", str(tmp_path / "no" / "such" / "folder" / "out.json"), expect=2)

    assert "cannot write" in result.stderr


def test_demo_refuses_a_database_with_data(loaded: Cli) -> None:
    refused = loaded("demo", expect=4)
    loaded("demo", "--force")

    assert "already has 2 opportunities" in refused.stderr
    assert len(json.loads(loaded.export())["opportunities"]) == 3


def test_demo_with_a_bad_time_zone(run: Cli) -> None:
    result = run("demo", "--timezone", "Atlantis/Capital", expect=2)

    assert "--timezone" in result.stderr


# -- acting on the plan ----------------------------------------------------------------------


def test_done_says_what_was_done(loaded: Cli) -> None:
    result = loaded("done", "thank-you:acme:sam:i1")
    assert result.stdout.startswith("Done: Thank-you e-mail to Sam Ortiz (touch t1, ")
    assert "followup undone thank-you:acme:sam:i1" in result.stdout
    (touch,) = json.loads(loaded.export())["opportunities"][0]["touches"]
    assert touch["summary"] == "Thank-you e-mail to Sam Ortiz"
    assert touch["body"].startswith("Subject: ")  # the final draft is kept with it


def _status(run: Cli, action_id: str, as_of: str = AS_OF) -> str:
    plan = run.json("plan", "--json", "--all", "--as-of", as_of)
    return str(next(a["status"] for a in plan if a["id"] == action_id))


def test_done_logs_the_matching_touch(loaded: Cli) -> None:
    result = loaded("done", "thank-you:acme:dana:i1", "--note", "Thanked Dana for the Kafka chat")

    assert "Done: Thanked Dana for the Kafka chat (touch t1, " in result.stdout
    assert _status(loaded, "thank-you:acme:dana:i1") == "done"
    (touch,) = json.loads(loaded.export())["opportunities"][0]["touches"]
    assert touch["direction"] == "out"
    assert touch["kind"] == "thank-you"
    assert touch["summary"] == "Thanked Dana for the Kafka chat"
    assert touch["at"] == "2030-03-05T10:00-05:00"  # the clock's NOW, in the profile's zone
    again = loaded("done", "thank-you:acme:dana:i1", expect=4)
    assert "already done" in again.stderr


def test_done_refuses_what_a_touch_now_cannot_complete(loaded: Cli) -> None:
    loaded("interview", "add", "acme", "--at", "2030-03-12T14:00", "--with", "dana", "--id", "i9")
    before = loaded.export()

    early = loaded("done", "thank-you:acme:dana:i9", expect=2)

    assert "cannot be done yet" in early.stderr
    assert "2030-03-12" in early.stderr
    assert loaded.export() == before  # no touch logged


def test_skip_snooze_unskip_change_the_plan(loaded: Cli) -> None:
    loaded("skip", "value-add:acme:dana:i1")
    assert _status(loaded, "value-add:acme:dana:i1") == "skipped"
    assert "value-add:acme:dana:i1" not in ids(loaded.json("plan", "--json", "--as-of", AS_OF))

    loaded("unskip", "value-add:acme:dana:i1")
    assert _status(loaded, "value-add:acme:dana:i1") != "skipped"

    loaded("snooze", "phone-call:acme:sam:i1", "--until", "2030-03-07T09:00")
    assert _status(loaded, "phone-call:acme:sam:i1") == "snoozed"
    assert _status(loaded, "phone-call:acme:sam:i1", "2030-03-07T09:30") == "due"
    today = loaded("today", "--as-of", AS_OF).stdout
    before, soon = today.split("Next 7 days", 1)
    assert "phone-call:acme:sam:i1" not in before  # not due while snoozed
    assert "phone-call:acme:sam:i1" in soon  # but shown where it comes back

    not_decided = loaded("unskip", "thank-you:acme:sam:i1", expect=2)
    assert "neither skipped nor snoozed" in not_decided.stderr


@pytest.mark.parametrize("command", [["done"], ["skip"], ["snooze", "--until", "2030-04-01"]])
def test_unknown_action(loaded: Cli, command: list[str]) -> None:
    result = loaded(command[0], "no-such:action", *command[1:], expect=3)

    assert "error: unknown action 'no-such:action'" in result.stderr
    assert "followup plan" in result.stderr


def test_snooze_must_be_in_the_future(loaded: Cli) -> None:
    before = loaded.export()

    past = loaded("snooze", "phone-call:acme:sam:i1", "--until", "2030-03-01", expect=2)
    bad = loaded("snooze", "phone-call:acme:sam:i1", "--until", "soon", expect=2)
    missing = loaded("snooze", "phone-call:acme:sam:i1", expect=2)

    assert "is not in the future" in past.stderr
    assert "--until" in bad.stderr
    assert "2026-11-02" in bad.stderr
    assert "missing --until" in missing.stderr
    assert loaded.export() == before


def test_keep_searching_is_not_done_by_a_touch(loaded: Cli) -> None:
    plan = loaded.json("plan", "--json", "--as-of", AS_OF)
    weekly = next(a["id"] for a in plan if a["rule"] == "keep-searching")

    result = loaded("done", weekly, expect=2)

    assert "done by applying" in result.stderr
