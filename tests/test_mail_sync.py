"""Reading replies over IMAP from a real Dovecot started by the tests: matching to people,
auto-replies, bounces, the review list, read-only access, UIDVALIDITY, hostile mailboxes."""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from imapclient import IMAPClient

from mailfixtures import messages
from mailfixtures.dovecot import PASSWORD, USER, Dovecot
from mailfixtures.smtp_server import PASSWORD as SMTP_PASSWORD
from mailfixtures.smtp_server import USER as SMTP_USER
from mailfixtures.smtp_server import SmtpServer
from test_cli_support import Cli, sample_document

#: The sample search moved to 2026: Dovecot keeps no arrival date in the future.
NOW = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)
REPLY_AT = datetime(2026, 3, 5, 13, 0, tzinfo=UTC)
THANKS = "thank-you:acme:dana:i1"


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    server = Dovecot()  # skips where Dovecot is not installed; fails in CI, which installs it
    yield server
    server.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    yield server
    server.stop()


class Mailbox:
    """One fresh folder of the Dovecot account, written through IMAP as a mail server would."""

    def __init__(self, server: Dovecot) -> None:
        self.server = server
        self.folder = f"T{uuid.uuid4().hex[:10]}"
        with self.client() as c:
            c.create_folder(self.folder)

    def client(self) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.server.port, ssl=False)
        client.login(USER, PASSWORD)
        return client

    def deliver(self, *raws: bytes, when: datetime = REPLY_AT) -> None:
        with self.client() as c:
            for raw in raws:
                c.append(self.folder, raw, msg_time=when)

    def recreate(self) -> None:
        """Delete and create the folder again: the server gives it a new UIDVALIDITY."""
        with self.client() as c:
            c.delete_folder(self.folder)
            c.create_folder(self.folder)

    def flags(self) -> list[tuple[bytes, ...]]:
        with self.client() as c:
            c.select_folder(self.folder, readonly=True)
            return list(c.get_flags(c.search(["ALL"])).values())


@pytest.fixture
def mailbox(dovecot: Dovecot) -> Mailbox:
    return Mailbox(dovecot)


@pytest.fixture
def run(tmp_path: Path, mailbox: Mailbox, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("FOLLOWUP_IMAP_PASSWORD", PASSWORD)
    monkeypatch.setenv("FOLLOWUP_SMTP_PASSWORD", SMTP_PASSWORD)
    document = json.loads(json.dumps(sample_document()).replace("2030-", "2026-"))
    cli = Cli(tmp_path / "followup.db", now=NOW)
    cli.load(document, folder=tmp_path)
    cli(
        "mail", "settings", "--from", "alex@me.example",
        "--smtp-host", "127.0.0.1", "--smtp-port", str(smtp.port), "--smtp-security", "none",
        "--smtp-user", SMTP_USER,
        "--imap-host", "127.0.0.1", "--imap-port", str(mailbox.server.port),
        "--imap-security", "none", "--imap-user", USER, "--imap-folder", mailbox.folder,
    )  # fmt: skip
    return cli


def _sync(run: Cli, *args: str) -> dict[str, Any]:
    return dict(run.json("mail", "sync", "--json", "--since", "2026-01-01", *args))


def _touches(run: Cli, opp: str = "acme") -> list[dict[str, Any]]:
    doc = json.loads(run.export())
    return next(o.get("touches", []) for o in doc["opportunities"] if o["id"] == opp)


def _revision(run: Cli) -> int:
    with closing(sqlite3.connect(run.db)) as conn:
        return int(conn.execute("SELECT revision FROM candidate WHERE id = 'me'").fetchone()[0])


def _inbound(run: Cli) -> list[dict[str, Any]]:
    return [t for t in _touches(run) if t["direction"] == "in"]


def test_replies_are_matched_by_thread_then_by_sender_and_logged(
    run: Cli, mailbox: Mailbox, smtp: SmtpServer
) -> None:
    run("send", THANKS, "--yes")
    sent_id = str(smtp.received[0].message["Message-ID"])
    before = run.json("plan", "--json", "--all")
    mailbox.deliver(
        messages.reply(  # from an address not on file, but answering our message
            "Dana Lee <dana.lee@home.example>", "Re: Thank you", "Thanks Alex! We decide Friday.",
            REPLY_AT, message_id="<r1@home.example>", in_reply_to=sent_id,
        ),
        messages.reply(
            "Dana Lee <DANA@acme.example>", "Schedule", "Could you call me Monday?",
            REPLY_AT + timedelta(minutes=5), message_id="<r2@acme.example>",
        ),
        messages.reply(
            "News <news@shop.example>", "Sale", "50% off", REPLY_AT, message_id="<n1@shop>"
        ),
    )  # fmt: skip
    summary = _sync(run)
    assert list(summary) == [  # the stable --json schema (docs/mail-and-calendar.md)
        "folder", "uidvalidity", "last_uid", "rescanned", "read", "replies", "auto_replies",
        "snoozed", "bounces", "review", "ignored", "already_seen", "unreadable", "problems",
    ]  # fmt: skip
    assert summary["read"] == 3 and summary["replies"] == 2 and summary["ignored"] == 1
    inbound = _inbound(run)
    assert [(t["person"], t["summary"]) for t in inbound] == [
        ("dana", "Re: Thank you"),
        ("dana", "Schedule"),
    ]
    assert inbound[0]["body"] == "Thanks Alex! We decide Friday."
    assert inbound[0]["channel"] == "email" and inbound[0]["at"].startswith("2026-03-05T")
    assert run.json("plan", "--json", "--all") != before  # the cycle restarted on the reply
    # Read-only: nothing was marked read; a second sync reads nothing new.
    assert all(b"\\Seen" not in f for f in mailbox.flags())
    again = _sync(run)
    assert again["read"] == 0 and len(_inbound(run)) == 2


def test_a_sender_only_from_the_company_domain_waits_for_review(run: Cli, mailbox: Mailbox) -> None:
    mailbox.deliver(
        messages.reply("Pat <pat@acme.example>", "Next steps", "Hi Alex, Dana asked me to...",
                       REPLY_AT, message_id="<p1@acme.example>"),
        messages.reply("Lee <lee@acme.example>", "Hello", "Another one",
                       REPLY_AT, message_id="<p2@acme.example>"),
    )  # fmt: skip
    revision = _revision(run)
    assert _sync(run)["review"] == 2
    assert _revision(run) == revision  # no fact changed: stored plans stay valid
    listed = run.json("mail", "review", "--json")
    assert [r["from"] for r in listed] == ["pat@acme.example", "lee@acme.example"]
    assert listed[0]["opportunity"] == "acme" and listed[0]["person"] == "dana"
    assert _inbound(run) == []
    run("mail", "review", "--confirm", str(listed[0]["id"]))
    run("mail", "review", "--dismiss", str(listed[1]["id"]))
    assert [t["summary"] for t in _inbound(run)] == ["Next steps"]
    assert run.json("mail", "review", "--json") == []
    run("mail", "review", "--confirm", str(listed[0]["id"]), expect=4)


def test_an_auto_reply_is_no_reply_and_puts_the_persons_actions_off(
    run: Cli, mailbox: Mailbox
) -> None:
    mailbox.deliver(
        messages.reply(
            "Dana Lee <dana@acme.example>", "Out of Office: Thank you",
            "I am out of the office and will be back on March 16. For urgent matters...",
            REPLY_AT, message_id="<ooo@acme.example>",
            headers={"Auto-Submitted": "auto-replied"},
        )
    )  # fmt: skip
    summary = _sync(run)
    assert summary["auto_replies"] == 1 and summary["replies"] == 0 and summary["snoozed"] >= 1
    assert _inbound(run) == []
    back = datetime(2026, 3, 16, 9, 0, tzinfo=ZoneInfo("America/New_York"))
    plan = run.json("plan", "--json", "--all")
    danas = [a for a in plan if a["person"] == "dana" and a["opportunity"] == "acme"]
    snoozed = [a for a in danas if a["status"] == "snoozed"]
    assert snoozed and all(datetime.fromisoformat(a["window_start"]) >= back for a in snoozed)
    assert all(
        a["status"] in ("snoozed", "done", "skipped")
        or datetime.fromisoformat(a["window_start"]) >= back
        for a in danas
    )


def test_a_bounce_flags_the_address_and_the_message(
    run: Cli, mailbox: Mailbox, smtp: SmtpServer
) -> None:
    run("send", THANKS, "--yes")
    sent_id = str(smtp.received[0].message["Message-ID"])
    mailbox.deliver(messages.bounce(sent_id, "dana@acme.example", REPLY_AT, "<dsn1@mx>"))
    summary = _sync(run)
    assert summary["bounces"] == 1 and summary["replies"] == 0
    [row] = run.json("mail", "outbox", "--json")
    assert row["state"] == "bounced"
    refused = run("send", "value-add:acme:dana:i1", "--yes", expect=2)
    assert "bounced" in refused.output
    assert len(smtp.received) == 1


def test_a_hostile_mailbox_neither_crashes_the_sync_nor_loses_its_place(
    run: Cli, mailbox: Mailbox
) -> None:
    mailbox.deliver(*messages.hostile(REPLY_AT))
    mailbox.deliver(
        messages.reply("Dana Lee <dana@acme.example>", "Re: slides", "Got them, thanks.",
                       REPLY_AT, message_id="<after@acme.example>")
    )  # fmt: skip
    summary = _sync(run)
    assert summary["read"] == 6
    # The huge one is from Dana and readable: a reply; the rest are not anyone's.
    assert summary["replies"] == 2
    assert [t["summary"] for t in _inbound(run)] == ["slides", "Re: slides"]
    assert summary["last_uid"] == 6
    assert _sync(run)["read"] == 0
    mailbox.deliver(
        messages.reply("Dana Lee <dana@acme.example>", "One more", "ok",
                       REPLY_AT, message_id="<later@acme.example>")
    )  # fmt: skip
    later = _sync(run)
    assert later["read"] == 1 and later["replies"] == 1 and later["last_uid"] == 7


def test_a_new_uidvalidity_rereads_without_logging_twice(run: Cli, mailbox: Mailbox) -> None:
    first = messages.reply("Dana Lee <dana@acme.example>", "Hi", "hello", REPLY_AT,
                           message_id="<u1@acme.example>")  # fmt: skip
    mailbox.deliver(first)
    before = _sync(run)
    assert before["replies"] == 1
    mailbox.recreate()
    second = messages.reply("Dana Lee <dana@acme.example>", "Again", "news", REPLY_AT,
                            message_id="<u2@acme.example>")  # fmt: skip
    mailbox.deliver(first, second)
    after = run.json("mail", "sync", "--json")
    assert after["uidvalidity"] != before["uidvalidity"]
    assert after["rescanned"] is True
    assert after["already_seen"] == 1 and after["replies"] == 1
    assert [t["summary"] for t in _inbound(run)] == ["Hi", "Again"]


def test_sync_without_imap_settings_says_what_to_set(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "bare.db", now=NOW)
    assert "--imap-host" in cli("mail", "sync", expect=2).output


def test_a_wrong_imap_password_is_a_clear_error(run: Cli) -> None:
    result = run("mail", "sync", env={"FOLLOWUP_IMAP_PASSWORD": "nope"}, expect=7)
    assert "mail sync stopped" in result.output and "nope" not in result.output


def test_a_sent_message_is_copied_to_the_sent_folder_and_not_taken_for_a_reply(
    run: Cli, mailbox: Mailbox, smtp: SmtpServer
) -> None:
    run("mail", "settings", "--sent-folder", mailbox.folder)  # replies and copies together
    result = run("send", THANKS, "--yes")
    assert "warning" not in result.output
    sent_id = str(smtp.received[0].message["Message-ID"])
    with mailbox.client() as c:
        c.select_folder(mailbox.folder, readonly=True)
        [uid] = c.search(["HEADER", "Message-ID", sent_id])
        assert b"\\Seen" in c.get_flags([uid])[uid]
    summary = _sync(run)
    assert summary["read"] == 1 and summary["ignored"] == 1 and summary["replies"] == 0
    assert _inbound(run) == []


def test_a_message_of_unknown_fate_is_found_in_the_sent_folder(
    run: Cli, mailbox: Mailbox, smtp: SmtpServer
) -> None:
    smtp.handler.drop_after_data = True  # the server took it, then the line went dead
    result = run("send", THANKS, "--yes", expect=7)
    assert "may or may not have been sent" in result.output
    [row] = run.json("mail", "outbox", "--json")
    assert row["state"] == "unknown"
    run("send", THANKS, "--yes", expect=4)  # never resent blindly
    run("mail", "settings", "--sent-folder", mailbox.folder)
    nothing = run("mail", "outbox", "--check")
    assert "it was sent" not in nothing.output  # no copy yet: it stays for the user
    assert run.json("mail", "outbox", "--json")[0]["state"] == "unknown"
    # The provider kept a copy of what its SMTP server accepted, as many do.
    mailbox.deliver(smtp.received[0].message.as_bytes())
    found = run("mail", "outbox", "--check")
    assert "Found message 1" in found.output
    assert run.json("mail", "outbox", "--json")[0]["state"] == "sent"
    plan = run.json("plan", "--json", "--all")
    assert next(a for a in plan if a["id"] == THANKS)["status"] == "done"
    assert len(smtp.received) == 1


def test_hostile_mail_from_a_person_on_file_stores_nothing_harmful(
    run: Cli, mailbox: Mailbox
) -> None:
    """Issue 11: NUL and terminal escapes in a subject and a body, an out-of-office reply "back
    on 9999-12-31", 5 MB, broken MIME and odd encodings, all from Dana: the sync finishes,
    reports the return date it ignored, stores no control character, and every view works."""
    control = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
    hostile = messages.hardening("dana@acme.example", REPLY_AT)
    mailbox.deliver(*hostile)
    summary = _sync(run)
    assert summary["read"] == len(hostile) and summary["unreadable"] == 0
    assert summary["auto_replies"] == 1 and summary["snoozed"] == 0
    assert summary["replies"] == len(hostile) - 1
    assert "return date 9999-12-31 ignored" in " ".join(summary["problems"])
    inbound = _inbound(run)
    assert len(inbound) == len(hostile) - 1
    texts = [t["summary"] for t in inbound] + [t.get("body") or "" for t in inbound]
    assert all(control.search(text) is None for text in texts)
    assert "Re: slides ]0;pwned [31mred[0m" in texts
    assert json.loads(run.export())["decisions"] == []  # nothing snoozed until 9999
    with closing(sqlite3.connect(run.db)) as conn:  # the mail tables too, every text column
        stored = conn.execute(
            "SELECT from_address, subject, snippet, key, detail FROM mail_inbound"
        ).fetchall()
    assert len(stored) == len(hostile)
    assert all(control.search(v or "") is None for row in stored for v in row)
    for command in (("today",), ("plan", "--all"), ("opportunity", "show", "acme")):
        assert control.search(run(*command).output) is None, command
    assert run("today").output.startswith(("Overdue", "Due now", "Next 7 days"))
    assert run.json("mail", "review", "--json") == []
