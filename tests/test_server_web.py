"""The server's web app on PostgreSQL (``server.web``, ``server.pages``), through HTTP: sign-in
by e-mail, the API by token, invitations, the account page (grants, tokens, export, delete),
a coach's caseload, candidate view, weekly report and logging a touch with an act grant, and
the command line that makes links and starts the server."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from followup.cli.root import cli
from followup.server.accounts import Account, add_account
from followup.server.web import create_server_app
from followup.services.documents import load_demo
from followup.services.workspace import Workspace
from followup.store import open_store
from followup.web.settings import WebSettings

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


class Server:
    def __init__(self, url: str) -> None:
        self.url = url
        self.store = open_store(url)
        self.app = create_server_app(WebSettings(url, access_control=True, clock=lambda: NOW))
        self.accounts: dict[str, Account] = {}

    def add(self, role: str, email: str, org: str = "acme", demo: bool = False) -> Account:
        account, _ = add_account(
            self.store, organisation=org, role=role, email=email, password=PASSWORD, now=NOW
        )
        if demo:
            assert account.candidate is not None
            ws = Workspace.of(self.store, candidate=account.candidate)
            load_demo(ws, NOW - timedelta(days=3), "Europe/Paris")
        self.accounts[email] = account
        return account

    def client(self, email: str | None = None) -> TestClient:
        client = TestClient(self.app)
        client.get("/login")
        if email is not None:
            signed = client.post(
                "/login",
                data={"email": email, "password": PASSWORD, "csrf_token": csrf(client)},
                follow_redirects=False,
            )
            assert signed.status_code == 303, signed.text
        return client


def csrf(client: TestClient) -> str:
    return str(client.cookies.get("followup_csrf"))


@pytest.fixture
def server(pg_url: str) -> Iterator[Server]:
    found = Server(pg_url)
    yield found
    found.app.state.web.close()  # the app's own store (its lifespan closes it under uvicorn)
    found.store.close()


def test_sign_in_sends_each_role_home_and_refuses_the_rest(server: Server) -> None:
    server.add("admin", "root@acme.example")
    server.add("coach", "kim@acme.example")
    server.add("candidate", "ada@example.org")
    anonymous = server.client()
    page = anonymous.get("/pipeline", follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (303, "/login?next=/pipeline")
    api = anonymous.get("/api/plan")
    assert api.status_code == 401 and api.json()["error"] == "sign in first"
    wrong = anonymous.post(
        "/login",
        data={
            "email": "ada@example.org",
            "password": "nope nope nope",
            "csrf_token": csrf(anonymous),
        },
    )
    assert wrong.status_code == 401 and "do not match an account" in wrong.text
    assert 'value="ada@example.org"' in wrong.text  # the address stays typed
    for email, home in (("root@acme.example", "/admin"), ("kim@acme.example", "/coach"),
                        ("ada@example.org", "/")):  # fmt: skip
        client = server.client()
        signed = client.post(
            "/login",
            data={"email": email, "password": PASSWORD, "csrf_token": csrf(client)},
            follow_redirects=False,
        )
        assert signed.headers["location"] == home
        cookie = signed.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    ada = server.client("ada@example.org")
    assert ada.get("/").status_code == 200
    refused = ada.get("/coach")
    assert refused.status_code == 403 and "for coaches" in refused.text
    data = ada.get("/data").text  # no form the server refuses, and where to go instead
    assert 'action="/restore"' not in data and 'action="/playbook"' not in data
    assert 'href="/account"' in data
    local = ada.post("/playbook", data={"csrf_token": csrf(ada)})
    assert local.status_code == 403 and "own computer" in local.text
    kim = server.client("kim@acme.example")
    assert kim.get("/").status_code == 403 and kim.get("/api/plan").status_code == 403
    assert kim.get("/admin").status_code == 403
    out = ada.post("/logout", data={"csrf_token": csrf(ada)}, follow_redirects=False)
    assert out.status_code == 303
    assert ada.get("/", follow_redirects=False).status_code == 303  # the session is gone


def test_the_api_by_token_and_tokens_on_the_account_page(server: Server) -> None:
    server.add("candidate", "ada@example.org", demo=True)
    ada = server.client("ada@example.org")
    made = ada.post("/account/tokens", data={"name": "phone", "csrf_token": csrf(ada)})
    token = re.search(r'id="new-token">([^<]+)<', made.text)
    assert token is not None
    bare = TestClient(server.app)
    plan = bare.get("/api/plan", headers={"Authorization": f"Bearer {token[1]}"})
    assert plan.status_code == 200 and plan.json()
    wrong = bare.get("/api/plan", headers={"Authorization": "Bearer fu_mistyped"})
    assert wrong.status_code == 401 and "not valid" in wrong.json()["error"]
    page = bare.get("/", headers={"Authorization": f"Bearer {token[1]}"}, follow_redirects=False)
    assert page.status_code == 303  # a token opens the API only
    # the server sends nothing from a candidate's mailbox: no Send… on Today or a draft
    written = [a for a in plan.json() if a["rule"] in ("thank-you", "value-add", "check-in")]
    assert written
    assert "/send/" not in ada.get("/").text
    draft = ada.get(f"/drafts/{written[0]['id']}")
    assert draft.status_code == 200 and "/send/" not in draft.text
    ada.post("/account/tokens/phone/revoke", data={"csrf_token": csrf(ada)})
    again = bare.get("/api/plan", headers={"Authorization": f"Bearer {token[1]}"})
    assert again.status_code == 401


def test_an_invitation_link_opens_an_account_and_signs_in(server: Server) -> None:
    server.add("coach", "kim@acme.example")
    kim = server.client("kim@acme.example")
    made = kim.post("/coach/invite", data={"email": "ada@example.org", "csrf_token": csrf(kim)})
    link = re.search(r'id="invitation-link">http://testserver(/join/[^<]+)<', made.text)
    assert link is not None
    new = server.client()
    assert "invited to acme as candidate" in new.get(link[1]).text
    fields = {"password": PASSWORD, "csrf_token": csrf(new)}
    differ = new.post(link[1], data=fields | {"repeated": PASSWORD + "x"})
    assert differ.status_code == 400 and "differ" in differ.text
    opened = new.post(link[1], data=fields | {"repeated": PASSWORD}, follow_redirects=False)
    assert (opened.status_code, opened.headers["location"]) == (303, "/")
    assert "Welcome" in new.get("/").text  # signed in, in an empty workspace of their own
    assert new.get(link[1]).status_code == 404  # used once


def test_a_coach_sees_as_far_as_consent_goes_and_the_candidate_sees_the_log(
    server: Server,
) -> None:
    ada_account = server.add("candidate", "ada@example.org", demo=True)
    server.add("coach", "kim@acme.example")
    cid = ada_account.candidate
    ada, kim = server.client("ada@example.org"), server.client("kim@acme.example")
    empty = kim.get("/coach")
    assert "No candidate has granted you access yet" in empty.text
    assert kim.get(f"/coach/c/{cid}").status_code == 403

    ada.post("/account/consent", data={"coach": "kim@acme.example", "level": "overview",
                                       "csrf_token": csrf(ada)})  # fmt: skip
    listed = kim.get("/api/coach/caseload").json()
    assert listed["count"] == 1 and listed["candidates"][0]["candidate"] == cid
    assert kim.get("/api/coach/caseload?sort=bogus").status_code == 400
    view = kim.get(f"/coach/c/{cid}")
    assert view.status_code == 200 and "Alex Morgan" in view.text
    assert (
        "Notes and messages" not in view.text
        and kim.get(f"/coach/c/{cid}/notes").status_code == 403
    )
    report = kim.get(f"/coach/c/{cid}/report.csv")
    assert report.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(report.text)))
    assert ["summary", "candidate", cid, "", ""] in rows
    touch = {"opportunity": "x", "person": "y", "csrf_token": csrf(kim)}
    assert kim.post(f"/coach/c/{cid}/touches", data=touch).status_code == 403

    ada.post("/account/consent", data={"coach": "kim@acme.example", "level": "act",
                                       "csrf_token": csrf(ada)})  # fmt: skip
    overview = kim.get(f"/api/coach/c/{cid}").json()
    opportunity = overview["opportunities"][0]["id"]
    facts = Workspace.of(server.store, candidate=cid).facts()
    person = next(o for o in facts.opportunities if o.id == opportunity).people[0].id
    logged = kim.post(
        f"/coach/c/{cid}/touches",
        data={"opportunity": opportunity, "person": person, "channel": "phone",
              "summary": "Called to ask about timing", "csrf_token": csrf(kim)},
        headers={"Accept": "application/json"},
    )  # fmt: skip
    assert logged.status_code == 201 and logged.json()["logged_by"] == "kim@acme.example"
    history = ada.get("/api/history").json()
    assert "logged by coach kim@acme.example" in str(history)
    notes = kim.get(f"/coach/c/{cid}/notes")
    assert notes.status_code == 200 and "Called to ask about timing" in notes.text

    account = ada.get("/account").text
    assert "What coaches looked at" in account and f"GET /coach/c/{cid}" in account
    assert "kim@acme.example" in account
    ada.post("/account/consent/revoke", data={"coach": "kim@acme.example", "csrf_token": csrf(ada)})
    assert kim.get(f"/coach/c/{cid}").status_code == 403  # at once
    assert kim.get("/api/coach/caseload").json()["count"] == 0


def test_a_candidate_exports_everything_and_deletes_their_account(server: Server) -> None:
    server.add("candidate", "ada@example.org", demo=True)
    server.add("coach", "kim@acme.example")
    ada = server.client("ada@example.org")
    ada.post("/account/consent", data={"coach": "kim@acme.example", "level": "full",
                                       "csrf_token": csrf(ada)})  # fmt: skip
    exported = ada.get("/account/export.json")
    assert "attachment" in exported.headers["content-disposition"]
    body = exported.json()
    assert body["account"]["email"] == "ada@example.org"
    assert body["document"]["opportunities"] and body["grants"][0]["coach"] == "kim@acme.example"
    kept = ada.post("/account/delete", data={"confirm": "yes", "password": PASSWORD,
                                             "csrf_token": csrf(ada)})  # fmt: skip
    assert kept.status_code == 400 and "nothing was deleted" in kept.text
    confirmed = {"confirm": "delete", "password": PASSWORD, "csrf_token": csrf(ada)}
    gone = ada.post("/account/delete", data=confirmed, follow_redirects=False)
    assert gone.status_code == 303
    assert ada.get("/", follow_redirects=False).status_code == 303
    with server.store.sql() as db:
        assert db.scalar("SELECT count(*) FROM opportunity") == 0
        assert db.column("SELECT email FROM account") == ["kim@acme.example"]


def test_the_admin_sees_the_organisation_and_no_other(server: Server) -> None:
    server.add("admin", "root@acme.example")
    server.add("admin", "root@other.example", org="other")
    server.add("coach", "kim@acme.example")
    ada = server.add("candidate", "ada@example.org", demo=True)
    server.add("candidate", "bo@example.org", demo=True)
    client = server.client("ada@example.org")
    client.post("/account/consent", data={"coach": "kim@acme.example", "level": "overview",
                                          "csrf_token": csrf(client)})  # fmt: skip
    root = server.client("root@acme.example").get("/api/admin/organisation").json()
    assert (root["candidates"], root["consenting"]) == (2, 1)
    assert [r["candidate"] for r in root["rows"]] == [ada.candidate]
    other = server.client("root@other.example").get("/api/admin/organisation").json()
    assert (other["candidates"], other["consenting"], other["rows"]) == (0, 0, [])
    page = server.client("root@acme.example").get("/admin")
    assert "2 candidates; 1 granted a coach here access" in page.text


def test_the_command_line_makes_links_and_checks_the_database(
    server: Server, tmp_path: Path
) -> None:
    server.add("admin", "root@acme.example")
    runner = CliRunner()
    invited = runner.invoke(
        cli,
        ["--db", server.url, "server", "user", "invite", "--by", "root@acme.example",
         "--role", "coach", "--email", "kim@acme.example", "--url", "https://f.example/"],
    )  # fmt: skip
    assert invited.exit_code == 0, invited.output
    assert re.match(r"https://f\.example/join/\S+\n", invited.stdout)
    reset = runner.invoke(cli, ["--db", server.url, "server", "user", "reset", "--email",
                                "root@acme.example"])  # fmt: skip
    assert reset.exit_code == 0 and "/reset/" in reset.stdout
    unknown = runner.invoke(cli, ["--db", server.url, "server", "user", "reset", "--email",
                                  "nobody@acme.example"])  # fmt: skip
    assert unknown.exit_code == 3 and "no account" in unknown.output
    server.add("coach", "lee@acme.example")
    lee = server.client("lee@acme.example")
    removed = runner.invoke(
        cli,
        ["--db", server.url, "server", "user", "remove", "--email", "Lee@acme.example", "--yes"],
    )
    assert removed.exit_code == 0 and "Removed lee@acme.example." in removed.output
    assert lee.get("/coach", follow_redirects=False).status_code == 303  # signed out at once
    lite = runner.invoke(cli, ["--db", str(tmp_path / "x.db"), "server", "run"])
    assert lite.exit_code == 2 and "need PostgreSQL" in lite.output
    bare = runner.invoke(cli, ["--db", server.url, "server", "run"])  # no job queue: no init
    assert bare.exit_code == 2 and "server init" in bare.output


def test_the_organisation_view_pages_its_rows_and_counts_everyone(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    from followup.server import pages

    monkeypatch.setattr(pages, "ORGANISATION_PAGE_SIZE", 2)  # 5 rows: pages of 2, 2 and 1
    server.add("admin", "root@acme.example")
    server.add("coach", "kim@acme.example")
    emails = [f"c{n}@example.org" for n in range(6)]
    for email in emails:
        server.add("candidate", email, demo=True)
    for email in emails[:5]:  # the last one grants no one: counted, not named
        client = server.client(email)
        client.post("/account/consent", data={"coach": "kim@acme.example", "level": "overview",
                                              "csrf_token": csrf(client)})  # fmt: skip
    root = server.client("root@acme.example")
    first = root.get("/api/admin/organisation").json()
    assert (first["candidates"], first["consenting"], first["total"]) == (6, 5, 5)
    assert (first["page"], first["pages"], first["per_page"], len(first["rows"])) == (1, 3, 2, 2)
    pages_of = [root.get(f"/api/admin/organisation?page={n}").json() for n in (1, 2, 3)]
    assert [len(p["rows"]) for p in pages_of] == [2, 2, 1]
    assert {(p["behind"], p["consenting"]) for p in pages_of} == {(first["behind"], 5)}
    named = [r["candidate"] for p in pages_of for r in p["rows"]]
    granted = [server.accounts[e].candidate for e in emails[:5]]
    assert sorted(named) == sorted(granted)  # every row once, in one order across pages
    by_name = [root.get(f"/api/admin/organisation?page={n}&sort=-name").json() for n in (1, 2, 3)]
    names = [r["name"].casefold() for p in by_name for r in p["rows"]]
    assert names == sorted(names, reverse=True)
    past = root.get("/api/admin/organisation?page=4")
    assert past.status_code == 404 and "there is no page 4" in past.json()["error"]
    assert "page=3" in past.json()["hint"]
    assert root.get("/api/admin/organisation?page=0").status_code == 422
    assert root.get("/api/admin/organisation?sort=age").status_code == 400
    page_one = root.get("/admin")
    assert "6 candidates; 5 granted a coach here access" in page_one.text
    assert "Rows 1–2 of 5 · page 1 of 3" in page_one.text
    assert 'rel="next" href="?page=2"' in page_one.text and 'rel="prev"' not in page_one.text
    last = root.get("/admin?page=3&sort=name")
    assert "Rows 5–5 of 5 · page 3 of 3" in last.text
    assert 'rel="prev" href="?page=2&amp;sort=name"' in last.text or (
        'rel="prev" href="?page=2&sort=name"' in last.text
    )
    assert 'rel="next"' not in last.text
    gone = root.get("/admin?page=9")
    assert gone.status_code == 404 and "there is no page 9" in gone.text


def test_an_organisation_without_grants_has_one_empty_page(server: Server) -> None:
    server.add("admin", "root@acme.example")
    server.add("candidate", "ada@example.org")
    root = server.client("root@acme.example")
    body = root.get("/api/admin/organisation").json()
    assert (body["rows"], body["page"], body["pages"], body["total"]) == ([], 1, 1, 0)
    assert root.get("/api/admin/organisation?page=2").status_code == 404
    page = root.get("/admin")
    assert "No candidate has granted a coach of acme access yet." in page.text
    assert 'class="pager"' not in page.text
