"""The calendar: the iCalendar export parsed back (time zones, a DST change, stable UIDs,
SEQUENCE on change), the feed token commands, and the live feed route of the web app."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import icalendar
import pytest

from mailfixtures.web_server import web_server
from test_cli_support import NOW, Cli, sample_document

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def run(tmp_path: Path) -> Cli:
    cli = Cli(tmp_path / "followup.db")
    cli.load(folder=tmp_path)
    return cli


def _events(data: bytes) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(data)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def _pending(run: Cli) -> dict[str, dict[str, str]]:
    plan = run.json("plan", "--json", "--all")
    return {a["id"]: a for a in plan if a["status"] in ("upcoming", "due", "overdue", "snoozed")}


def test_export_parses_back_with_time_zones_across_a_dst_change(run: Cli, tmp_path: Path) -> None:
    out = tmp_path / "plan.ics"
    result = run("calendar", "export", str(out))
    assert re.search(r"Wrote \d+ follow-ups? to ", result.output)
    cal = icalendar.Calendar.from_ical(out.read_bytes())
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["America/New_York"]
    events = _events(out.read_bytes())
    pending = _pending(run)
    assert set(events) == set(pending)  # UID = the action id, one event per pending action
    offsets = set()
    for uid, event in events.items():
        start = event.decoded("DTSTART")
        assert str(event["DTSTART"].params["TZID"]) == "America/New_York"
        assert start == datetime.fromisoformat(pending[uid]["window_start"])
        assert event.decoded("DTEND") == datetime.fromisoformat(pending[uid]["window_end"])
        assert pending[uid]["reason"] in str(event["DESCRIPTION"])
        offsets.add(start.astimezone(NEW_YORK).utcoffset())
    # The sample spans the 10 March 2030 change: both EST and EDT instants came back right.
    assert offsets == {timedelta(hours=-5), timedelta(hours=-4)}


def test_thank_you_event_carries_the_draft(run: Cli) -> None:
    events = _events(run("calendar", "export").stdout_bytes)
    thank = events["thank-you:acme:dana:i1"]
    description = str(thank["DESCRIPTION"])
    assert "Draft:" in description and "Dana" in description
    assert str(thank["SUMMARY"]) == "Thank-you note: Dana Lee (Acme Corp)"
    assert str(thank["TRANSP"]) == "TRANSPARENT"


def test_sequence_grows_only_when_an_action_changes(run: Cli) -> None:
    first = _events(run("calendar", "export").stdout_bytes)
    again = _events(run("calendar", "export").stdout_bytes)
    assert {u: int(e["SEQUENCE"]) for u, e in again.items()} == dict.fromkeys(first, 0)
    run("snooze", "thank-you:acme:dana:i1", "--until", "2030-03-05T12:00")
    changed = _events(run("calendar", "export").stdout_bytes)
    assert int(changed["thank-you:acme:dana:i1"]["SEQUENCE"]) == 1
    assert changed["thank-you:acme:dana:i1"].decoded("LAST-MODIFIED") == NOW
    assert int(changed["phone-call:acme:dana:i1"]["SEQUENCE"]) == 0
    start = changed["thank-you:acme:dana:i1"].decoded("DTSTART")
    assert start == datetime(2030, 3, 5, 12, 0, tzinfo=NEW_YORK)


def test_token_new_show_revoke(run: Cli) -> None:
    run("calendar", "token", "show", expect=3)
    url = run("calendar", "token", "new").output.strip()
    assert url.startswith("http://127.0.0.1:8000/calendar/") and url.endswith(".ics")
    assert run("calendar", "token", "show").output.strip() == url
    other = run("calendar", "token", "new", "--base-url", "https://me.example/").output.strip()
    assert other.startswith("https://me.example/calendar/") and other != url
    run("calendar", "token", "revoke")
    result = run("calendar", "token", "show", expect=3)
    assert "calendar token new" in result.output
    run("calendar", "token", "revoke", expect=3)


def test_live_feed_answers_the_token_and_404s_otherwise(run: Cli) -> None:
    token = run("calendar", "token", "new").output.strip().rsplit("/", 1)[1].removesuffix(".ics")
    with web_server(run.db, NOW) as base, httpx.Client(base_url=base) as client:
        ok = client.get(f"/calendar/{token}.ics")
        assert ok.status_code == 200
        assert ok.headers["content-type"].startswith("text/calendar")
        assert "thank-you:acme:dana:i1" in _events(ok.content)
        assert client.get("/calendar/not-the-token.ics").status_code == 404
        run("calendar", "token", "revoke")
        assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_done_action_leaves_the_calendar(run: Cli) -> None:
    run("done", "thank-you:acme:dana:i1")
    assert "thank-you:acme:dana:i1" not in _events(run("calendar", "export").stdout_bytes)


def test_export_refuses_an_unwritable_file(run: Cli, tmp_path: Path) -> None:
    result = run("calendar", "export", str(tmp_path / "missing" / "x.ics"), expect=2)
    assert "cannot write" in result.output
    assert sample_document()["profile"]["timezone"] == "America/New_York"
