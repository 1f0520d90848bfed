"""Sending from the user's mailbox, against a real SMTP server (aiosmtpd on 127.0.0.1): the
outbox, once-only sending (with a sender killed mid-send), threading, refusals, passwords."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mailfixtures.smtp_server import PASSWORD, USER, SmtpServer
from mailfixtures.web_server import web_server
from test_cli_support import NOW, Cli

RUN_CLI = Path(__file__).with_name("mailfixtures") / "run_cli.py"
THANKS = "thank-you:acme:dana:i1"
VALUE_ADD = "value-add:acme:dana:i1"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def run(tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("FOLLOWUP_SMTP_PASSWORD", PASSWORD)
    cli = Cli(tmp_path / "followup.db")
    cli.load(folder=tmp_path)
    cli(
        "mail", "settings", "--from", "alex@me.example", "--from-name", "Alex Morgan",
        "--smtp-host", "127.0.0.1", "--smtp-port", str(smtp.port),
        "--smtp-security", "none", "--smtp-user", USER,
    )  # fmt: skip
    return cli


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n")


def _status(run: Cli, action_id: str) -> str:
    plan = run.json("plan", "--json", "--all")
    return next(a["status"] for a in plan if a["id"] == action_id)


def _outbox(run: Cli) -> list[dict[str, object]]:
    return list(json.loads(run("mail", "outbox", "--json").stdout))


def test_send_shows_the_draft_asks_sends_once_and_logs_the_touch(
    run: Cli, smtp: SmtpServer
) -> None:
    result = run("send", THANKS, input="y\n")
    assert "To: Dana Lee <dana@acme.example>" in result.output
    assert "Send this message?" in result.output
    [got] = smtp.received
    assert got.recipients == ["dana@acme.example"]
    assert got.sender == "alex@me.example"
    [row] = _outbox(run)
    assert row["state"] == "sent"
    assert got.message["Message-ID"] == row["message_id"]
    assert "Dana" in _lf(got.message.get_content())
    assert _status(run, THANKS) == "done"
    touches = json.loads(run.export())["opportunities"][0]["touches"]
    [touch] = [t for t in touches if t["id"] == row["touch"]]
    assert touch["kind"] == "thank-you" and touch["direction"] == "out"
    assert touch["body"].strip() == _lf(got.message.get_content()).strip()
    assert touch["summary"] == got.message["Subject"]
    again = run("send", THANKS, "--yes", expect=4)
    assert "done" in again.output
    assert len(smtp.received) == 1


def test_declining_sends_nothing(run: Cli, smtp: SmtpServer) -> None:
    assert "Not sent." in run("send", THANKS, input="n\n").output
    assert smtp.received == [] and _outbox(run) == []
    assert _status(run, THANKS) != "done"


def test_follow_ups_to_the_same_person_continue_the_thread(
    run: Cli, smtp: SmtpServer, tmp_path: Path
) -> None:
    run("send", THANKS, "--yes")
    note = tmp_path / "note.txt"
    note.write_text("Subject: An article on Kafka migrations\n\nDana, this made me think of you.\n")
    run("send", VALUE_ADD, "--body-file", str(note), "--yes")
    first, second = smtp.received
    assert second.message["Subject"] == "An article on Kafka migrations"
    assert second.message["In-Reply-To"] == first.message["Message-ID"]
    assert second.message["References"] == first.message["Message-ID"]
    assert _lf(second.message.get_content()) == "Dana, this made me think of you.\n"


def test_a_refused_message_is_failed_and_can_be_sent_again(run: Cli, smtp: SmtpServer) -> None:
    smtp.handler.refuse_rcpt = True
    result = run("send", THANKS, "--yes", expect=7)
    assert "not sent" in result.output and "550" in result.output
    assert [r["state"] for r in _outbox(run)] == ["failed"]
    assert _status(run, THANKS) != "done"
    smtp.handler.refuse_rcpt = False
    run("send", THANKS, "--yes")
    assert [r["state"] for r in _outbox(run)] == ["failed", "sent"]
    assert len(smtp.received) == 1


def test_the_password_comes_from_the_environment_and_is_never_shown(
    run: Cli, smtp: SmtpServer, tmp_path: Path
) -> None:
    shown = run("mail", "settings").output
    assert "from FOLLOWUP_SMTP_PASSWORD" in shown and PASSWORD not in shown
    assert PASSWORD not in run("mail", "settings", "--json").output
    result = run("send", THANKS, "--yes", env={"FOLLOWUP_SMTP_PASSWORD": "wrong"}, expect=7)
    assert "login refused" in result.output and "wrong" not in result.output
    assert smtp.received == []
    assert PASSWORD.encode() not in (tmp_path / "followup.db").read_bytes()


def test_only_e_mail_actions_to_people_with_an_address(run: Cli) -> None:
    assert "no e-mail address" in run("send", "thank-you:acme:sam:i1", "--yes", expect=2).output
    call = run("send", "phone-call:acme:dana:i1", "--yes", expect=2)
    assert "not an e-mail" in call.output
    run("send", "nope", "--yes", expect=3)


def test_without_smtp_settings_it_points_at_mailto(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "bare.db")
    cli.load(folder=tmp_path)
    assert "mailto" in cli("send", THANKS, "--yes", expect=2).output


def test_a_sender_killed_after_the_server_accepted_never_sends_twice(
    run: Cli, smtp: SmtpServer
) -> None:
    env = {**os.environ, "FOLLOWUP_SMTP_PASSWORD": PASSWORD}
    sender = subprocess.Popen(
        [
            sys.executable,
            str(RUN_CLI),
            NOW.isoformat(),
            "--db",
            str(run.db),
            "send",
            THANKS,
            "--yes",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )

    def crash() -> None:  # the server has the message; the sender has not committed yet
        os.kill(sender.pid, signal.SIGKILL)
        sender.wait(10)

    smtp.handler.on_data = crash
    deadline = time.monotonic() + 60
    while sender.poll() is None:
        assert time.monotonic() < deadline, "the sender never reached the server"
        time.sleep(0.05)
    smtp.handler.on_data = None
    _out, err = sender.communicate()  # closes the pipes
    assert sender.returncode == -signal.SIGKILL, err
    assert len(smtp.received) == 1
    [row] = _outbox(run)
    assert row["state"] == "sending"
    assert smtp.received[0].message["Message-ID"] == row["message_id"]
    # Restarted: the message is shown, not sent again.
    again = run("send", THANKS, "--yes", expect=4)
    assert "may already have been sent" in again.output and "--sent 1" in again.output
    assert "check your Sent folder" in run("mail", "outbox").output
    assert len(smtp.received) == 1
    assert _status(run, THANKS) != "done"
    # The user checked: it was sent. The touch is logged then, and nothing is resent.
    assert "now sent" in run("mail", "outbox", "--sent", "1").output
    assert _status(run, THANKS) == "done"
    run("mail", "outbox", "--sent", "1", expect=4)
    assert len(smtp.received) == 1


def _form_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no Send form"
    return found.group(1)


def test_the_web_page_shows_the_message_and_sends_it_once(run: Cli, smtp: SmtpServer) -> None:
    with web_server(run.db, NOW) as base, httpx.Client(base_url=base) as browser:
        shown = browser.get(f"/send/{THANKS}")
        assert shown.status_code == 200
        assert "Send to Dana Lee" in shown.text and "dana@acme.example" in shown.text
        token = _form_token(shown.text)
        assert browser.post(f"/send/{THANKS}", data={}).status_code == 403  # no token
        sent = browser.post(f"/send/{THANKS}", data={"csrf_token": token})
        assert sent.status_code == 200 and "was sent" in sent.text
        assert len(smtp.received) == 1
        again = browser.post(f"/send/{THANKS}", data={"csrf_token": token})
        assert again.status_code == 409
    assert len(smtp.received) == 1
    assert _status(run, THANKS) == "done"


def test_the_web_page_offers_mailto_without_smtp(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "bare.db")
    cli.load(folder=tmp_path)
    with web_server(cli.db, NOW) as base, httpx.Client(base_url=base) as browser:
        shown = browser.get(f"/send/{THANKS}")
    assert shown.status_code == 200
    assert 'href="mailto:dana%40acme.example?subject=' in shown.text
    assert 'name="csrf_token"' not in shown.text
