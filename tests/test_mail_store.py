"""The mail and calendar tables on SQLite and PostgreSQL: the outbox's once-only send through
the service layer (a real SMTP server), IMAP-sized numbers, tokens, and import keeping them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from followup.config import PlaybookSource
from followup.core.interchange import parse_document
from followup.core.model import Facts
from followup.core.playbook import Playbook
from followup.errors import Conflict, NotFound
from followup.integrations.mailconf import Server
from followup.integrations.smtp import SmtpMailer
from followup.services import calendar, mail
from followup.services.workspace import Workspace
from followup.store import Store, mail_rows
from mailfixtures.smtp_server import PASSWORD, USER, SmtpServer
from test_cli_support import NOW, sample_document

PLAYBOOK = PlaybookSource.of(Playbook())
THANKS = "thank-you:acme:dana:i1"


def _facts() -> Facts:
    facts, problems = parse_document(sample_document())
    assert not problems
    assert facts is not None
    return facts


@pytest.fixture
def database(store: Store) -> Workspace:
    with store.unit_of_work() as uow:
        uow.replace_all(_facts())
    return Workspace.of(store)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    yield server
    server.stop()


def test_send_through_the_outbox_logs_the_touch_in_the_same_commit(
    database: Workspace, smtp: SmtpServer
) -> None:
    mailer = SmtpMailer(Server("smtp", "127.0.0.1", smtp.port, "none", USER), PASSWORD)
    prepared = mail.prepare(database, THANKS, NOW, "Subject: Thanks\n\nDear Dana,\n")
    revision = database.store.revision()
    sent = mail.send(database, prepared, mailer, NOW, "alex@me.example")
    assert database.store.revision() == revision + 1  # one write of the facts: the touch
    [row] = mail.outbox(database)
    assert row["state"] == "sent" and row["touch"] == sent.touch.id
    assert row["message_id"] == sent.message_id == smtp.received[0].message["Message-ID"]
    touch = next(t for t in database.store.load_facts().opportunities[0].touches)
    assert touch.body == "Dear Dana,\n" and touch.summary == "Thanks"
    with pytest.raises(Conflict):
        mail.prepare(database, THANKS, NOW, "Subject: Again\n\nHi\n")


def test_a_row_of_unknown_fate_blocks_a_second_send(database: Workspace) -> None:
    prepared = mail.prepare(database, THANKS, NOW, "Subject: Thanks\n\nDear Dana,\n")
    with mail_rows.MailTables(database.store).write() as conn:
        mail_rows.add_outbox(
            conn,
            {
                "message_id": "<m1@me.example>", "action": THANKS, "opportunity_id": "acme",
                "person_id": "dana", "to_address": prepared.to, "subject": "Thanks",
                "body": "Dear Dana,\n", "raw": "...", "refs": (), "state": "sending",
                "created": NOW, "finished": None, "detail": None, "touch_id": None,
            },
        )  # fmt: skip
    with pytest.raises(Conflict, match="may already have been sent"):
        mail.prepare(database, THANKS, NOW, "Subject: Thanks\n\nDear Dana,\n")
    settled = mail.settle(database, 1, was_sent=False, now=NOW)
    assert settled["state"] == "failed"
    assert mail.prepare(database, THANKS, NOW, "Subject: T\n\nHi\n").to == prepared.to


def test_sync_positions_hold_imap_sized_numbers(database: Workspace) -> None:
    big = 4_294_967_295  # UIDVALIDITY and UIDs are unsigned 32-bit
    with mail_rows.MailTables(database.store).write() as conn:
        mail_rows.save_sync_position(conn, "INBOX", big, big - 1, NOW)
    with mail_rows.MailTables(database.store).read() as conn:
        assert mail_rows.sync_position(conn, "INBOX") == (big, big - 1)


def test_tokens_and_settings_survive_an_import(database: Workspace) -> None:
    token = calendar.new_token(database, NOW)
    mail.set_settings(database, {"from_address": "alex@me.example", "smtp_host": "smtp.x"})
    with database.store.unit_of_work() as uow:
        uow.replace_all(_facts())
    assert calendar.current_token(database) == token
    assert mail.get_settings(database)["smtp_host"] == "smtp.x"
    calendar.revoke_token(database, datetime(2030, 3, 6, tzinfo=UTC))
    with pytest.raises(NotFound):
        calendar.feed(database, token, NOW)
