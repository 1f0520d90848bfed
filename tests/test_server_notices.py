"""The server's own e-mail (``server.notices``), with a real SMTP server (aiosmtpd) on
127.0.0.1: password-reset links by e-mail that work once and are never stored, a candidate's
morning reminder only when something is due (listing what Today lists), a coach's Monday
digest, at most once per occasion, the outbox states after a refusal or a broken
conversation, and the settings read from the environment. Then the whole path on
PostgreSQL: the sign-in page, `followup server init`, and `followup worker` sending what the
web committed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from followup.errors import InvalidInput
from followup.server import auth, consent, notices
from followup.server.accounts import Account, add_account
from followup.server.notices import MailConfig
from followup.services.documents import load_demo
from followup.services.workspace import Workspace
from followup.store import Store, open_store
from mailfixtures.smtp_server import SmtpServer

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # a Monday: 10:00 in Paris
PASSWORD = "correct horse battery"
FOLLOWUP = Path(sys.executable).with_name("followup")


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    yield server
    server.stop()


def environment(smtp: SmtpServer) -> dict[str, str]:
    return {
        "FOLLOWUP_SERVER_SMTP_HOST": "127.0.0.1",
        "FOLLOWUP_SERVER_SMTP_PORT": str(smtp.port),
        "FOLLOWUP_SERVER_SMTP_SECURITY": "none",
        "FOLLOWUP_SERVER_MAIL_FROM": "followup@coaching.example",
        "FOLLOWUP_PUBLIC_URL": "https://followup.coaching.example/",
    }


def config(smtp: SmtpServer) -> MailConfig:
    found = MailConfig.of(environment(smtp))
    assert found is not None
    return found


def add(store: Store, role: str, email: str, demo: datetime | None = None) -> Account:
    account, _ = add_account(
        store, organisation="acme", role=role, email=email, password=PASSWORD, now=NOW
    )
    if demo is not None:
        assert account.candidate is not None
        load_demo(Workspace.of(store, candidate=account.candidate), demo, "Europe/Paris")
    return account


def pk_of(store: Store, email: str) -> int:
    with store.sql() as db:
        found = auth.principal(db, email)
    assert found is not None
    return found.pk


def outbox(store: Store) -> list[tuple[str, str, str, str | None]]:
    with store.sql() as db:
        rows = db.rows("SELECT key, kind, state, body FROM server_mail ORDER BY pk")
    return [(str(k), str(kind), str(s), b) for k, kind, s, b in rows]


# -- settings --------------------------------------------------------------------------------


def test_mail_settings_come_from_the_environment_and_every_mistake_is_named() -> None:
    assert MailConfig.of({}) is None  # no host: the server sends no e-mail
    found = MailConfig.of(
        {
            "FOLLOWUP_SERVER_SMTP_HOST": "smtp.coaching.example",
            "FOLLOWUP_SERVER_SMTP_USER": "robot",
            "FOLLOWUP_SERVER_SMTP_PASSWORD": "pw",
            "FOLLOWUP_SERVER_MAIL_FROM": "followup@coaching.example",
            "FOLLOWUP_PUBLIC_URL": "https://followup.coaching.example/",
        }
    )
    assert found is not None
    assert (found.server.port, found.server.security, found.server.user) == (
        587,
        "starttls",
        "robot",
    )
    assert found.public_url == "https://followup.coaching.example"  # no slash doubled in links
    with pytest.raises(InvalidInput) as refused:
        MailConfig.of(
            {
                "FOLLOWUP_SERVER_SMTP_HOST": "smtp.coaching.example",
                "FOLLOWUP_SERVER_SMTP_PORT": "99999",
                "FOLLOWUP_SERVER_SMTP_SECURITY": "ssl",
                "FOLLOWUP_SERVER_MAIL_FROM": "not an address",
                "FOLLOWUP_PUBLIC_URL": "followup.example?x=1",
            }
        )
    paths = [p.path for p in refused.value.problems]
    assert paths == [
        "FOLLOWUP_SERVER_SMTP_PORT",
        "FOLLOWUP_SERVER_SMTP_SECURITY",
        "FOLLOWUP_SERVER_MAIL_FROM",
        "FOLLOWUP_PUBLIC_URL",
    ]


# -- password resets -------------------------------------------------------------------------


def test_a_reset_link_goes_by_mail_works_once_and_is_never_stored(
    store: Store, smtp: SmtpServer
) -> None:
    add(store, "candidate", "ada@example.org")
    pk = notices.ask_reset(store, "ADA@example.org", NOW)
    assert pk is not None
    assert notices.ask_reset(store, "ada@example.org", NOW + timedelta(minutes=1)) is None
    assert notices.ask_reset(store, "nobody@example.org", NOW) is None
    assert notices.ask_reset(store, "not an address", NOW) is None
    assert [row[1:3] for row in outbox(store)] == [("reset", "queued")]

    assert notices.send(store, pk, config(smtp), NOW) == "sent"
    assert notices.send(store, pk, config(smtp), NOW) == "sent"  # a second job sends nothing
    [received] = smtp.received
    assert received.recipients == ["ada@example.org"]
    assert received.message["Subject"] == "Set a new followup password"
    text = received.message.get_content()
    match = re.search(r"https://followup\.coaching\.example/reset/(\S+)", text)
    assert match is not None, text
    token = match.group(1)
    [(_, _, state, kept)] = outbox(store)
    assert state == "sent" and kept is not None
    assert token not in kept and notices.LINK_REMOVED in kept  # the link lives in the mail only
    link = auth.link(store, token, NOW)
    assert link is not None and link.kind == "reset" and link.email == "ada@example.org"
    auth.use_link(store, token, "a brand new password", NOW)
    assert auth.link(store, token, NOW) is None  # used once
    assert auth.sign_in(store, "ada@example.org", "a brand new password", NOW) is not None

    later = NOW + notices.RESET_EVERY
    assert notices.ask_reset(store, "ada@example.org", later) is not None  # a new quarter hour


def test_a_refusal_fails_and_a_broken_conversation_is_never_sent_again(
    store: Store, smtp: SmtpServer
) -> None:
    add(store, "coach", "kim@acme.example")
    first = notices.ask_reset(store, "kim@acme.example", NOW)
    assert first is not None
    smtp.handler.refuse_rcpt = True  # 550: no for good
    assert notices.send(store, first, config(smtp), NOW) == "failed"
    assert notices.send(store, first, config(smtp), NOW) == "failed"  # not tried again
    smtp.handler.refuse_rcpt = False
    smtp.handler.drop_after_data = True
    second = notices.ask_reset(store, "kim@acme.example", NOW + notices.RESET_EVERY)
    assert second is not None
    assert notices.send(store, second, config(smtp), NOW) == "unknown"
    assert notices.send(store, second, config(smtp), NOW) == "unknown"
    assert len(smtp.received) == 1  # the server took it once, and it is never sent twice
    with store.sql() as db:
        errors = db.column("SELECT error FROM server_mail ORDER BY pk")
    assert "refused" in errors[0] and errors[1]


def test_mail_the_server_cannot_take_yet_is_tried_again_then_given_up(
    store: Store, smtp: SmtpServer
) -> None:
    import socket

    add(store, "coach", "kim@acme.example")
    with socket.socket() as probe:  # a port nobody listens on: the SMTP server is down
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    down = MailConfig.of(environment(smtp) | {"FOLLOWUP_SERVER_SMTP_PORT": str(closed)})
    assert down is not None
    pk = notices.ask_reset(store, "kim@acme.example", NOW)
    assert pk is not None
    assert notices.send(store, pk, down, NOW) == "queued"  # back in the queue, error noted
    with store.sql() as db:
        state, error = db.first("SELECT state, error FROM server_mail WHERE pk = ?", [pk]) or ()
    assert state == "queued" and f"cannot reach SMTP 127.0.0.1:{closed}" in error
    later = NOW + notices.LEFT_BEHIND + timedelta(minutes=1)
    assert notices.due(store, later).unsent == [pk]  # the periodic job picks it up
    assert notices.send(store, pk, config(smtp), later) == "sent"  # the server is back
    assert len(smtp.received) == 1

    other = notices.ask_reset(store, "kim@acme.example", NOW + notices.RESET_EVERY)
    assert other is not None
    too_late = NOW + notices.RESET_EVERY + notices.GIVE_UP
    assert notices.send(store, other, down, too_late) == "failed"  # down for too long
    assert notices.due(store, too_late).unsent == []


# -- reminders and digests -------------------------------------------------------------------


def test_a_reminder_goes_on_the_candidates_working_morning_only_when_something_is_due(
    store: Store, smtp: SmtpServer
) -> None:
    add(store, "candidate", "ada@example.org", demo=NOW - timedelta(days=3))
    add(store, "candidate", "bo@example.org")  # nothing recorded: nothing due, no e-mail
    ada, bo = pk_of(store, "ada@example.org"), pk_of(store, "bo@example.org")
    monday = "2026-11-30"
    assert notices.due(store, NOW).reminders == [(ada, monday), (bo, monday)]
    early = NOW.replace(hour=5)  # 06:00 in Paris
    assert notices.due(store, early).reminders == []
    saturday = NOW - timedelta(days=2)
    assert notices.due(store, saturday).reminders == []

    assert notices.remind(store, bo, monday, config(smtp), NOW) is None
    pk = notices.remind(store, ada, monday, config(smtp), NOW)
    assert pk is not None
    assert notices.remind(store, ada, monday, config(smtp), NOW) is None  # once a day
    assert notices.due(store, NOW).reminders == [(bo, monday)]
    assert notices.send(store, pk, config(smtp), NOW) == "sent"

    # it lists Today's follow-ups: the overdue, the due now and those opening later today
    # (not the week's applications goal as if it were one)
    account = store.candidate_pk(_candidate(store, "ada@example.org"))
    from followup.config import PlaybookSource
    from followup.core.playbook import Playbook
    from followup.services.agenda import today_of

    source = PlaybookSource.of(Playbook())
    found = store.read_today(lambda _: NOW.timestamp(), None, source, account)
    agenda, groups, _ = today_of(found, source.playbook, None)
    paris_day = NOW.astimezone(agenda.tz).date()
    overdue = [a for a in groups[0].actions if a.opportunity]
    today = [a for a in groups[1].actions if a.opportunity] + [
        a
        for a in groups[2].actions
        if a.opportunity and a.window_start.astimezone(agenda.tz).date() == paris_day
    ]
    later = [a for a in groups[2].actions if a not in today]
    assert overdue or today
    [received] = smtp.received
    subject = str(received.message["Subject"])
    body = received.message.get_content()
    counts = [f"{len(overdue)} overdue"] * bool(overdue) + [f"{len(today)} today"] * bool(today)
    assert subject == "Your follow-ups: " + ", ".join(counts)
    for action in overdue[:10] + today[:10]:
        assert action.reason.splitlines()[0][:40] in body
    for action in later:  # a follow-up opening another day waits for its own morning
        assert action.reason.splitlines()[0][:40] not in body
    assert "https://followup.coaching.example/account" in body  # how to stop it

    notices.set_notices(store, ada, on=False)
    tomorrow = (NOW + timedelta(days=1)).date().isoformat()
    assert notices.remind(store, ada, tomorrow, config(smtp), NOW + timedelta(days=1)) is None
    assert all(a != ada for a, _ in notices.due(store, NOW + timedelta(days=1)).reminders)


def _candidate(store: Store, email: str) -> str:
    with store.sql() as db:
        found = auth.principal(db, email)
    assert found is not None and found.candidate is not None
    return found.candidate


def test_a_coach_gets_a_monday_digest_of_who_is_behind(store: Store, smtp: SmtpServer) -> None:
    add(store, "coach", "kim@acme.example")
    add(store, "coach", "lee@acme.example")  # no one consented to Lee: no digest
    add(store, "candidate", "ada@example.org", demo=NOW - timedelta(days=20))
    with store.sql() as db:
        ada = auth.principal(db, "ada@example.org")
    assert ada is not None
    consent.grant(store, ada, "kim@acme.example", "overview", NOW)
    kim = pk_of(store, "kim@acme.example")
    week = "2026-W49"
    assert notices.due(store, NOW).digests == [(kim, week)]
    assert notices.due(store, NOW + timedelta(days=1)).digests == []  # Tuesday
    assert notices.due(store, NOW.replace(hour=6)).digests == []  # before 07:00 UTC

    pk = notices.digest(store, kim, week, config(smtp), NOW)
    assert pk is not None
    assert notices.digest(store, kim, week, config(smtp), NOW) is None  # once a week
    assert notices.due(store, NOW).digests == []
    assert notices.send(store, pk, config(smtp), NOW) == "sent"
    [received] = smtp.received
    assert received.recipients == ["kim@acme.example"]
    body = received.message.get_content()
    assert "https://followup.coaching.example/coach" in body
    from followup.server import caseload

    [case] = caseload.of_coach(store, kim, NOW)
    assert case.behind  # a search left alone for 20 days: follow-ups missed
    assert str(received.message["Subject"]) == "Your caseload this week: 1 of 1 behind"
    assert case.name in body and f"{case.missed} missed" in body


# -- the whole path on PostgreSQL ------------------------------------------------------------


@pytest.mark.postgres
def test_the_sign_in_page_sends_a_link_and_a_worker_delivers_it(
    pg_url: str, smtp: SmtpServer
) -> None:
    from followup.server.web import create_server_app
    from followup.web.settings import WebSettings

    init = subprocess.run(
        [str(FOLLOWUP), "--db", pg_url, "server", "init"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert init.returncode == 0, init.stderr
    store = open_store(pg_url)
    now = datetime.now(UTC)
    try:
        add(store, "candidate", "ada@example.org", demo=now - timedelta(days=3))
        ada = pk_of(store, "ada@example.org")
        settings = WebSettings(pg_url, access_control=True)
        with TestClient(create_server_app(settings, mail=config(smtp))) as client:
            assert 'href="/reset"' in client.get("/login").text
            form = client.get("/reset")
            token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
            assert token is not None
            answers = [
                client.post("/reset", data={"csrf_token": token.group(1), "email": email})
                for email in ("ada@example.org", "nobody@example.org")
            ]
            assert [a.status_code for a in answers] == [200, 200]
            assert answers[0].text == answers[1].text  # tells no one who has an account
            assert "on its way" in answers[0].text
        with TestClient(create_server_app(settings)) as client:  # a server sending no mail
            assert 'href="/reset"' not in client.get("/login").text
            assert "sends no e-mail" in client.get("/reset").text
        from followup.server.jobs import _defer, make_app

        app = make_app(pg_url)
        # the worker's morning job for Ada, as `followup.notices` defers it (for her day, so
        # that one the periodic job may defer too, when the test runs on her morning, is the
        # same occasion: one reminder)
        day = now.astimezone(ZoneInfo("Europe/Paris")).date().isoformat()
        with app.open():
            assert _defer(app, "followup.remind", f"remind:{ada}", account=ada, day=day)

        worked = subprocess.run(
            [str(FOLLOWUP), "--db", pg_url, "worker", "--once"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env=os.environ | environment(smtp),
        )
        assert worked.returncode == 0, worked.stderr
        assert "The server's e-mail goes through SMTP 127.0.0.1" in worked.stderr
        subjects = sorted(str(r.message["Subject"]) for r in smtp.received)
        assert len(subjects) == 2, subjects
        assert subjects[0] == "Set a new followup password"
        assert subjects[1].startswith("Your follow-ups: ")
        reset = next(r for r in smtp.received if "password" in str(r.message["Subject"]))
        link = re.search(r"/reset/(\S+)", reset.message.get_content())
        assert link is not None and auth.link(store, link.group(1), datetime.now(UTC))
        assert {state for _, _, state, _ in outbox(store)} == {"sent"}
    finally:
        store.close()


@pytest.mark.postgres
def test_wrong_mail_settings_stop_the_worker_with_a_clear_message(pg_url: str) -> None:
    bad = {"FOLLOWUP_SERVER_SMTP_HOST": "smtp.example", "FOLLOWUP_PUBLIC_URL": "nowhere"}
    worked = subprocess.run(
        [str(FOLLOWUP), "--db", pg_url, "worker", "--once"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=os.environ | bad,
    )
    assert worked.returncode != 0
    assert "FOLLOWUP_SERVER_MAIL_FROM" in worked.stderr and "FOLLOWUP_PUBLIC_URL" in worked.stderr
    assert "Traceback" not in worked.stderr


@pytest.mark.postgres
def test_one_client_cannot_ask_for_links_for_a_whole_address_book(
    pg_url: str, smtp: SmtpServer
) -> None:
    from followup.server.web import create_server_app
    from followup.web.access import PER_CLIENT
    from followup.web.settings import WebSettings

    settings = WebSettings(pg_url, access_control=True, clock=lambda: NOW)
    with TestClient(create_server_app(settings, mail=config(smtp))) as client:
        client.get("/reset")
        token = client.cookies.get("followup_csrf")
        answers = [
            client.post("/reset", data={"csrf_token": token, "email": f"n{n}@example.org"})
            for n in range(PER_CLIENT + 1)
        ]
    assert [a.status_code for a in answers] == [200] * PER_CLIENT + [429]
    assert "Too many requests for links" in answers[-1].text
    assert int(answers[-1].headers["Retry-After"]) > 0
