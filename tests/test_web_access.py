"""Serving beyond this computer: sign-in, API tokens, the host list, and the refusal to start.

"Another machine" is simulated on loopback only: the app runs in process (or under uvicorn on
127.0.0.1) and requests name a foreign host (``followup.example``, the one allowed name) in their
``Host`` header, as a browser elsewhere would. Nothing here contacts a non-loopback address, and
`followup serve` is checked without listening beyond 127.0.0.1.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from click.testing import CliRunner
from fastapi.testclient import TestClient

from followup.cli.app import App
from followup.cli.root import cli
from followup.services import access, calendar
from followup.services.workspace import Workspace
from followup.web import access as web_access
from followup.web.app import create_app
from followup.web.settings import WebSettings
from test_cli_support import Cli

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple"
HOST = "followup.example"  # what a browser on another machine would name
HOSTS = ("127.0.0.1", "localhost", "[::1]", HOST)
#: `serve --host` beyond this computer (never really bound here: see ``no_listening``)
EVERYWHERE = "0.0.0.0"  # noqa: S104


def protected(db_url: str, **overrides: Any) -> TestClient:
    settings = WebSettings(
        database_url=db_url,
        clock=lambda: NOW,
        allowed_hosts=HOSTS,
        access_control=True,
        **overrides,
    )
    return TestClient(create_app(settings), base_url=f"http://{HOST}")


@pytest.fixture
def database(db_url: str) -> Iterator[Workspace]:
    ws = Workspace(db_url)
    access.set_password(ws, PASSWORD, NOW)
    yield ws
    ws.close()


@pytest.fixture
def client(database: Workspace) -> Iterator[TestClient]:
    with protected(database.url) as client:
        yield client


def csrf_token(client: TestClient) -> str:
    client.get("/login")  # open to all: sets the CSRF cookie
    value = client.cookies.get("followup_csrf")
    assert value
    return value


def sign_in(client: TestClient, password: str = PASSWORD, next_: str = "/") -> httpx.Response:
    data = {"csrf_token": csrf_token(client), "password": password, "next": next_}
    return client.post("/login", data=data, follow_redirects=False)


# -- without signing in, nothing but the sign-in page, static files and the calendar feed --------


def test_pages_and_the_export_send_a_stranger_to_sign_in(client: TestClient) -> None:
    for path in ("/export.json", "/", "/pipeline", "/data"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"] == f"/login?next={path}"
    htmx = client.get("/", headers={"HX-Request": "true"}, follow_redirects=False)
    assert htmx.status_code == 401 and htmx.headers["HX-Redirect"] == "/login?next=/"
    page = client.get("/login")
    assert page.status_code == 200 and 'type="password"' in page.text
    assert client.get("/static/style.css").status_code == 200


def test_writes_are_refused_before_they_reach_the_data(
    client: TestClient, database: Workspace
) -> None:
    document = b'{"version": 1, "opportunities": []}'
    refused = client.post(
        "/import",
        data={"csrf_token": csrf_token(client), "force": "1"},
        files={"file": ("in.json", document, "application/json")},
        follow_redirects=False,
    )
    assert refused.status_code == 303 and refused.headers["location"] == "/login"
    api = client.post("/api/opportunities", json={"id": "x", "company": "X", "role": "R"})
    assert api.status_code == 401
    assert database.revision == 0  # nothing was written


def test_the_api_answers_401_with_a_hint(client: TestClient) -> None:
    for path in ("/api/plan", "/api/openapi.json", "/api/docs"):
        response = client.get(path)
        assert response.status_code == 401, path
        body = response.json()
        assert set(body) == {"error", "hint"}
        assert "followup access token new" in body["hint"]
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_wrong_password_is_refused_and_the_right_one_opens_everything(
    client: TestClient,
) -> None:
    wrong = sign_in(client, "not the password at all", next_="/export.json")
    assert wrong.status_code == 401 and "not the password" in wrong.text
    assert "followup_session" not in client.cookies
    assert client.get("/export.json", follow_redirects=False).status_code == 303

    right = sign_in(client, next_="/export.json")
    assert right.status_code == 303 and right.headers["location"] == "/export.json"
    cookie = right.headers["set-cookie"]
    assert "followup_session=" in cookie and "HttpOnly" in cookie
    assert "SameSite=lax" in cookie and "Secure" not in cookie  # plain http here
    assert client.get("/export.json").status_code == 200
    assert client.get("/api/plan").status_code == 200  # the session opens the API too
    assert "You are signed in" in client.get("/login").text


def test_signing_in_needs_the_csrf_token(client: TestClient) -> None:
    client.get("/login")
    forged = client.post("/login", data={"csrf_token": "forged.token", "password": PASSWORD})
    assert forged.status_code == 403
    assert "followup_session" not in client.cookies


def test_forms_still_need_the_csrf_token_once_signed_in(client: TestClient) -> None:
    sign_in(client)
    assert client.post("/demo", data={"csrf_token": "forged.token"}).status_code == 403
    loaded = client.post("/demo", data={"csrf_token": csrf_token(client)})
    assert loaded.status_code == 200 and "Today" in loaded.text


def test_a_session_cookie_cannot_be_forged_and_ends_with_a_new_password(
    client: TestClient, database: Workspace
) -> None:
    client.cookies.set("followup_session", f"{int(time.time())}.{'0' * 64}")
    assert client.get("/", follow_redirects=False).status_code == 303
    client.cookies.clear()
    sign_in(client)
    assert client.get("/export.json").status_code == 200
    access.set_password(database, "another long password", NOW)
    assert client.get("/export.json", follow_redirects=False).status_code == 303


def test_signing_out_ends_the_session(client: TestClient) -> None:
    sign_in(client)
    out = client.post("/logout", data={"csrf_token": csrf_token(client)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert 'followup_session=""' in out.headers["set-cookie"]
    assert client.get("/export.json", follow_redirects=False).status_code == 303


def test_after_signing_in_only_this_server_s_paths_are_followed(client: TestClient) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:x"):
        assert sign_in(client, next_=target).headers["location"] == "/", target


def test_the_cookie_is_secure_behind_tls(database: Workspace) -> None:
    with protected(database.url, behind_tls=True) as client:
        cookie = sign_in(client).headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_failed_sign_ins_are_limited(client: TestClient) -> None:
    for _ in range(web_access.PER_CLIENT):
        assert sign_in(client, "a wrong guess, again").status_code == 401
    blocked = sign_in(client)  # even the right password waits now
    assert blocked.status_code == 429 and "Too many failed sign-ins" in blocked.text
    assert 0 < int(blocked.headers["Retry-After"]) <= web_access.WINDOW_SECONDS
    assert "followup_session" not in client.cookies


def test_the_limit_is_per_client_and_in_all_and_moves_on() -> None:
    now = [1000.0]
    failures = web_access.FailedLogins(clock=lambda: now[0])
    for _ in range(web_access.PER_CLIENT):
        failures.failed("10.0.0.1")
    assert failures.wait("10.0.0.1") == web_access.WINDOW_SECONDS
    assert failures.wait("10.0.0.2") == 0
    now[0] += 30
    assert failures.wait("10.0.0.1") == 30
    now[0] += 30
    assert failures.wait("10.0.0.1") == 0
    for n in range(web_access.IN_ALL):
        failures.failed(f"10.1.0.{n}")
    assert failures.wait("10.0.0.3") == web_access.WINDOW_SECONDS


# -- API tokens ------------------------------------------------------------------------------------


def test_an_api_token_opens_the_api_until_it_is_revoked(
    client: TestClient, database: Workspace
) -> None:
    token = access.new_token(database, "backup", NOW)
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/plan", headers=bearer).status_code == 200
    assert client.get("/api/profile", headers=bearer).status_code in (200, 404)
    # the token opens /api only, not the pages
    assert client.get("/export.json", headers=bearer, follow_redirects=False).status_code == 303
    wrong = client.get("/api/plan", headers={"Authorization": f"Bearer {token}x"})
    assert wrong.status_code == 401 and "not valid" in wrong.json()["error"]
    access.revoke_token(database, "backup")
    assert client.get("/api/plan", headers=bearer).status_code == 401


def test_only_a_hash_of_each_token_and_of_the_password_is_stored(database: Workspace) -> None:
    token = access.new_token(database, "ci", NOW)
    keys = access.keys(database)
    assert keys is not None and keys.password_hash.startswith("$argon2id$")
    assert PASSWORD not in keys.password_hash
    dumped = " ".join(str(v) for v in _all_rows(database))
    assert token not in dumped and token[len(access.TOKEN_PREFIX) :] not in dumped


def _all_rows(database: Workspace) -> list[Any]:
    import sqlalchemy as sa

    from followup.store.schema import ApiTokenRow, WebAccessRow

    with database.mail().read() as c:
        return [
            *c.conn.execute(sa.select(ApiTokenRow)).all(),
            *c.conn.execute(sa.select(WebAccessRow)).all(),
        ]


def test_the_password_survives_an_import(database: Workspace) -> None:
    from followup.core.model import Facts

    with database.store.unit_of_work() as work:
        work.replace_all(Facts())
    assert access.verify_password(database, PASSWORD, NOW)
    assert not access.verify_password(database, PASSWORD + "!", NOW)


# -- host names and the calendar feed -----------------------------------------------------------


def test_other_host_names_are_refused_even_when_signed_in(client: TestClient) -> None:
    sign_in(client)
    for path in ("/", "/login", "/export.json", "/api/plan"):
        assert client.get(path, headers={"Host": "evil.example"}).status_code == 400, path
    assert client.get("/export.json").status_code == 200


def test_the_calendar_feed_needs_its_token_only(client: TestClient, database: Workspace) -> None:
    token = calendar.new_token(database, NOW)
    feed = client.get(f"/calendar/{token}.ics")
    assert feed.status_code == 200 and feed.text.startswith("BEGIN:VCALENDAR")
    assert client.get("/calendar/wrong-token.ics", follow_redirects=False).status_code == 404
    assert client.get(f"/calendar/{token}.ics", headers={"Host": "evil.example"}).status_code == 400


def test_serving_on_this_computer_asks_for_nothing(db_url: str) -> None:
    with TestClient(create_app(WebSettings(database_url=db_url, clock=lambda: NOW))) as client:
        assert client.get("/export.json").status_code == 200
        assert client.get("/login").status_code == 404


# -- a real server on 127.0.0.1 --------------------------------------------------------------------


def test_a_real_server_marks_the_cookie_secure_behind_a_local_https_proxy(
    database: Workspace,
) -> None:
    settings = WebSettings(
        database_url=database.url, allowed_hosts=HOSTS, access_control=True, clock=lambda: NOW
    )
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, headers={"Host": HOST}, timeout=10) as http:
            assert http.get("/export.json").status_code == 303
            assert http.get("/", headers={"Host": "evil.example"}).status_code == 400
            http.get("/login")
            data = {"csrf_token": http.cookies["followup_csrf"], "password": PASSWORD}
            proxied = {"X-Forwarded-Proto": "https"}  # from 127.0.0.1: uvicorn trusts it
            signed = http.post("/login", data=data, headers=proxied)
            assert signed.status_code == 303
            assert "Secure" in signed.headers["set-cookie"]
            session = signed.cookies["followup_session"]
        # a Secure cookie is not sent back over plain http: as the browser behind the proxy
        browser = {"Host": HOST, "Cookie": f"followup_session={session}"}
        with httpx.Client(base_url=base, headers=browser, timeout=10) as http:
            again = http.get("/export.json")
            assert again.status_code == 200 and "opportunities" in again.json()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
    assert not thread.is_alive()


# -- `followup serve` and `followup access` -----------------------------------------------------


@pytest.fixture
def run(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "followup.db")


class _NoListening:
    """Stands in for `socket.socket` and `uvicorn.run`: records, never listens."""

    def __init__(self) -> None:
        self.bound: list[Any] = []
        self.apps: list[Any] = []

    def socket(self, *args: Any) -> _NoListening:
        return self

    def __enter__(self) -> _NoListening:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def setsockopt(self, *args: Any) -> None:
        return None

    def bind(self, address: Any) -> None:
        self.bound.append(address)

    def run(self, app: Any, **kwargs: Any) -> None:
        self.apps.append((app, kwargs))


@pytest.fixture
def no_listening(monkeypatch: pytest.MonkeyPatch) -> _NoListening:
    fake = _NoListening()
    monkeypatch.setattr(socket, "socket", fake.socket)
    monkeypatch.setattr(uvicorn, "run", fake.run)
    return fake


def test_serving_beyond_this_computer_without_access_control_is_refused(
    run: Cli, no_listening: _NoListening
) -> None:
    refused = run("serve", "--host", EVERYWHERE, expect=2)
    assert f"refusing to serve on {EVERYWHERE}, beyond this computer" in refused.stderr
    assert "followup access password" in refused.stderr
    assert "--allowed-host" in refused.stderr
    run("access", "password", "--stdin", input=PASSWORD + "\n")
    still = run("serve", "--host", EVERYWHERE, expect=2)
    assert "allowed host names" in still.stderr and "access password" not in still.stderr
    star = run("serve", "--host", "::", "--allowed-host", "*", expect=2)
    assert "'*' is not a host name" in star.stderr
    assert no_listening.bound == [] and no_listening.apps == []  # refused before binding


def test_a_password_alone_is_not_enough_and_the_hosts_alone_neither(
    run: Cli, no_listening: _NoListening
) -> None:
    refused = run("serve", "--host", "192.0.2.7", "--allowed-host", HOST, expect=2)
    assert "a password" in refused.stderr and "followup access password" in refused.stderr
    behind = run("serve", "--behind-tls", expect=2)  # a proxy reaches it: sign-in is needed
    assert "followup access password" in behind.stderr
    assert no_listening.bound == []


def test_serving_beyond_this_computer_with_access_control(
    run: Cli, no_listening: _NoListening
) -> None:
    run("access", "password", "--stdin", input=PASSWORD + "\n")
    result = run("serve", "--host", EVERYWHERE, "--allowed-host", "Followup.Example")
    assert "Sign-in is on" in result.stdout and "--behind-tls" in result.stderr
    ((app, options),) = no_listening.apps
    settings = app.state.web.settings
    assert settings.access_control and "*" not in settings.allowed_hosts
    assert set(settings.allowed_hosts) == {"127.0.0.1", "localhost", "[::1]", HOST}
    assert options["host"] == EVERYWHERE and no_listening.bound == [(EVERYWHERE, 8000)]


def test_the_allowed_hosts_can_come_from_the_environment(
    run: Cli, no_listening: _NoListening
) -> None:
    run("access", "password", "--stdin", input=PASSWORD + "\n")
    env = {"FOLLOWUP_ALLOWED_HOSTS": "a.example b.example"}
    run("serve", "--host", EVERYWHERE, "--behind-tls", env=env)
    settings = no_listening.apps[0][0].state.web.settings
    assert {"a.example", "b.example"} <= set(settings.allowed_hosts)
    assert settings.behind_tls


def test_serving_on_this_computer_is_unchanged(run: Cli, no_listening: _NoListening) -> None:
    result = run("serve")
    assert "Sign-in" not in result.stdout
    settings = no_listening.apps[0][0].state.web.settings
    assert not settings.access_control and "*" not in settings.allowed_hosts


def test_access_password(run: Cli, tmp_path: Path) -> None:
    short = run("access", "password", "--stdin", input="short\n", expect=2)
    assert "at least 10 characters" in short.stderr
    run("access", "password", "--stdin", input="\n", expect=2)
    no_terminal = run("access", "password", expect=2)
    assert "--stdin" in no_terminal.stderr
    done = run("access", "password", "--stdin", input=PASSWORD + "\n")
    assert "Password set" in done.stdout
    ws = Workspace(f"sqlite:///{tmp_path / 'followup.db'}")
    try:
        assert access.verify_password(ws, PASSWORD, NOW)
    finally:
        ws.close()


def test_access_password_asks_twice_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from followup.cli import access as cli_access

    monkeypatch.setattr(cli_access, "_on_terminal", lambda: True)
    db = str(tmp_path / "followup.db")

    def invoke(typed: str) -> Any:
        app = App(environ={}, clock=lambda: NOW)
        return CliRunner().invoke(cli, ["--db", db, "access", "password"], obj=app, input=typed)

    mismatch = invoke(f"{PASSWORD}\nanother password\n")
    assert "do not match" in mismatch.output and mismatch.exit_code != 0
    result = invoke(f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Password set" in result.output and PASSWORD not in result.output


def test_access_tokens(run: Cli) -> None:
    assert "No API tokens" in run("access", "token", "list").stdout
    made = run("access", "token", "new", "backup-script")
    token = made.stdout.strip()
    assert token.startswith(access.TOKEN_PREFIX) and len(token) > 40
    assert "not shown again" in made.stderr
    listed = run("access", "token", "list").stdout
    assert "backup-script" in listed and token not in listed
    run("access", "token", "new", "backup-script", expect=4)
    run("access", "token", "new", "no spaces please", expect=2)
    run("access", "token", "revoke", "backup-script")
    run("access", "token", "revoke", "backup-script", expect=3)
    assert "No API tokens" in run("access", "token", "list").stdout
