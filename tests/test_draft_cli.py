"""`followup draft`, `followup check` and `followup done` keeping the final text, in-process."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from draft_facts import NOW, document
from test_cli_support import Cli

THANKS = "thank-you:brightwave:owen:panel"


@pytest.fixture
def run(tmp_path: Path) -> Cli:
    cli = Cli(tmp_path / "followup.db", now=NOW)
    cli.load(document(), folder=tmp_path)
    return cli


def test_draft_json_has_the_documented_fields(run: Cli) -> None:
    doc = run.json("draft", THANKS, "--json")
    assert {"action", "channel", "to", "subject", "body", "warnings"} <= set(doc)
    assert doc["action"] == THANKS and doc["channel"] == "email"
    assert doc["to"] == "owen@brightwave.example"
    assert "Windows CE" in doc["body"] and doc["warnings"] == []


def test_draft_prints_headers_and_warnings_on_stderr(run: Cli) -> None:
    result = run("draft", "counter-offer:brightwave:nadia:harbor.offer")
    assert result.stdout.startswith("To: +12125550100\n\nCall Nadia Haddad")  # stored E.164
    assert "Voicemail" in result.stdout
    assert result.stderr == ""


def test_mailto_carries_subject_and_body(run: Cli) -> None:
    link = run("draft", THANKS, "--mailto").stdout.strip()
    parts = urlsplit(link)
    assert parts.scheme == "mailto" and parts.path == "owen@brightwave.example"
    query = parse_qs(parts.query)
    assert query["subject"][0].startswith("Thank you")
    assert "Windows CE" in query["body"][0]
    run("draft", "counter-offer:brightwave:nadia:harbor.offer", "--mailto", expect=2)


def test_edit_keeps_the_text_and_done_logs_it_as_the_body(run: Cli, tmp_path: Path) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys\n"
        "p = sys.argv[1]\n"
        "t = open(p, encoding='utf-8').read()\n"
        "open(p, 'w', encoding='utf-8').write(t.replace('Hi Owen,', 'Owen, hello!'))\n",
        encoding="utf-8",
    )
    result = run("draft", THANKS, "--edit", env={"EDITOR": f"{sys.executable} {editor}"})
    assert "Owen, hello!" in result.stdout
    doc = run.json("draft", THANKS, "--json")
    assert doc["edited"] is True and doc["body"].startswith("Owen, hello!")
    run("done", THANKS)
    exported = json.loads(run.export())
    touch = exported["opportunities"][0]["touches"][-1]
    assert touch["kind"] == "thank-you" and touch["person"] == "owen"
    assert touch["body"].startswith("Subject: Thank you") and "Owen, hello!" in touch["body"]


def test_done_keeps_the_unedited_draft_of_a_message_but_not_a_call_script(run: Cli) -> None:
    run("done", "thank-you:brightwave:lucia:panel")
    run("done", "counter-offer:brightwave:nadia:harbor.offer")
    touches = json.loads(run.export())["opportunities"][0]["touches"]
    by_person = {t["person"]: t for t in touches}
    assert "carrier invoices" in by_person["lucia"]["body"]
    assert "body" not in by_person["nadia"] or not by_person["nadia"].get("body")


def test_discard_returns_to_the_template(run: Cli, tmp_path: Path) -> None:
    run("draft", THANKS, "--discard", expect=3)  # nothing to discard yet
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys\nopen(sys.argv[1], 'w').write('Subject: Mine\\n\\nMy own words.\\n')\n",
        encoding="utf-8",
    )
    run("draft", THANKS, "--edit", env={"EDITOR": f"{sys.executable} {editor}"})
    assert run.json("draft", THANKS, "--json")["subject"] == "Mine"
    run("draft", THANKS, "--discard")
    doc = run.json("draft", THANKS, "--json")
    assert doc["edited"] is False and "Windows CE" in doc["body"]


def test_check_flags_a_form_letter_sent_to_two_people(run: Cli) -> None:
    assert "No form letters" in run("check").stdout
    body = (
        "Hi {name},\n\nThank you for meeting me yesterday. I enjoyed learning about the team "
        "and the role, and I am excited about the chance to contribute to the company's "
        "success. I look forward to hearing about next steps.\n\nBest regards,\nJamie Rivera"
    )
    for person, name in (("owen", "Owen"), ("lucia", "Lucia")):
        run(
            "touch",
            "add",
            "brightwave",
            "--person",
            person,
            "--out",
            "--channel",
            "email",
            "--kind",
            "other",
            "--at",
            "2030-03-05T09:00",
            "--summary",
            "note",
            "--body",
            body.format(name=name),
        )
    result = run("check", expect=1)
    assert "1 pair too alike" in result.stdout and "100%" in result.stdout
    doc = json.loads(run("check", "--json", expect=1).stdout)
    assert doc["threshold"] == 0.45
    (flag,) = doc["flagged"]
    assert flag["similarity"] == 1.0 and flag["same_opportunity"] is True
    assert "look forward to hearing about next steps" in flag["shared"]
    assert "Owen Price" in flag["first_label"] + flag["second_label"]


def test_unknown_action_is_a_clear_error(run: Cli) -> None:
    result = run("draft", "thank-you:nowhere:x:y", expect=3)
    assert "unknown action 'thank-you:nowhere:x:y'" in result.stderr


def test_a_draft_too_like_a_sent_message_is_flagged_on_the_draft(run: Cli) -> None:
    body = run.json("draft", THANKS, "--json")["body"].replace("Owen", "Lucia")
    run(
        "touch", "add", "brightwave", "--person", "lucia", "--out", "--kind", "thank-you",
        "--at", "2030-03-05T08:00", "--body", body,
    )  # fmt: skip
    doc = run.json("draft", THANKS, "--json")
    (warning,) = doc["warnings"]
    assert warning.startswith("too much like sent thank-you 2030-03-05")
    assert "to Lucia Moretti" in warning and "100% alike" in warning
    result = run("draft", THANKS)
    assert "warning: too much like sent thank-you" in result.stderr


def test_an_action_without_a_draft_says_so(run: Cli) -> None:
    week = next(a["id"] for a in run.json("plan", "--json") if a["rule"] == "keep-searching")
    result = run("draft", week, expect=2)
    assert f"action '{week}' has no draft" in result.stderr


def test_done_keeps_the_users_own_template(run: Cli, tmp_path: Path) -> None:
    config = tmp_path / "my-config"
    (config / "templates").mkdir(parents=True)
    (config / "templates" / "thank-you.txt").write_text(
        "Subject: Thanks from {{ sender }}\n\nDear {{ person.first_name }}, my own words.\n",
        encoding="utf-8",
    )
    run("done", "thank-you:brightwave:lucia:panel", env={"FOLLOWUP_CONFIG_DIR": str(config)})
    touches = json.loads(run.export())["opportunities"][0]["touches"]
    body = next(t for t in touches if t["person"] == "lucia")["body"]
    assert "my own words." in body
