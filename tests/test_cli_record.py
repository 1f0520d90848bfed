"""Recording facts from the command line: opportunities, people, interviews, touches, offers,
achievements and the profile, with every error path (and nothing written on bad input)."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from test_cli_support import AS_OF, Cli, ids

HOSTILE = "<script>alert('x')</script> {{ 7*7 }} [bold]not bold[/] $(rm -rf /) ; DROP TABLE"


@pytest.fixture
def run(tmp_path: Path) -> Cli:
    cli = Cli(tmp_path / "followup.db")
    cli("profile", "set", "--name", "Alex", "--timezone", "America/New_York", "--country", "US")
    return cli


@pytest.fixture
def acme(run: Cli) -> Cli:
    run("opportunity", "add", "--company", "Acme Corp", "--role", "Staff Engineer", "--id", "acme")
    run("person", "add", "acme", "--name", "Dana Lee", "--role", "hiring-manager", "--key")
    run("person", "add", "acme", "--name", "Sam Ortiz", "--role", "recruiter")
    return run


def _document(run: Cli) -> dict[str, Any]:
    return json.loads(run.export())


def _opportunity(run: Cli, opp_id: str = "acme") -> dict[str, Any]:
    return next(o for o in _document(run)["opportunities"] if o["id"] == opp_id)


def test_opportunity_add_list_show_status(run: Cli) -> None:
    added = run(
        "opportunity",
        "add",
        "--company",
        "Acme Corp",
        "--role",
        "Staff Engineer",
        "--applied",
        "2030-02-18",
        "--rank",
        "1",
        "--expected-by",
        "2030-03-15",
        "--process",
        "panel, then the CTO",
        "--source",
        "referral",
        "--url",
        "https://acme.example/j",
    )
    run("opportunity", "add", "--company", "Acme Corp", "--role", "Another Role")

    listed = run.json("opportunity", "list", "--json")
    assert "acme-corp" in added.stdout
    assert [o["id"] for o in listed] == ["acme-corp", "acme-corp-1"]
    first = listed[0]
    assert first == {
        "id": "acme-corp",
        "company": "Acme Corp",
        "role": "Staff Engineer",
        "status": "active",
        "rank": 1,
        "applied": "2030-02-18",
        "people": 0,
        "interviews": 0,
        "last_interview": None,
        "pending_actions": 0,
        "next_action": None,
        "next_action_at": None,
    }
    assert listed[1]["rank"] is None

    run("opportunity", "status", "acme-corp", "rejected")
    stored = _opportunity(run, "acme-corp")
    assert stored["status"] == "rejected"
    assert stored["decision"] == {"expected_by": "2030-03-15", "process": "panel, then the CTO"}
    shown = run("opportunity", "show", "acme-corp").stdout
    assert "Acme Corp — Staff Engineer" in shown
    assert "status: rejected" in shown
    assert "Staff Engineer" in run("opportunity", "list").stdout


def test_opportunity_list_json_types(acme: Cli) -> None:
    acme("interview", "add", "acme", "--at", "2030-03-04T14:00", "--with", "dana")
    (item,) = acme.json("opportunity", "list", "--json")

    types = {
        "id": str,
        "company": str,
        "role": str,
        "status": str,
        "rank": (int, type(None)),
        "applied": (str, type(None)),
        "people": int,
        "interviews": int,
        "last_interview": (str, type(None)),
        "pending_actions": int,
        "next_action": (str, type(None)),
        "next_action_at": (str, type(None)),
    }
    assert set(item) == set(types)
    for key, kind in types.items():
        assert isinstance(item[key], kind), key
    assert item["last_interview"] == "2030-03-04T14:00:00-05:00"
    assert item["pending_actions"] > 0


def test_person_ids_come_from_names(acme: Cli) -> None:
    acme("person", "add", "acme", "--name", "Dana Smith", "--role", "panel", "--no-vote")
    acme("person", "add", "acme", "--name", "Dana Smith", "--role", "panel", "--new")

    people = _opportunity(acme)["people"]
    assert [p["id"] for p in people] == ["dana", "sam", "dana-smith", "dana-smith-1"]
    assert people[0]["key"] is True
    assert people[2]["has_vote"] is False


# -- no silent duplicates ---------------------------------------------------------------------


def test_the_same_person_again_is_refused_unless_new(acme: Cli) -> None:
    before = acme.export()

    refused = acme("person", "add", "acme", "--name", "  dana  LÉE ", "--role", "panel", expect=4)

    assert refused.stderr == (
        "error: opportunity 'acme' has Dana Lee already, as person 'dana'\n"
        "hint: if this is another person, give --new to add it anyway\n"
    )
    assert acme.export() == before
    added = acme("person", "add", "acme", "--name", "Dana Lée", "--role", "panel", "--new")
    assert "(dana-lee)" in added.stdout
    assert [p["name"] for p in _opportunity(acme)["people"]] == [
        "Dana Lee",
        "Sam Ortiz",
        "Dana Lée",
    ]


def test_the_same_opportunity_again_is_refused_unless_new(acme: Cli) -> None:
    before = acme.export()

    refused = acme(
        "opportunity", "add", "--company", "ACME  corp", "--role", "staff engineer", expect=4
    )

    assert "Acme Corp — Staff Engineer is recorded already, as opportunity 'acme'" in refused.stderr
    assert "--new" in refused.stderr
    assert acme.export() == before
    acme("opportunity", "add", "--company", "Acme Corp", "--role", "Principal Engineer")
    acme("opportunity", "add", "--company", "Acme Corp", "--role", "Staff Engineer", "--new")
    listed = acme.json("opportunity", "list", "--json")
    assert [o["id"] for o in listed] == ["acme", "acme-corp", "acme-corp-1"]


def test_the_same_interview_again_is_refused_unless_new(acme: Cli) -> None:
    acme("interview", "add", "acme", "--at", "2030-03-04T14:00", "--with", "dana,sam")
    before = acme.export()

    # the same instant written with its offset, the same people in another order
    again = [
        "interview",
        "add",
        "acme",
        "--at",
        "2030-03-04T19:00Z",
        "--with",
        "sam",
        "--with",
        "dana",
    ]
    refused = acme(*again, expect=4)

    assert "interview 'i1' of opportunity 'acme' is at 2030-03-04T19:00:00+00:00" in refused.stderr
    assert "with the same people (dana, sam)" in refused.stderr
    assert acme.export() == before
    acme("interview", "add", "acme", "--at", "2030-03-04T14:00", "--with", "dana")  # fewer people
    acme(*again, "--new")
    assert [i["id"] for i in _opportunity(acme)["interviews"]] == ["i1", "i2", "i3"]


def test_contacts_are_stored_normalised(acme: Cli) -> None:
    acme(
        "person", "add", "acme", "--name", "Kim Park", "--role", "panel",
        "--email", " Kim.Park@ACME.Example ", "--phone", "(617) 555-0142",
    )  # fmt: skip
    kim = _opportunity(acme)["people"][-1]
    assert (kim["email"], kim["phone"]) == ("Kim.Park@acme.example", "+16175550142")


def test_an_import_with_a_bad_phone_number_names_it_and_imports_nothing(
    acme: Cli, tmp_path: Path
) -> None:
    before = acme.export()
    document = json.loads(before)
    document["opportunities"][0]["people"][1]["phone"] = "ask reception"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    refused = acme("import", str(path), "--force", expect=5)

    assert (
        "opportunities[0].people[1].phone: 'ask reception' is not a phone number" in refused.stderr
    )
    assert acme.export() == before


def test_interview_with_notes_and_next_step(acme: Cli) -> None:
    acme(
        "interview",
        "add",
        "acme",
        "--at",
        "2030-03-04T14:00",
        "--with",
        "dana,sam",
        "--note",
        "dana=Kafka migration = hard",
        "--note",
        f"sam={HOSTILE}",
        "--kind",
        "onsite",
        "--duration",
        "90",
        "--next-step-what",
        "decision call",
        "--next-step-when",
        "2030-03-08",
        "--next-step-who",
        "sam",
    )
    acme(
        "interview",
        "next-step",
        "acme",
        "i1",
        "--what",
        "reference checks",
        "--when",
        "2030-03-07T16:00-05:00",
    )

    (interview,) = _opportunity(acme)["interviews"]
    assert interview == {
        "id": "i1",
        "at": "2030-03-04T14:00-05:00",
        "duration_minutes": 90,
        "kind": "onsite",
        "with": ["dana", "sam"],
        "notes": {"dana": "Kafka migration = hard", "sam": HOSTILE},
        "next_step": {"what": "reference checks", "when": "2030-03-07T16:00-05:00"},
    }
    # wide enough that the table never wraps the note (a test worker has no terminal)
    shown = acme("opportunity", "show", "acme", env={"COLUMNS": "400"}).stdout
    assert HOSTILE in shown, "user text is shown verbatim, never as markup"
    plan = acme.json("plan", "acme", "--json", "--as-of", AS_OF)
    assert "thank-you:acme:dana:i1" in ids(plan)


def test_touch_inbound_with_a_named_date_becomes_a_callback(acme: Cli) -> None:
    acme("interview", "add", "acme", "--at", "2030-03-04T14:00", "--with", "dana")
    acme(
        "touch",
        "add",
        "acme",
        "--person",
        "dana",
        "--in",
        "--channel",
        "phone",
        "--summary",
        "call me Monday",
        "--states-date",
        "2030-03-11",
        "--at",
        "2030-03-06T09:00",
    )
    acme(
        "touch",
        "add",
        "acme",
        "--person",
        "dana",
        "--kind",
        "thank-you",
        "--at",
        "2030-03-04T18:00",
    )

    touches = _opportunity(acme)["touches"]
    assert touches[0] == {
        "id": "t1",
        "at": "2030-03-06T09:00-05:00",
        "person": "dana",
        "channel": "phone",
        "direction": "in",
        "kind": "other",
        "summary": "call me Monday",
        "states_date": "2030-03-11",
    }
    assert touches[1]["direction"] == "out"
    assert touches[1]["kind"] == "thank-you"
    plan = acme.json("plan", "acme", "--json", "--all", "--as-of", "2030-03-07")
    rules = {a["rule"] for a in plan}
    assert "callback" in rules
    thanks = next(a for a in plan if a["id"] == "thank-you:acme:dana:i1")
    assert thanks["status"] == "done"


def test_who_acts_on_a_named_date_is_recorded_and_said(acme: Cli) -> None:
    acme("interview", "add", "acme", "--at", "2030-03-04T14:00", "--with", "dana")
    acme(
        "touch", "add", "acme", "--person", "sam", "--in", "--summary", "we decide by the 15th",
        "--states-date", "2030-03-15", "--acts", "they", "--at", "2030-03-06T09:00",
    )  # fmt: skip
    [touch] = _opportunity(acme)["touches"]
    assert touch["states_date"] == "2030-03-15" and touch["acts"] == "they"
    [callback] = [
        a
        for a in acme.json("plan", "acme", "--json", "--as-of", "2030-03-07")
        if a["rule"] == "callback"
    ]
    # they act by Fri 15 Mar: you follow up on Mon 18 Mar if nothing came
    assert callback["window_start"] == "2030-03-18T09:00:00-04:00"
    assert "they said they would get back to you by Fri 15 Mar" in callback["reason"]
    # the version-1 document has no room for it
    v1 = json.loads(acme("export", "--version", "1").stdout)
    assert "acts" not in v1["opportunities"][0]["touches"][0]
    refused = acme("touch", "add", "acme", "--person", "sam", "--acts", "they", expect=2)
    assert "--acts says who acts on a named date: give --states-date too" in refused.output
    assert len(_opportunity(acme)["touches"]) == 1  # nothing written


def test_a_missed_action_can_be_reopened_or_let_go(acme: Cli) -> None:
    acme("interview", "add", "acme", "--at", "2030-02-25T14:00", "--with", "dana")
    thanks = "thank-you:acme:dana:i1"
    [missed] = [a for a in acme.json("plan", "--json") if a["id"] == thanks]
    assert missed["status"] == "missed" and missed["missed_at"].startswith("2030-03-01")
    assert thanks in acme("today").stdout.split("Missed (")[1]
    assert "Reopened thank-you:acme:dana:i1" in acme("reopen", thanks).stdout
    [again] = [a for a in acme.json("plan", "--json") if a["id"] == thanks]
    assert again["status"] == "due"  # its window opens again now, for its 24 hours
    [later] = [a["id"] for a in acme.json("plan", "--json") if a["rule"] == "still-in-running"]
    refused = acme("reopen", later, expect=2)  # not open yet
    assert "only an action already open (due, overdue or missed) reopens" in refused.output


def test_offer_moves_an_active_opportunity_to_offer(acme: Cli) -> None:
    acme("offer", "add", "acme", "--received", "2030-03-06", "--expires", "2030-03-13")

    opp = _opportunity(acme)
    assert opp["status"] == "offer"
    assert opp["offers"] == [{"id": "o1", "received": "2030-03-06", "expires": "2030-03-13"}]


def test_achievement_and_profile(run: Cli) -> None:
    run(
        "achievement",
        "add",
        "--title",
        "Talk: Kafka at scale",
        "--kind",
        "talk",
        "--tag",
        "kafka",
        "--tag",
        "billing",
        "--at",
        "2030-03-01",
    )
    run("profile", "set", "--weekly-target", "4", "--country", "de")

    document = _document(run)
    assert document["achievements"] == [
        {
            "id": "a1",
            "at": "2030-03-01",
            "kind": "talk",
            "title": "Talk: Kafka at scale",
            "tags": ["kafka", "billing"],
        }
    ]
    assert run.json("profile", "show", "--json") == {
        "name": "Alex",
        "timezone": "America/New_York",
        "country": "DE",
        "weekly_target": 4,
    }


# -- errors: nothing is written --------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["person", "add", "ghost", "--name", "X", "--role", "hr"],
            3,
            "unknown opportunity 'ghost'",
        ),
        (
            ["interview", "add", "acme", "--at", "2030-03-04T14:00", "--with", "ghost"],
            3,
            "unknown person 'ghost' in opportunity 'acme' (known: dana, sam)",
        ),
        (
            [
                "interview",
                "add",
                "acme",
                "--at",
                "2030-03-04T14:00",
                "--with",
                "dana",
                "--note",
                "ghost=hi",
            ],
            3,
            "unknown person 'ghost'",
        ),
        (
            ["interview", "add", "acme", "--at", "2030-03-04", "--with", "dana"],
            2,
            "needs a time of day",
        ),
        (
            ["interview", "add", "acme", "--at", "next monday", "--with", "dana"],
            2,
            "'next monday' is not a date and time (ISO 8601, e.g. 2026-11-02T14:00",
        ),
        (
            [
                "interview",
                "add",
                "acme",
                "--at",
                "2030-03-04T14:00",
                "--with",
                "dana",
                "--note",
                "no equals sign",
            ],
            2,
            "--note expects NAME=TEXT",
        ),
        (
            [
                "interview",
                "add",
                "acme",
                "--at",
                "2030-03-04T14:00",
                "--with",
                "dana",
                "--next-step-what",
                "call",
            ],
            2,
            "needs both --next-step-what and --next-step-when",
        ),
        (
            ["interview", "next-step", "acme", "i9", "--what", "x", "--when", "2030-03-05"],
            3,
            "unknown interview 'i9'",
        ),
        (["touch", "add", "acme", "--person", "ghost"], 3, "unknown person 'ghost'"),
        (
            ["touch", "add", "acme", "--person", "dana", "--states-date", "31/12/2030"],
            2,
            "--states-date",
        ),
        (["touch", "add", "acme", "--person", "dana", "--channel", "pigeon"], 2, "pigeon"),
        (["offer", "add", "ghost"], 3, "unknown opportunity 'ghost'"),
        (
            ["opportunity", "add", "--company", "X", "--role", "Y", "--id", "bad id!"],
            2,
            "is not a valid id",
        ),
        (["opportunity", "add", "--company", "X", "--role", "Y", "--id", "acme"], 4, "acme"),
        (["opportunity", "add", "--role", "Y"], 2, "missing --company"),
        (
            [
                "opportunity",
                "add",
                "--company",
                "X",
                "--role",
                "Y",
                "--applied",
                "2030-03-04T10:00",
            ],
            2,
            "'2030-03-04T10:00' is not a date (YYYY-MM-DD): give the day only, e.g. 2030-03-04",
        ),
        (["opportunity", "status", "ghost", "rejected"], 3, "unknown opportunity 'ghost'"),
        (["opportunity", "show", "ghost"], 3, "unknown opportunity 'ghost'"),
        (
            ["person", "add", "acme", "--name", "X", "--role", "hr", "--timezone", "Mars/Base"],
            2,
            "is not an IANA time zone name",
        ),
        (
            ["person", "add", "acme", "--name", "Dana Again", "--role", "hr", "--id", "dana"],
            4,
            "dana",
        ),
        (
            ["person", "add", "acme", "--name", "Kim", "--role", "hr", "--email", "kim@acme"],
            2,
            "person.email: 'kim@acme' is not a valid e-mail address",
        ),
        (
            ["person", "add", "acme", "--name", "Kim", "--role", "hr", "--phone", "030 1234567"],
            2,
            "person.phone: '030 1234567' is not a valid phone number: write it as dialled in US",
        ),
        (
            ["person", "add", "acme", "--name", "Dana Lee", "--role", "hr", "--phone", "12"],
            2,  # a bad value is reported before the repeat: --new would not help
            "person.phone: '12' is not a valid phone number",
        ),
        (["profile", "set", "--timezone", "Nowhere/Land"], 2, "profile.timezone"),
        (["profile", "set", "--country", "USA"], 2, "two-letter country code"),
        (["profile", "set"], 2, "nothing to change"),
        (["achievement", "add", "--title", "  "], 2, "achievement.title: must not be empty"),
        (
            ["interview", "add", "acme", "--at", "1066-10-14T09:00", "--with", "dana"],
            2,
            "outside the years",
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    acme: Cli, args: list[str], code: int, message: str
) -> None:
    before = acme.export()

    result = acme(*args, expect=code)

    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert acme.export() == before


def test_prompts_in_a_terminal(tmp_path: Path) -> None:
    """Run in a terminal without flags, `opportunity add` asks for what it needs."""
    db = tmp_path / "followup.db"
    leader, follower = pty.openpty()
    follower_name = os.ttyname(follower)
    with (
        open(follower_name, "rb+", buffering=0) as tty,
        subprocess.Popen(
            [Path(sys.executable).with_name("followup"), "--db", str(db), "opportunity", "add"],
            stdin=tty,
            stdout=tty,
            stderr=tty,
        ) as proc,
    ):
        os.close(follower)
        seen = b""
        for answer in (b"Initech\n", b"Principal Engineer\n"):
            while b": " not in seen[-40:]:
                seen += os.read(leader, 1024)
            os.write(leader, answer)
            seen = b""
        proc.wait(timeout=60)
    os.close(leader)

    listed = Cli(db).json("opportunity", "list", "--json")
    assert [(o["id"], o["company"], o["role"]) for o in listed] == [
        ("initech", "Initech", "Principal Engineer")
    ]


def _interactive(run: Cli, args: list[str], answers: str) -> Any:
    from click.testing import CliRunner

    from followup.cli.app import App
    from followup.cli.root import cli as root
    from test_cli_support import NOW

    app = App(environ=os.environ, clock=lambda: NOW, interactive=True)
    return CliRunner().invoke(root, ["--db", str(run.db), *args], obj=app, input=answers)


def test_interview_add_in_a_terminal_lists_the_ids_and_asks_again_for_a_wrong_one(
    acme: Cli,
) -> None:
    answers = "\n".join(["2030-03-04T14:00", "dana ghost", "dana sam", "Kafka migration", "", ""])
    result = _interactive(acme, ["interview", "add", "acme"], answers)
    assert result.exit_code == 0, result.output
    assert "dana" in result.output and "Dana Lee (hiring-manager)" in result.output
    assert "unknown: ghost (the ids are dana, sam)" in result.output
    [interview] = _opportunity(acme)["interviews"]
    assert interview["with"] == ["dana", "sam"]  # the wrong answer cost nothing typed before
    assert interview["notes"] == {"dana": "Kafka migration"}
    assert interview["at"] == "2030-03-04T14:00-05:00"


def test_profile_set_in_a_terminal_asks_with_the_current_values(run: Cli) -> None:
    result = _interactive(run, ["profile", "set"], "\n".join(["Alex Morgan", "", "de", "x", "4"]))
    assert result.exit_code == 0, result.output
    assert "a whole number from 0 to 1000, or empty" in result.output
    profile = _document(run)["profile"]
    assert profile == {"name": "Alex Morgan", "timezone": "America/New_York", "country": "DE",
                       "weekly_target": 4}  # fmt: skip
