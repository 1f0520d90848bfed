"""A coach's caseload in a real browser (Debian's Chromium through Playwright), against the
server mode under a real uvicorn on 127.0.0.1, over a PostgreSQL schema, on a fixed clock.

Organisation acme: coach Kim and three candidates, each with the demo's job search. Zara's is
dated ten days back (things overdue and missed, no touch for over a week: behind) and she lets
Kim act; Ben's is current and he lets Kim see an overview; Cleo grants nothing. Kim signs in,
sorts and filters the caseload, opens both candidates, logs a touch for Zara; Zara then reads
what Kim looked at and revokes her, and Kim's next click on Zara is refused.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, screenshot

from conftest import TEST_DATABASE_ENV, postgres_schema

pytestmark = pytest.mark.postgres

#: Monday 30 Nov 2026, 10:00 in Paris (the candidates' zone)
NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
ZONE = "Europe/Paris"
PASSWORD = "correct horse battery"
COACH = "kim@acme.example"
#: the caseload's columns, in order
CANDIDATE, OVERDUE, MISSED, THANKS, QUIET, APPLICATIONS, ACTIVE, OFFERS, ACCESS = range(9)


@dataclass(frozen=True)
class Acme:
    url: str  # the server's base URL
    ids: dict[str, str]  # each candidate's workspace, by first name


def _seed(database_url: str) -> dict[str, str]:
    from followup.server import auth, consent
    from followup.server.accounts import add_account
    from followup.services.documents import load_demo
    from followup.services.record import set_profile
    from followup.services.workspace import Workspace
    from followup.store import open_store

    store = open_store(database_url)
    ids = {}
    try:
        add_account(
            store, organisation="acme", role="coach", email=COACH, password=PASSWORD, now=NOW
        )
        for name, days_back, level in (
            ("Zara Okafor", 10, "act"),
            ("Ben Adler", 0, "overview"),
            ("Cleo Marsh", 0, None),
        ):
            first = name.split()[0]
            email = f"{first.lower()}@example.org"
            account, _ = add_account(
                store, organisation="acme", role="candidate", email=email, password=PASSWORD,
                now=NOW,
            )  # fmt: skip
            assert account.candidate is not None
            ids[first] = account.candidate
            workspace = Workspace.of(store, candidate=account.candidate)
            facts = load_demo(workspace, NOW - timedelta(days=days_back), ZONE)
            set_profile(workspace, replace(facts.profile, name=name))
            if level is not None:
                with store.sql() as db:
                    who = auth.principal(db, email)
                assert who is not None
                consent.grant(store, who, COACH, level, NOW)
    finally:
        store.close()
    return ids


@pytest.fixture
def acme() -> Iterator[Acme]:
    """The seeded organisation, served by `create_server_app` under uvicorn in a thread."""
    import uvicorn

    from followup.server.web import create_server_app
    from followup.web.settings import WebSettings

    server_url = os.environ.get(TEST_DATABASE_ENV)
    if not server_url:
        pytest.skip(f"{TEST_DATABASE_ENV} is not set (e.g. postgresql+psycopg://user@host/db)")
    with postgres_schema(server_url) as database_url:
        ids = _seed(database_url)
        settings = WebSettings(database_url, access_control=True, clock=lambda: NOW)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(create_server_app(settings), log_level="warning"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + 10
            while not server.started:
                assert thread.is_alive() and time.monotonic() < deadline, "no server"
                time.sleep(0.02)
            yield Acme(f"http://127.0.0.1:{port}", ids)
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            sock.close()
        assert not thread.is_alive()


Scenario = Callable[[Any], None]


@pytest.fixture
def in_chromium() -> Callable[[Scenario], None]:
    """Runs a scenario with a Chromium of its own, in a thread of its own: Playwright's sync
    API drives one instance per thread, and the browser tests (tests/browser) keep theirs open
    in the main thread for the whole session."""
    if not Path(CHROMIUM).exists():
        why = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):  # CI installs it: a skip there would hide a broken set-up
            pytest.fail(why)
        pytest.skip(why)

    def run(scenario: Scenario) -> None:
        from playwright.sync_api import sync_playwright

        failed: list[BaseException] = []

        def drive() -> None:
            try:
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(
                        executable_path=CHROMIUM, args=CHROMIUM_ARGS
                    )
                    try:
                        scenario(browser)
                    finally:
                        browser.close()
            except BaseException as exc:  # raised again in the test's own thread
                failed.append(exc)

        thread = threading.Thread(target=drive, name="chromium")
        thread.start()
        thread.join(timeout=120)
        assert not thread.is_alive(), "the browser scenario took over 2 minutes"
        if failed:
            raise failed[0]

    return run


def _sign_in(browser: Any, base: str, email: str) -> Any:
    """A new browser context (its own cookies), signed in as ``email`` through /login."""
    context = browser.new_context(base_url=base, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


def _rows(page: Any) -> list[list[str]]:
    """The caseload's rows as shown: each cell's text."""
    found: list[list[str]] = page.locator("table.caseload tbody tr").evaluate_all(
        "trs => trs.map(tr => [...tr.cells].map(td => td.innerText.trim()))"
    )
    return found


def _names(page: Any) -> list[str]:
    """The caseload's candidates, in the order shown."""
    found: list[str] = page.locator("table.caseload tbody tr td:first-child a").all_inner_texts()
    return found


def _sees_the_caseload(coach: Any, cleo: str) -> None:
    """The two who consented, the behind one first and marked; never Cleo."""
    coach.wait_for_url("**/coach")
    assert coach.title() == "Caseload · followup"
    assert _names(coach) == ["Zara Okafor", "Ben Adler"]
    assert "Cleo" not in coach.content() and cleo not in coach.content()
    first, second = coach.locator("table.caseload tbody tr").all()
    assert first.locator(".badge.behind").inner_text() == "behind"
    assert second.locator(".badge.behind").count() == 0
    zara_row, ben_row = _rows(coach)
    assert int(zara_row[OVERDUE]) > 0 and int(zara_row[MISSED]) > 0
    assert int(zara_row[QUIET]) >= 7
    assert (zara_row[ACCESS], ben_row[ACCESS]) == ("act", "overview")
    assert (ben_row[OVERDUE], ben_row[MISSED], ben_row[QUIET]) == ("0", "0", "2")
    screenshot(coach, "server-caseload")


def _sorts_and_filters(coach: Any) -> None:
    # by name with the column's header; again: the other way round
    coach.get_by_role("link", name="Candidate").click()
    coach.wait_for_url("**/coach?sort=name")
    assert _names(coach) == ["Ben Adler", "Zara Okafor"]
    assert coach.locator("th[aria-sort] a").inner_text() == "Candidate"
    coach.get_by_role("link", name="Candidate").click()
    coach.wait_for_url("**/coach?sort=-name")
    assert _names(coach) == ["Zara Okafor", "Ben Adler"]
    # behind only (the box submits its form), then everyone again
    coach.get_by_label("Behind only").check()
    coach.wait_for_url("**/coach?behind=true*")
    assert _names(coach) == ["Zara Okafor"]
    coach.get_by_label("Behind only").uncheck()
    coach.wait_for_url(lambda url: "behind=true" not in url)
    assert sorted(_names(coach)) == ["Ben Adler", "Zara Okafor"]


def _sees_an_overview(coach: Any, ben: str) -> None:
    """Counts, groups and opportunities; no notes, no form to act."""
    coach.get_by_role("link", name="Ben Adler").click()
    coach.wait_for_url(f"**/coach/c/{ben}")
    assert coach.locator("h1").inner_text() == "Ben Adler"
    assert "You see: overview." in coach.locator("p.sub").nth(1).inner_text()
    facts = coach.locator("ul.facts").inner_text()
    assert "0 overdue, 0 missed this week" in facts
    assert "Last touch to an employer: 2 days ago" in facts
    groups = coach.locator("section.group h2").all_inner_texts()
    assert groups and all(g.split()[-1].isdigit() for g in groups), groups
    assert coach.get_by_role("link", name="Notes and messages").count() == 0
    assert coach.locator("#log-touch").count() == 0
    assert "Brightline Health" in coach.locator("main").inner_text()
    screenshot(coach, "server-candidate")


def _logs_a_touch(coach: Any, zara: str) -> None:
    """For Zara (act): her last touch is today, on her page and on the caseload."""
    coach.get_by_role("link", name="Caseload").first.click()
    coach.wait_for_url("**/coach")
    coach.get_by_role("link", name="Zara Okafor").click()
    coach.wait_for_url(f"**/coach/c/{zara}")
    assert coach.get_by_role("link", name="Notes and messages").count() == 1
    section = coach.locator("#log-touch details").filter(has_text="Brightline Health")
    if section.get_attribute("open") is None:
        section.locator("summary").click()
    form = section.locator("form")
    form.get_by_label("With").select_option("dana")  # chosen by name; the id is sent
    form.get_by_label("Channel").select_option("phone")
    form.get_by_label("What was said").fill("Called Dana about the timeline")
    form.get_by_role("button", name="Log it").click()
    coach.wait_for_url(f"**/coach/c/{zara}")
    assert "Last touch to an employer: 0 days ago" in coach.locator("ul.facts").inner_text()
    coach.get_by_role("link", name="Caseload").first.click()
    coach.wait_for_url("**/coach")
    row = next(r for r in _rows(coach) if r[CANDIDATE].startswith("Zara Okafor"))
    assert row[QUIET] == "0"


def _reads_the_audit_and_revokes(candidate: Any, base: str, zara: str, ben: str) -> None:
    candidate.wait_for_url(f"{base}/")
    candidate.get_by_role("link", name="Account").click()
    candidate.wait_for_url("**/account")
    audit = candidate.locator("#audit tbody tr").all_inner_texts()
    assert audit and all(COACH in line for line in audit)
    assert any(f"read\tGET /coach/c/{zara}" in line for line in audit), audit
    assert any(f"write\tPOST /coach/c/{zara}/touches" in line for line in audit), audit
    assert not any(ben in line for line in audit)
    grant = candidate.locator("#consent tbody tr", has_text=COACH)
    assert "(act)" in grant.inner_text()
    grant.get_by_role("button", name="Revoke").click()
    candidate.get_by_text(f"{COACH} no longer sees your data").wait_for()
    assert "No coach sees your data." in candidate.locator("#consent").inner_text()
    screenshot(candidate, "server-account")


def test_a_coach_works_through_the_caseload_until_a_candidate_revokes(
    in_chromium: Callable[[Scenario], None], acme: Acme
) -> None:
    in_chromium(lambda browser: _coach_and_candidate(browser, acme))


def _coach_and_candidate(browser: Any, acme: Acme) -> None:
    zara, ben, cleo = acme.ids["Zara"], acme.ids["Ben"], acme.ids["Cleo"]
    coach = _sign_in(browser, acme.url, COACH)
    _sees_the_caseload(coach, cleo)
    _sorts_and_filters(coach)
    _sees_an_overview(coach, ben)
    _logs_a_touch(coach, zara)

    candidate = _sign_in(browser, acme.url, "zara@example.org")  # a browser of her own
    _reads_the_audit_and_revokes(candidate, acme.url, zara, ben)
    candidate.context.close()

    # Kim's next click on Zara (on the caseload she has open) is refused
    with coach.expect_response(lambda r: r.url.endswith(f"/coach/c/{zara}")) as refused:
        coach.get_by_role("link", name="Zara Okafor").click()
    assert refused.value.status == 403
    assert "you have no access to this part of that candidate" in coach.content()
    screenshot(coach, "server-refused")
    coach.goto("/coach")
    assert _names(coach) == ["Ben Adler"]
    coach.context.close()
