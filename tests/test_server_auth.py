"""The server mode's sign-in, links, consent and caseload, below the web (``server.auth``,
``server.consent``, ``server.caseload``), on SQLite and PostgreSQL: sessions that expire and
end with a new password, API tokens kept as hashes, links used once, grants that take effect
and end at once with an audit row for each look, and caseload counts that agree with what
the candidate's own Today page shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from followup.errors import Conflict, InvalidInput, NotFound, UsageError
from followup.server import auth, caseload, consent
from followup.server.accounts import Account, accounts, add_account, delete_account, verify
from followup.services.documents import load_demo
from followup.services.workspace import Workspace
from followup.store import Store

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


def add(store: Store, role: str, email: str, org: str = "acme") -> Account:
    account, _ = add_account(
        store, organisation=org, role=role, email=email, password=PASSWORD, now=NOW
    )
    return account


def who(store: Store, email: str) -> auth.Principal:
    with store.sql() as db:
        found = auth.principal(db, email)
    assert found is not None
    return found


def count(store: Store, table: str) -> int:
    with store.sql() as db:
        return int(db.scalar(f"SELECT count(*) FROM {table}"))


def test_sessions_sign_in_expire_and_end(store: Store) -> None:
    add(store, "coach", "kim@acme.example")
    assert auth.sign_in(store, "kim@acme.example", "wrong password!", NOW) is None
    assert auth.sign_in(store, "nobody@acme.example", PASSWORD, NOW) is None
    token, signed = auth.sign_in(store, "KIM@acme.example", PASSWORD, NOW) or ("", None)
    assert signed is not None and signed.role == "coach" and signed.organisation == "acme"
    assert auth.session_principal(store, token, NOW) == signed
    assert auth.session_principal(store, token + "x", NOW) is None
    assert auth.session_principal(store, None, NOW) is None
    later = NOW + timedelta(days=auth.SESSION_DAYS)
    assert auth.session_principal(store, token, later - timedelta(seconds=1)) == signed
    assert auth.session_principal(store, token, later) is None  # expired
    with store.sql() as db:  # the database keeps the token's hash, never the token
        kept = db.column("SELECT token_hash FROM account_session")
    assert kept == [auth.digest(token)] and token not in kept

    other, _ = auth.sign_in(store, "kim@acme.example", PASSWORD, NOW) or ("", None)
    auth.sign_out(store, token)
    assert auth.session_principal(store, token, NOW) is None
    assert auth.session_principal(store, other, NOW) is not None  # only that one ended
    auth.set_password(store, "kim@acme.example", "a new long password")
    assert auth.session_principal(store, other, NOW) is None  # a new password ends them all
    assert verify(store, "kim@acme.example", "a new long password") is not None


def test_api_tokens_are_named_hashed_and_revocable(store: Store) -> None:
    add(store, "candidate", "ada@example.org")
    ada = who(store, "ada@example.org")
    token = auth.new_api_token(store, ada, "phone", NOW)
    assert token.startswith("fu_")
    with pytest.raises(Conflict, match="named 'phone' already"):
        auth.new_api_token(store, ada, "phone", NOW)
    with pytest.raises(InvalidInput):
        auth.new_api_token(store, ada, "not a name!", NOW)
    assert auth.token_principal(store, token, NOW) == ada
    assert auth.token_principal(store, "fu_guess", NOW) is None
    [listed] = auth.api_tokens(store, ada)
    assert (listed.name, listed.created, listed.last_used) == ("phone", NOW, NOW)
    soon = NOW + timedelta(minutes=1)  # a read stays a read: the last use moves every 5 min
    auth.token_principal(store, token, soon)
    assert auth.api_tokens(store, ada)[0].last_used == NOW
    auth.token_principal(store, token, NOW + timedelta(minutes=6))
    assert auth.api_tokens(store, ada)[0].last_used == NOW + timedelta(minutes=6)
    auth.revoke_api_token(store, ada, "phone")
    assert auth.token_principal(store, token, NOW) is None
    with pytest.raises(NotFound):
        auth.revoke_api_token(store, ada, "phone")


def test_an_invitation_opens_one_account_once(store: Store) -> None:
    add(store, "admin", "root@acme.example")
    add(store, "coach", "kim@acme.example")
    root, kim = who(store, "root@acme.example"), who(store, "kim@acme.example")
    with pytest.raises(UsageError, match="only an admin invites coaches"):
        auth.invite(store, kim, "lee@acme.example", "coach", NOW)
    with pytest.raises(Conflict):
        auth.invite(store, root, "KIM@acme.example", "coach", NOW)
    token, link = auth.invite(store, kim, "ada@example.org", "candidate", NOW)
    assert (link.kind, link.organisation, link.role) == ("invite", "acme", "candidate")
    assert auth.link(store, token, NOW + timedelta(days=auth.INVITATION_DAYS)) is None  # expired
    with pytest.raises(UsageError, match="too short"):  # a bad password does not use it up
        auth.use_link(store, token, "short", NOW)
    opened = auth.use_link(store, token, PASSWORD, NOW)
    assert opened.email == "ada@example.org"
    with pytest.raises(NotFound):  # the second click of a double click
        auth.use_link(store, token, PASSWORD, NOW)
    [ada] = [a for a in accounts(store) if a.role == "candidate"]
    assert ada.candidate is not None and ada.organisation == "acme"


def test_a_reset_link_sets_a_new_password_and_ends_sessions(store: Store) -> None:
    add(store, "candidate", "ada@example.org")
    session, _ = auth.sign_in(store, "ada@example.org", PASSWORD, NOW) or ("", None)
    assert auth.reset_link(store, "nobody@example.org", NOW) is None
    token = auth.reset_link(store, "Ada@Example.org", NOW)
    assert token is not None
    assert auth.link(store, token, NOW + timedelta(hours=auth.RESET_HOURS)) is None
    auth.use_link(store, token, "an entirely new one", NOW)
    assert verify(store, "ada@example.org", PASSWORD) is None
    assert verify(store, "ada@example.org", "an entirely new one") is not None
    assert auth.session_principal(store, session, NOW) is None


def test_consent_is_granted_replaced_revoked_and_audited(store: Store) -> None:
    ada_account = add(store, "candidate", "ada@example.org")
    add(store, "coach", "kim@acme.example")
    add(store, "coach", "lee@other.example", org="other")
    add(store, "candidate", "bo@example.org")
    ada, kim = who(store, "ada@example.org"), who(store, "kim@acme.example")
    assert ada_account.candidate is not None
    for stranger in ("lee@other.example", "bo@example.org", "nobody@acme.example"):
        with pytest.raises(NotFound, match="is not a coach of acme"):
            consent.grant(store, ada, stranger, "overview", NOW)
    with pytest.raises(InvalidInput):
        consent.grant(store, ada, "kim@acme.example", "everything", NOW)
    with pytest.raises(UsageError, match="only a candidate"):
        consent.grant(store, kim, "kim@acme.example", "full", NOW)

    def look(needed: str) -> consent.Opened | None:
        assert ada_account.candidate is not None
        return consent.open_for(
            store, kim, ada_account.candidate, needed, action="read", what="GET /x", now=NOW
        )

    assert look("overview") is None  # no grant yet: nothing opens, nothing is written
    assert count(store, "audit") == 0
    consent.grant(store, ada, "Kim@ACME.example", "overview", NOW)
    opened = look("overview")
    assert opened is not None and opened.level == "overview"
    assert look("full") is None and look("act") is None
    consent.grant(store, ada, "kim@acme.example", "act", NOW + timedelta(hours=1))
    assert look("full") is not None and look("act") is not None
    found = consent.grants(store, ada.candidate_pk or 0)
    assert [(g.level, g.revoked is None) for g in found] == [("act", True), ("overview", False)]
    consent.revoke(store, ada, "kim@acme.example", NOW + timedelta(hours=2))
    assert look("overview") is None  # at once
    with pytest.raises(NotFound):
        consent.revoke(store, ada, "kim@acme.example", NOW)
    log = consent.audit_log(store, ada.candidate_pk or 0)
    assert len(log) == 3 and {a.actor for a in log} == {"kim@acme.example"}
    assert all(a.what == "GET /x" and a.action == "read" for a in log)


def test_caseload_counts_agree_with_the_candidates_today(store: Store) -> None:
    from followup.web.pages.today import GROUPS
    from followup.web.settings import WebSettings
    from followup.web.state import WebState

    add(store, "coach", "kim@acme.example")
    kim = who(store, "kim@acme.example")
    later = NOW + timedelta(days=9)  # the demo's follow-ups are overdue or missed by then
    names = {}
    for n, email in enumerate(("ada@example.org", "bo@example.org", "cy@example.org")):
        account = add(store, "candidate", email)
        assert account.candidate is not None
        ws = Workspace.of(store, candidate=account.candidate)
        load_demo(ws, NOW - timedelta(days=n * 5), "Europe/Paris")
        names[account.candidate] = ws
        if email != "cy@example.org":  # cy does not consent
            consent.grant(store, who(store, email), "kim@acme.example", "overview", NOW)
    cases = caseload.of_coach(store, kim.pk, later)
    assert len(cases) == 2 and all(c.level == "overview" for c in cases)
    assert any(c.overdue or c.missed for c in cases)  # the comparison below means something
    settings = WebSettings(store.url, clock=lambda: later)
    for case in cases:
        state = WebState(settings, names[case.candidate])
        _, groups, _ = state.today(later)
        totals = {status: g.total for (status, _), g in zip(GROUPS, groups, strict=True)}
        assert (case.overdue, case.missed) == (totals["overdue"], totals["missed"])
        facts = state.facts(later)
        assert case.active == sum(o.status in ("active", "offer") for o in facts.opportunities)
        assert case.name == facts.profile.name
        outbound = [t.at for o in facts.opportunities for t in o.touches if t.direction == "out"]
        assert case.last_touch == max(outbound)
        assert case.days_quiet == (later - max(outbound)).days
    by_quiet = caseload.sort(cases, "quiet")
    assert (by_quiet[0].days_quiet or 0) >= (by_quiet[1].days_quiet or 0)
    assert caseload.sort(cases, "name", reverse=True) == caseload.sort(cases, "name")[::-1]
    in_org, total = caseload.of_organisation(store, kim.organisation_pk, later)
    assert total == 3 and sorted(c.candidate for c in in_org) == sorted(c.candidate for c in cases)


def test_deleting_a_candidate_leaves_nothing_of_theirs(store: Store) -> None:
    ada = add(store, "candidate", "ada@example.org")
    add(store, "coach", "kim@acme.example")
    assert ada.candidate is not None
    load_demo(Workspace.of(store, candidate=ada.candidate), NOW, "Europe/Paris")
    consent.grant(store, who(store, "ada@example.org"), "kim@acme.example", "full", NOW)
    consent.open_for(
        store, who(store, "kim@acme.example"), ada.candidate, "full",
        action="read", what="GET /coach", now=NOW,
    )  # fmt: skip
    auth.new_api_token(store, who(store, "ada@example.org"), "script", NOW)
    tables = ("opportunity", "planned_action", "consent", "audit", "account_token", "touch")
    assert all(count(store, t) for t in tables)
    delete_account(store, "ada@example.org")
    assert {t: count(store, t) for t in tables} == dict.fromkeys(tables, 0)
    assert [a.email for a in accounts(store)] == ["kim@acme.example"]
    with pytest.raises(NotFound):
        delete_account(store, "ada@example.org")


def test_web_processes_starting_together_share_one_form_secret(db_url: str) -> None:
    """`followup server run --workers N` starts its processes at once on a new database: each
    makes the form secret if there is none, one wins, and all use that one (one of them
    died on the unique key before)."""
    import threading

    from followup.store import open_store

    stores = [open_store(db_url) for _ in range(4)]
    start = threading.Barrier(len(stores))
    found: list[object] = []

    def boot(store: Store) -> None:
        start.wait()
        try:
            found.append(auth.server_secret(store))
        except Exception as exc:  # the test reports it
            found.append(exc)

    threads = [threading.Thread(target=boot, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    try:
        assert len(found) == len(stores) and len(set(map(repr, found))) == 1, found
        assert isinstance(found[0], bytes) and len(found[0]) == 32
    finally:
        for s in stores:
            s.close()
