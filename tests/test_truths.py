"""What the docs say, held true (findings of the docs check in the backup issue): a snooze's end
is shown only while it lasts, `done` logs to the minute, a country is an ISO 3166 code."""

from __future__ import annotations

import json
from pathlib import Path

from test_cli_support import AS_OF, Cli


def test_snoozed_until_shows_only_while_the_snooze_lasts(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "f.db")
    cli.load(folder=tmp_path)
    action = "thank-you:acme:dana:i1"
    cli("snooze", action, "--until", "2030-03-05T12:00")

    def shown(as_of: str) -> dict[str, object]:
        plan = cli.json("plan", "--all", "--json", "--as-of", as_of)
        return next(a for a in plan if a["id"] == action)

    during = shown(AS_OF)
    assert during["status"] == "snoozed"
    assert during["snoozed_until"] == "2030-03-05T12:00:00-05:00"
    after = shown("2030-03-05T13:00")
    assert after["status"] != "snoozed" and "snoozed_until" not in after


def test_done_logs_its_touch_to_the_minute(tmp_path: Path) -> None:
    from datetime import timedelta

    cli = Cli(tmp_path / "f.db")
    cli.now = cli.now + timedelta(seconds=42, microseconds=123456)
    cli.load(folder=tmp_path)
    cli("done", "thank-you:acme:dana:i1")
    (touch,) = json.loads(cli.export())["opportunities"][0]["touches"]
    assert touch["at"] == "2030-03-05T10:00-05:00"


def test_a_country_must_be_one_of_iso_3166(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "f.db")
    refused = cli("profile", "set", "--timezone", "UTC", "--country", "XX", expect=2)
    assert "'XX' is not a country code of ISO 3166" in refused.stderr
    cli("profile", "set", "--timezone", "UTC", "--country", "NZ")
    assert json.loads(cli.export())["profile"]["country"] == "NZ"
