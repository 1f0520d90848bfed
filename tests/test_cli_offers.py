"""Outcomes and offers on the command line: `touch add --outcome`, `offer extend|accept|decline`,
on a real SQLite file at a fixed moment (Tue 5 Mar 2030, 10:00 in New York), with every error
path refused before anything is written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from test_cli_support import Cli

#: the statuses of an action still to do
OPEN = ("upcoming", "due", "overdue", "missed", "snoozed")


@pytest.fixture
def run(tmp_path: Path) -> Cli:
    """The sample search (Acme ranked first, Globex second), loaded."""
    cli = Cli(tmp_path / "followup.db")
    cli.load(folder=tmp_path)
    return cli


def _opportunity(run: Cli, opp_id: str) -> dict[str, Any]:
    document = json.loads(run.export())
    return next(o for o in document["opportunities"] if o["id"] == opp_id)


def _open(run: Cli, *opp: str) -> dict[str, dict[str, Any]]:
    actions = run.json("plan", *opp, "--all", "--json")
    return {a["id"]: a for a in actions if a["status"] in OPEN}


def _offer_from_globex(run: Cli, *extra: str) -> None:
    run(
        "touch",
        "add",
        "globex",
        "--person",
        "kim",
        "--channel",
        "phone",
        "--at",
        "2030-03-05T09:00",
        "--summary",
        "offer: 180k",
        "--outcome",
        "offer",
        "--offer-expires",
        "2030-03-08",
        *extra,
    )


def test_a_touch_bringing_an_offer_records_it_and_plans_the_reminder(run: Cli) -> None:
    result = run(
        "touch",
        "add",
        "globex",
        "--person",
        "kim",
        "--channel",
        "phone",
        "--at",
        "2030-03-05T09:00",
        "--outcome",
        "offer",
        "--offer-expires",
        "2030-03-08",
    )

    assert result.stdout.splitlines() == [
        "Logged touch t1: other (phone) from kim.",
        "globex is now at the offer stage.",
    ]
    globex = _opportunity(run, "globex")
    assert globex["status"] == "offer"
    assert globex["touches"][0]["direction"] == "in"  # an offer is received
    assert globex["touches"][0]["outcome"] == "offer"
    assert globex["offers"] == [
        {"id": "o1", "received": "2030-03-05T09:00-05:00", "expires": "2030-03-08"}
    ]
    pending = _open(run)
    decide = pending["decide-by:globex:-:o1"]
    assert (decide["person"], decide["window_end"]) == (None, "2030-03-08T17:00:00-05:00")
    assert decide["reason"].startswith("Decide on the offer from Globex")
    assert "counter-offer:acme:dana:globex.o1" in pending  # Acme is ranked above Globex


def test_extend_accept_and_the_withdrawal_note(run: Cli) -> None:
    _offer_from_globex(run)

    extended = run("offer", "extend", "globex", "o1", "--expires", "2030-03-12")
    assert extended.stdout == "Offer o1 from globex now expires Tue 12 Mar.\n"
    assert _opportunity(run, "globex")["offers"][0]["expires"] == "2030-03-12"
    assert _open(run)["decide-by:globex:-:o1"]["window_end"] == "2030-03-12T17:00:00-04:00"

    accepted = run("offer", "accept", "globex", "o1", "--at", "2030-03-05T09:30")
    assert "Accepted offer o1 from globex" in accepted.stdout
    globex = _opportunity(run, "globex")
    assert globex["status"] == "accepted"
    assert globex["offers"][0]["decision"] == "accepted"
    assert globex["offers"][0]["decided"] == "2030-03-05T09:30-05:00"
    assert list(_open(run)) == ["withdrawal:acme:sam:globex.o1"]
    shown = run("opportunity", "show", "globex").stdout
    assert "accepted Tue 5 Mar 09:30" in shown and "(outcome: offer)" in shown

    draft = run("draft", "withdrawal:acme:sam:globex.o1").stdout
    assert "Sam" in draft and "Staff Engineer" in draft
    assert "Globex" not in draft
    run("done", "withdrawal:acme:sam:globex.o1")
    assert _open(run) == {}


def test_decline_returns_the_opportunity_to_active(run: Cli) -> None:
    _offer_from_globex(run)
    assert "counter-offer:acme:dana:globex.o1" in _open(run)

    result = run("offer", "decline", "globex", "o1")

    assert result.stdout == "Declined offer o1 from globex.\n"
    globex = _opportunity(run, "globex")
    assert (globex["status"], globex["offers"][0]["decision"]) == ("active", "declined")
    assert "counter-offer:acme:dana:globex.o1" not in _open(run)


def test_a_rejection_by_a_touch_stops_the_opportunity(run: Cli) -> None:
    assert any(a.startswith(("thank-you:acme", "phone-call:acme")) for a in _open(run, "acme"))

    result = run("touch", "add", "acme", "--person", "sam", "--outcome", "rejected")

    assert result.stdout.splitlines()[-1] == "acme is now rejected."
    acme = _opportunity(run, "acme")
    assert (acme["status"], acme["touches"][-1]["direction"]) == ("rejected", "in")
    assert _open(run, "acme") == {}


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["touch", "add", "globex", "--person", "kim", "--offer-expires", "2030-03-08"],
            2,
            "--offer-expires says when an offer expires: give --outcome offer too",
        ),
        (["touch", "add", "globex", "--person", "kim", "--outcome", "hired"], 2, "hired"),
        (
            ["touch", "add", "acme", "--person", "dana", "--outcome", "offer", "--at",
             "2030-03-05T09:00", "--offer-expires", "2030-03-01"],
            2,
            "touch.offer_expires: 2030-03-01 is before the offer arrived",
        ),
        (
            ["touch", "add", "globex", "--person", "kim", "--outcome", "offer",
             "--offer-expires", "2030-03-20"],
            2,
            "'globex' holds offer 'o1' already",
        ),
        (["offer", "extend", "globex", "o9", "--expires", "2030-03-20"], 3,
         "unknown offer 'o9' in opportunity 'globex' (known: o1)"),
        (["offer", "extend", "globex", "o1", "--expires", "2030-03-07"], 2,
         "offer.expires: 2030-03-07 is not later than the offer's expiry (2030-03-08)"),
        (["offer", "extend", "globex", "o1"], 2, "Missing option '--expires'"),
        (["offer", "accept", "ghost", "o1"], 3, "unknown opportunity 'ghost'"),
        (["offer", "accept", "globex", "o1", "--at", "2030-03-04T10:00"], 2,
         "offer.decided: 2030-03-04T10:00-05:00 is before the offer arrived"),
        (["offer", "decline", "globex", "o1", "--at", "tomorrow"], 2, "--at"),
        (["done", "decide-by:globex:-:o1"], 2, "done by your answer to the offer"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_and_nothing_is_written(
    run: Cli, args: list[str], code: int, message: str
) -> None:
    _offer_from_globex(run)
    before = run.export()

    result = run(*args, expect=code)

    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert run.export() == before


def test_an_answered_offer_stays_answered(run: Cli) -> None:
    _offer_from_globex(run)
    run("offer", "accept", "globex", "o1")
    before = run.export()

    again = run("offer", "decline", "globex", "o1", expect=4)
    rejected = run("touch", "add", "globex", "--person", "kim", "--outcome", "rejected", expect=4)
    run("offer", "add", "acme", "--received", "2030-03-05")
    other = run("offer", "accept", "acme", "o1", expect=4)

    assert "you accepted offer 'o1' of 'globex' on 2030-03-05" in again.stderr
    assert "hint: if they made a new offer" in again.stderr
    assert "a touch cannot make it rejected" in rejected.stderr
    assert "you accepted an offer from 'globex' already" in other.stderr
    assert _opportunity(run, "globex") == json.loads(before)["opportunities"][1]


def test_the_offer_group_lists_its_commands(run: Cli) -> None:
    shown = run("offer", "--help").stdout

    for command in ("add", "extend", "accept", "decline"):
        assert f"  {command} " in shown
