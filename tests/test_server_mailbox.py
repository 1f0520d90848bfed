"""The server reads each candidate's replies from their own mailbox (``server.mailbox``,
``server.mailbox_pages``), on PostgreSQL and a real Dovecot: passwords sealed with the key of
``FOLLOWUP_SECRET_KEY`` (never in the database or a page in clear), key rotation, refusals that
say what to do and write nothing, a sync that logs a reply in that candidate's workspace only
and records its outcome, and /account/mail reachable by its own candidate only."""

from __future__ import annotations

import html
import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from imapclient import IMAPClient

from followup.cli.root import cli
from followup.errors import Conflict, InvalidInput
from followup.server import mailbox
from followup.server.accounts import Account, add_account
from followup.server.mailbox import SECRET_KEY_ENV, SecretKeyMissing, SecretUnreadable
from followup.server.web import create_server_app
from followup.services import mail
from followup.services.documents import export_document, import_document
from followup.services.mail_sync import SyncSummary
from followup.services.workspace import Workspace
from followup.store import Store, open_store
from followup.web.settings import WebSettings
from mailfixtures import messages
from mailfixtures.dovecot import PASSWORD as IMAP_PASSWORD
from mailfixtures.dovecot import USER as IMAP_USER
from mailfixtures.dovecot import Dovecot
from test_cli_support import sample_document

pytestmark = pytest.mark.postgres

#: the sample search moved to 2026 (Dovecot keeps no arrival date in the future)
NOW = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)
REPLY_AT = datetime(2026, 3, 5, 13, 0, tzinfo=UTC)
ACCOUNT_PASSWORD = "correct horse battery"
ROUTES = (
    ("GET", "/account/mail"),
    ("POST", "/account/mail"),
    ("POST", "/account/mail/sync"),
    ("POST", "/account/mail/forget"),
)
UNREADABLE = "the stored password cannot be opened with this server's key; enter it again"


# -- the world: PostgreSQL, Dovecot, accounts ------------------------------------------------


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    server = Dovecot()  # skips where Dovecot is not installed; fails in CI, which installs it
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def private_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test Dovecot listens on 127.0.0.1, which a server reaches only when allowed."""
    monkeypatch.setenv(mailbox.HOSTS_ENV, "any")


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh key in this process's ``FOLLOWUP_SECRET_KEY`` (the web app reads it there)."""
    value = mailbox.new_secret_key()
    monkeypatch.setenv(SECRET_KEY_ENV, value)
    return value


def folder(server: Dovecot) -> str:
    """A new, empty folder of the Dovecot account."""
    name = f"T{uuid.uuid4().hex[:10]}"
    with _imap(server) as c:
        c.create_folder(name)
    return name


def deliver(server: Dovecot, name: str, *raws: bytes) -> None:
    with _imap(server) as c:
        for raw in raws:
            c.append(name, raw, msg_time=REPLY_AT)


def _imap(server: Dovecot) -> IMAPClient:
    client = IMAPClient("127.0.0.1", port=server.port, ssl=False)
    client.login(IMAP_USER, IMAP_PASSWORD)
    return client


def imap_settings(server: Dovecot, name: str, **more: Any) -> dict[str, Any]:
    return {
        "from_address": "alex@me.example",
        "imap_host": "127.0.0.1",
        "imap_port": server.port,
        "imap_security": "none",
        "imap_user": IMAP_USER,
        "imap_folder": name,
    } | more


class World:
    """A server's database with candidates, each with the sample job search (the same
    people, the same addresses: a reply from Dana could belong to any of them)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.store: Store = open_store(url)
        self._app: Any = None

    @property
    def app(self) -> Any:
        if self._app is None:
            settings = WebSettings(self.url, access_control=True, clock=lambda: NOW)
            self._app = create_server_app(settings)
        return self._app

    def add(self, role: str, email: str, *, search: bool = True) -> Account:
        account, _ = add_account(
            self.store,
            organisation="acme",
            role=role,
            email=email,
            password=ACCOUNT_PASSWORD,
            now=NOW,
        )
        if role == "candidate" and search:
            document = json.loads(json.dumps(sample_document()).replace("2030-", "2026-"))
            import_document(self.workspace(account), document, now=NOW)
        return account

    def workspace(self, account: Account) -> Workspace:
        assert account.candidate is not None
        return Workspace.of(self.store, candidate=account.candidate)

    def client(self, email: str | None = None) -> TestClient:
        client = TestClient(self.app, follow_redirects=False)  # no `with`: it would close the app
        client.get("/login")
        if email is not None:
            signed = client.post(
                "/login",
                data={"email": email, "password": ACCOUNT_PASSWORD, "csrf_token": csrf(client)},
            )
            assert signed.status_code == 303, signed.text
        return client

    def rows(self, table: str) -> list[tuple[Any, ...]]:
        with self.store.sql() as db:
            return db.rows(f"SELECT * FROM {table}")

    def close(self) -> None:
        if self._app is not None:
            self._app.state.web.close()
        self.store.close()


def csrf(client: TestClient) -> str:
    return str(client.cookies.get("followup_csrf"))


@pytest.fixture
def world(pg_url: str) -> Iterator[World]:
    found = World(pg_url)
    yield found
    found.close()


def configure(world: World, who: Account, values: dict[str, Any], password: str | None) -> None:
    assert who.candidate is not None
    mailbox.save_settings(
        world.store, None, who.candidate, values, {"imap": password}, dict(os.environ)
    )


def inbound(world: World, who: Account) -> list[dict[str, Any]]:
    document = export_document(world.workspace(who))
    acme = next(o for o in document["opportunities"] if o["id"] == "acme")  # type: ignore[attr-defined]
    return [t for t in acme.get("touches", []) if t["direction"] == "in"]


def text(answer: Any) -> str:
    """What a page says, its HTML entities read (``'`` is ``&#39;`` in the source)."""
    return html.unescape(answer.text)


# -- sealing -----------------------------------------------------------------------------------


def test_sealing_opens_only_with_the_key_and_rotates(world: World) -> None:
    old, new = mailbox.new_secret_key(), mailbox.new_secret_key()
    assert old != new and len(old) == 44
    with_old = {SECRET_KEY_ENV: old}
    sealed = mailbox.seal("p4ss-wörd", with_old)
    assert "p4ss" not in sealed and sealed != mailbox.seal("p4ss-wörd", with_old)  # fresh IV
    assert mailbox.unseal(sealed, with_old) == "p4ss-wörd"
    with pytest.raises(SecretUnreadable) as refused:
        mailbox.unseal(sealed, {SECRET_KEY_ENV: new})
    assert refused.value.message == UNREADABLE
    assert refused.value.hint is not None and "/account/mail" in refused.value.hint

    # rotation: the new key first seals, the old one after it still opens
    both = {SECRET_KEY_ENV: f"{new}  {old}"}
    assert mailbox.unseal(sealed, both) == "p4ss-wörd"
    assert mailbox.unseal(mailbox.seal("x", both), {SECRET_KEY_ENV: new}) == "x"
    with pytest.raises(SecretUnreadable):
        mailbox.unseal(mailbox.seal("x", both), with_old)

    # `reseal` (`followup server secret-key --reseal`): every stored password under the new key
    ada = world.add("candidate", "ada@example.org", search=False)
    assert ada.candidate is not None
    mailbox.save_settings(
        world.store,
        None,
        ada.candidate,
        {"imap_host": "imap.example.org"},
        {"imap": "p4ss-wörd", "smtp": "other"},
        with_old,
    )
    runner = CliRunner()
    done = runner.invoke(
        cli,
        ["--db", world.url, "server", "secret-key", "--reseal"],
        env={SECRET_KEY_ENV: f"{new} {old}"},
    )
    assert done.exit_code == 0, done.output
    assert "Sealed 2 passwords again" in done.output
    with world.store.sql() as db:
        stored = dict(db.rows("SELECT kind, sealed FROM mail_secret"))
    assert mailbox.unseal(stored["imap"], {SECRET_KEY_ENV: new}) == "p4ss-wörd"
    assert mailbox.unseal(stored["smtp"], {SECRET_KEY_ENV: new}) == "other"
    # the old key dropped too early: the passwords it sealed are named, not silently kept
    stranger = mailbox.new_secret_key()
    again = runner.invoke(
        cli,
        ["--db", world.url, "server", "secret-key", "--reseal"],
        env={SECRET_KEY_ENV: stranger},
    )
    assert again.exit_code == 0, again.output
    assert "Sealed 0 passwords again" in again.stdout
    assert "2 stored passwords opened with none of the keys given" in again.stderr

    # a value that is no key is named by its place, never shown
    with pytest.raises(SecretKeyMissing, match="word 2 of 2") as bad:
        mailbox.seal("x", {SECRET_KEY_ENV: f"{new} not-a-key-at-all"})
    assert "not-a-key-at-all" not in str(bad.value) and new not in str(bad.value)


def test_secret_key_command_prints_a_key_and_how_to_use_it() -> None:
    done = CliRunner().invoke(cli, ["server", "secret-key"])
    assert done.exit_code == 0, done.output
    key, hint = done.stdout.strip(), done.stderr.strip()
    assert mailbox.unseal(mailbox.seal("x", {SECRET_KEY_ENV: key}), {SECRET_KEY_ENV: key}) == "x"
    assert SECRET_KEY_ENV in hint and "every web process and worker" in hint


def test_without_a_key_no_password_is_stored_and_nothing_is_written(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SECRET_KEY_ENV, raising=False)
    ada = world.add("candidate", "ada@example.org")
    assert ada.candidate is not None
    values = {"imap_host": "imap.example.org", "imap_user": "ada"}
    with pytest.raises(SecretKeyMissing) as refused:
        mailbox.save_settings(world.store, None, ada.candidate, values, {"imap": "pw-1"}, {})
    assert refused.value.message == (
        "this server cannot store mail passwords: FOLLOWUP_SECRET_KEY is not set"
    )
    assert "followup server secret-key" in (refused.value.hint or "")
    assert world.rows("mail_secret") == [] and world.rows("mail_settings") == []

    # the page: the same refusal, the fields as typed, the password nowhere, nothing saved
    client = world.client("ada@example.org")
    page = client.get("/account/mail")
    assert page.status_code == 200 and "cannot store mail passwords yet" in text(page)
    form = {"imap_host": "imap.example.org", "imap_password": "pw-typed-1234"}
    answer = client.post("/account/mail", data=form | {"csrf_token": csrf(client)})
    assert answer.status_code == 503
    assert "FOLLOWUP_SECRET_KEY is not set" in text(answer) and "Traceback" not in answer.text
    assert 'value="imap.example.org"' in answer.text and "pw-typed-1234" not in answer.text
    assert world.rows("mail_secret") == [] and world.rows("mail_settings") == []
    # settings alone need no key
    saved = client.post(
        "/account/mail", data={"imap_host": "imap.example.org", "csrf_token": csrf(client)}
    )
    assert saved.status_code == 200 and "settings are saved" in text(saved)
    assert world.rows("mail_secret") == []


def test_bad_input_is_refused_at_its_field_and_nothing_is_written(world: World, key: str) -> None:
    ada = world.add("candidate", "ada@example.org")
    assert ada.candidate is not None
    with pytest.raises(InvalidInput, match="imap_password: holds a control character"):
        mailbox.save_settings(
            world.store,
            None,
            ada.candidate,
            {"imap_host": "h"},
            {"imap": "pw\r\nA1 LOGOUT"},
            {SECRET_KEY_ENV: key},
        )
    client = world.client("ada@example.org")
    form = {
        "imap_host": "imap.example.org",
        "imap_port": "99999",
        "imap_password": "a-fine-password",
        "csrf_token": csrf(client),
    }
    answer = client.post("/account/mail", data=form)
    assert answer.status_code == 400
    assert "'99999' is not a port (1 to 65535)" in text(answer)
    assert 'id="m-err-imap_port"' in answer.text and "a-fine-password" not in answer.text
    bad_security = form | {"imap_port": "143", "imap_security": "ssl"}
    answer = client.post("/account/mail", data=bad_security)
    assert answer.status_code == 400 and "imap security must be one of" in text(answer)
    bad_address = form | {"imap_port": "143", "from_address": "not an address"}
    answer = client.post("/account/mail", data=bad_address)
    assert answer.status_code == 400 and 'id="m-err-from_address"' in answer.text
    assert world.rows("mail_secret") == [] and world.rows("mail_settings") == []


# -- the page ----------------------------------------------------------------------------------


def test_the_page_saves_settings_and_seals_the_password(world: World, key: str) -> None:
    ada = world.add("candidate", "ada@example.org")
    client = world.client("ada@example.org")
    secret = "Ada-only-IMAP-pass-73"
    form = {
        "from_address": "ada@example.org",
        "imap_host": "imap.example.org",
        "imap_port": "993",
        "imap_security": "tls",
        "imap_user": "ada",
        "imap_password": secret,
        "imap_folder": "Replies",
        "smtp_host": "smtp.example.org",  # not asked for on the server: ignored
        "smtp_password": "Ada-only-SMTP-pass-19",
        "csrf_token": csrf(client),
    }
    pages = [client.post("/account/mail", data=form)]
    assert pages[0].status_code == 200, pages[0].text
    assert "IMAP password sealed and stored" in text(pages[0])
    pages.append(client.get("/account/mail"))
    page = pages[-1].text
    assert 'id="imap-stored">stored' in page and "smtp" not in page.lower()
    assert 'value="imap.example.org"' in page and 'value="Replies"' in page
    assert 'name="imap_port" value="993"' in page
    assert '<option value="tls" selected>' in page

    assert ada.candidate is not None
    settings = mail.get_settings(world.workspace(ada))  # the same rows as `followup mail settings`
    assert settings["imap_host"] == "imap.example.org" and settings["imap_port"] == 993
    assert settings["smtp_host"] is None and settings["from_address"] == "ada@example.org"
    with world.store.sql() as db:
        stored = dict(db.rows("SELECT kind, sealed FROM mail_secret"))
    assert set(stored) == {"imap"}
    assert mailbox.unseal(stored["imap"], {SECRET_KEY_ENV: key}) == secret

    # an empty password field keeps the stored one; a changed server forgets it
    keep = client.post(
        "/account/mail",
        data={"imap_folder": "INBOX", "imap_password": "", "csrf_token": csrf(client)},
    )
    assert keep.status_code == 200 and "forgotten" not in text(keep)
    assert len(world.rows("mail_secret")) == 1
    moved = client.post(
        "/account/mail", data={"imap_host": "imap.elsewhere.example", "csrf_token": csrf(client)}
    )
    assert "stored IMAP password was forgotten, as its server changed" in text(moved)
    assert 'id="imap-stored">none' in moved.text
    again = client.post("/account/mail", data={"imap_password": secret, "csrf_token": csrf(client)})
    assert 'id="imap-stored">stored' in again.text
    pages += [keep, moved, again]

    forgot = client.post("/account/mail/forget", data={"csrf_token": csrf(client)})
    assert forgot.status_code == 200 and "stored passwords are forgotten" in text(forgot)
    assert world.rows("mail_secret") == []
    pages += [forgot, client.get("/account/export.json"), client.get("/account")]

    # the passwords in clear: in no page, and nowhere in the database
    for answer in pages:
        assert secret not in answer.text and "Ada-only-SMTP-pass-19" not in answer.text
    with world.store.sql() as db:
        tables = db.column(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
        everything = json.dumps([db.rows(f'SELECT * FROM "{t}"') for t in tables], default=str)
    assert "mail_secret" in tables and "imap.elsewhere.example" in everything
    assert secret not in everything and "Ada-only-SMTP-pass-19" not in everything


def test_only_the_candidate_reaches_their_mail_settings(world: World, key: str) -> None:
    ada = world.add("candidate", "ada@example.org")
    world.add("candidate", "bo@example.org")
    world.add("coach", "kim@acme.example")
    world.add("admin", "root@acme.example")
    configure(world, ada, {"imap_host": "ada-imap.example.org", "imap_user": "ada-user"}, "pw-a1")
    for email in ("kim@acme.example", "root@acme.example"):  # coaches and admins: 403
        client = world.client(email)
        for method, url in ROUTES:
            form = {"imap_host": "evil.example", "csrf_token": csrf(client)}
            answer = client.request(method, url, data=form if method == "POST" else None)
            assert answer.status_code == 403, (email, url, answer.status_code)
            assert "a candidate's own" in text(answer) and "ada-imap" not in answer.text
    anonymous = world.client()
    answer = anonymous.get("/account/mail")
    assert (answer.status_code, answer.headers["location"]) == (303, "/login?next=/account/mail")

    # another candidate reaches their own settings only: there is no address for Ada's
    bo = world.client("bo@example.org")
    page = bo.get("/account/mail")
    assert page.status_code == 200 and "ada-imap" not in page.text and "ada-user" not in page.text
    assert 'id="imap-stored">none' in page.text
    saved = bo.post(
        "/account/mail", data={"imap_host": "bo-imap.example.org", "csrf_token": csrf(bo)}
    )
    assert saved.status_code == 200
    forgot = bo.post("/account/mail/forget", data={"csrf_token": csrf(bo)})
    assert "No password was stored" in text(forgot)
    box = mailbox.mailbox(world.store, None, str(ada.candidate), {SECRET_KEY_ENV: key})
    assert box.settings["imap_host"] == "ada-imap.example.org" and box.stored["imap"]
    assert box.settings["imap_user"] == "ada-user"


# -- syncing -----------------------------------------------------------------------------------


def test_a_sync_logs_a_reply_in_that_candidates_workspace_only(
    world: World, key: str, dovecot: Dovecot
) -> None:
    ada, bo = world.add("candidate", "ada@example.org"), world.add("candidate", "bo@example.org")
    cy = world.add("candidate", "cy@example.org")  # an IMAP server but no password
    world.add("candidate", "di@example.org")  # nothing
    ada_folder, bo_folder = folder(dovecot), folder(dovecot)
    configure(world, ada, imap_settings(dovecot, ada_folder), IMAP_PASSWORD)
    configure(world, bo, imap_settings(dovecot, bo_folder), IMAP_PASSWORD)
    configure(world, cy, imap_settings(dovecot, bo_folder), None)
    expected = sorted([str(ada.candidate), str(bo.candidate)])
    assert mailbox.candidates_to_sync(world.store) == expected
    reply = messages.reply(
        "Dana Lee <dana@acme.example>",
        "Re: Thank you",
        "Glad we met. Next steps soon.",
        REPLY_AT,
        message_id="<dana-1@acme.example>",
    )
    deliver(dovecot, ada_folder, reply)
    bo_before = export_document(world.workspace(bo))
    assert inbound(world, ada) == []

    summary = mailbox.sync_candidate(world.store, None, str(ada.candidate), os.environ, NOW)
    assert isinstance(summary, SyncSummary)
    assert (summary.folder, summary.read, summary.replies) == (ada_folder, 1, 1)
    [touch] = inbound(world, ada)
    assert touch["person"] == "dana" and touch["summary"] == "Re: Thank you"
    assert export_document(world.workspace(bo)) == bo_before  # Bo has Dana too: untouched
    last = mailbox.last_outcome(world.store, str(ada.candidate))
    assert last is not None and last.ok and last.at == NOW
    said = f"Read 1 message in {ada_folder}: 1 reply logged, 0 auto-replies, 0 bounces, 0 to review"
    assert last.message == said + "."
    assert last.summary is not None and last.summary["replies"] == 1
    assert mailbox.last_outcome(world.store, str(bo.candidate)) is None

    # "sync now" on the page: Bo's own (empty) folder; Ada's reply stays Ada's
    client = world.client("bo@example.org")
    answer = client.post("/account/mail/sync", data={"csrf_token": csrf(client)})
    assert answer.status_code == 200, answer.text
    assert f"Read 0 messages in {bo_folder}" in text(answer) and "done" in answer.text
    assert export_document(world.workspace(bo)) == bo_before
    assert IMAP_PASSWORD not in answer.text
    # Ada's again: nothing new, nothing twice
    ada_client = world.client("ada@example.org")
    again = ada_client.post("/account/mail/sync", data={"csrf_token": csrf(ada_client)})
    assert again.status_code == 200 and f"Read 0 messages in {ada_folder}" in text(again)
    assert len(inbound(world, ada)) == 1

    # one sync of a mailbox at a time: a second one meanwhile is refused, and records nothing
    before = mailbox.last_outcome(world.store, str(ada.candidate))
    later = NOW.replace(hour=16)
    ada_pk = world.workspace(ada).candidate_pk
    with world.store.sql(write=True) as db:  # as a running sync holds it
        db.scalar(f"SELECT pg_advisory_xact_lock({mailbox.SYNC_LOCK})", [ada_pk])
        with pytest.raises(Conflict, match="your mailbox is being read already"):
            mailbox.sync_candidate(world.store, None, str(ada.candidate), os.environ, later)
    assert before is not None and mailbox.last_outcome(world.store, str(ada.candidate)) == before
    mailbox.sync_candidate(world.store, None, str(ada.candidate), os.environ, later)  # released
    found = mailbox.last_outcome(world.store, str(ada.candidate))
    assert found is not None and found.at == later


def test_a_sync_that_cannot_read_says_why_and_records_it(
    world: World, key: str, dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = world.add("candidate", "ada@example.org")
    candidate = str(ada.candidate)
    client = world.client("ada@example.org")

    def sync_now() -> tuple[int, str]:
        answer = client.post("/account/mail/sync", data={"csrf_token": csrf(client)})
        assert "Traceback" not in answer.text and IMAP_PASSWORD not in answer.text
        return answer.status_code, text(answer)

    # nothing set: what to set
    status, page = sync_now()
    assert status == 400 and "reading replies needs your IMAP server" in page
    configure(world, ada, imap_settings(dovecot, folder(dovecot)), None)
    status, page = sync_now()
    assert status == 400 and "no IMAP password is stored for your mailbox" in page

    # the key changed since the password was stored
    configure(world, ada, {}, IMAP_PASSWORD)
    monkeypatch.setenv(SECRET_KEY_ENV, mailbox.new_secret_key())
    with pytest.raises(SecretUnreadable) as refused:
        mailbox.sync_candidate(world.store, None, candidate, os.environ, NOW)
    assert refused.value.message == UNREADABLE
    last = mailbox.last_outcome(world.store, candidate)
    assert last is not None and not last.ok and last.message == UNREADABLE
    status, page = sync_now()
    assert status == 409 and UNREADABLE in page and "stopped" in page

    # no key at all
    monkeypatch.delenv(SECRET_KEY_ENV)
    status, page = sync_now()
    assert status == 503 and "FOLLOWUP_SECRET_KEY is not set" in page

    # the login refused
    monkeypatch.setenv(SECRET_KEY_ENV, key)
    configure(world, ada, {}, "not-the-password")
    status, page = sync_now()
    assert status == 502 and "mail sync stopped: IMAP alex@127.0.0.1" in page
    assert "not-the-password" not in page
    last = mailbox.last_outcome(world.store, candidate)
    assert last is not None and not last.ok and last.message.startswith("mail sync stopped")

    # the server unreachable (a port nobody listens on)
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    configure(world, ada, {"imap_port": closed}, IMAP_PASSWORD)  # the server changed: again
    with pytest.raises(mail.MailError, match=f"127.0.0.1:{closed}"):
        mailbox.sync_candidate(world.store, None, candidate, os.environ, NOW)
    page = text(client.get("/account/mail"))
    assert f"mail sync stopped: IMAP alex@127.0.0.1:{closed}" in page
    assert "check the IMAP settings and password" in page

    # and back to working: the outcome says so
    configure(world, ada, {"imap_port": dovecot.port}, IMAP_PASSWORD)
    mailbox.sync_candidate(world.store, None, candidate, os.environ, NOW)
    last = mailbox.last_outcome(world.store, candidate)
    assert last is not None and last.ok and last.message.startswith("Read 0 messages")


def test_a_mail_server_on_a_private_address_is_refused_unless_allowed(
    world: World, key: str, dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A candidate cannot point the server's workers at the machines beside it."""
    ada = world.add("candidate", "ada@example.org")
    candidate = str(ada.candidate)
    client = world.client("ada@example.org")
    configure(world, ada, imap_settings(dovecot, folder(dovecot)), IMAP_PASSWORD)
    monkeypatch.delenv(mailbox.HOSTS_ENV)
    answer = client.post("/account/mail/sync", data={"csrf_token": csrf(client)})
    page = text(answer)
    assert answer.status_code == 400 and "Traceback" not in answer.text
    assert "the mail server 127.0.0.1 is at an address this server does not reach" in page
    assert "(127.0.0.1: not a public address)" in page and mailbox.HOSTS_ENV in page
    last = mailbox.last_outcome(world.store, candidate)
    assert last is not None and not last.ok and "not a public address" in last.message
    monkeypatch.setenv(mailbox.HOSTS_ENV, "any")
    mailbox.sync_candidate(world.store, None, candidate, os.environ, NOW)
    last = mailbox.last_outcome(world.store, candidate)
    assert last is not None and last.ok


def test_a_worker_reads_each_configured_mailbox_from_the_queue(
    world: World, key: str, dovecot: Dovecot
) -> None:
    """`followup worker` takes the periodic round (``followup.mail_sync_all``) and the sync
    job it defers for each candidate whose mailbox the server can read, from the real queue."""
    import subprocess
    import sys
    from pathlib import Path

    from followup.server.jobs import _defer, make_app

    followup = Path(sys.executable).with_name("followup")
    init = subprocess.run(
        [str(followup), "--db", world.url, "server", "init"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert init.returncode == 0, init.stderr
    ada, bo = world.add("candidate", "ada@example.org"), world.add("candidate", "bo@example.org")
    ada_folder = folder(dovecot)
    configure(world, ada, imap_settings(dovecot, ada_folder), IMAP_PASSWORD)
    reply = messages.reply(
        "Dana Lee <dana@acme.example>",
        "Re: Thank you",
        "Glad we met. Next steps soon.",
        REPLY_AT,
        message_id="<dana-worker@acme.example>",
    )
    with _imap(dovecot) as c:  # arrived just now: the worker syncs at the real time
        c.append(ada_folder, reply, msg_time=datetime.now(UTC))
    bo_before = export_document(world.workspace(bo))
    app = make_app(world.url)
    with app.open():
        assert _defer(app, "followup.mail_sync_all", "mail-sync-all-test")

    worked = subprocess.run(
        [str(followup), "--db", world.url, "worker", "--once"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert worked.returncode == 0, worked.stderr
    [touch] = inbound(world, ada)
    assert touch["person"] == "dana" and touch["summary"] == "Re: Thank you"
    assert export_document(world.workspace(bo)) == bo_before
    last = mailbox.last_outcome(world.store, str(ada.candidate))
    assert last is not None and last.ok and "1 reply logged" in last.message
    import psycopg

    from followup.server.jobs import conninfo

    with psycopg.connect(conninfo(world.url)) as conn:
        done = conn.execute(
            "SELECT task_name, status::text FROM procrastinate_jobs "
            "WHERE task_name LIKE 'followup.mail_sync%' ORDER BY id"
        ).fetchall()
    assert ("followup.mail_sync_all", "succeeded") in done
    assert done.count(("followup.mail_sync", "succeeded")) >= 1
