"""What the server keeps between requests gives what reading everything afresh gives: the
caseload's memo (``server.caseload``: per candidate, keyed by revision and plan stamp, its
counts valid until the next moment one can change) and Today picked from the plan of the
revision (``Agenda.today``, against the store's indexed queries), on SQLite and PostgreSQL,
at many moments, before and after writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from followup.server import auth, caseload, consent
from followup.server.accounts import add_account
from followup.services import acting
from followup.services.agenda import today_of
from followup.services.documents import load_demo
from followup.services.workspace import Workspace
from followup.store import Store

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
#: moments from a week before the demo to a month after, some a second apart
MOMENTS = [NOW + timedelta(hours=h) for h in range(-24 * 7, 24 * 30, 17)] + [
    NOW + timedelta(days=3, seconds=s) for s in range(5)
]


def _principal(store: Store, email: str) -> auth.Principal:
    with store.sql() as db:
        found = auth.principal(db, email)
    assert found is not None
    return found


def _organisation(store: Store) -> tuple[auth.Principal, list[Workspace]]:
    """A coach and three candidates with the demo (loaded days apart), two of them granting
    the coach access."""
    add_account(
        store, organisation="acme", role="coach", email="kim@acme.example", password=PASSWORD,
        now=NOW,
    )  # fmt: skip
    spaces = []
    for n, email in enumerate(("ada@example.org", "bo@example.org", "cy@example.org")):
        account, _ = add_account(
            store, organisation="acme", role="candidate", email=email, password=PASSWORD,
            now=NOW,
        )  # fmt: skip
        assert account.candidate is not None
        ws = Workspace.of(store, candidate=account.candidate)
        load_demo(ws, NOW - timedelta(days=n * 4), "Europe/Paris")
        spaces.append(ws)
        if email != "cy@example.org":
            consent.grant(store, _principal(store, email), "kim@acme.example", "act", NOW)
    return _principal(store, "kim@acme.example"), spaces


def _afresh(store: Store, coach: auth.Principal, now: datetime) -> list[caseload.Case]:
    """The caseload read without the memo."""
    caseload._memo(store).clear()
    return caseload.of_coach(store, coach.pk, now)


def test_the_caseload_memo_answers_as_a_fresh_read_at_every_moment(store: Store) -> None:
    coach, _ = _organisation(store)
    memo = caseload._memo(store)
    for now in MOMENTS:  # forward in time: the memo serves, or reads again what moved
        kept = caseload.of_coach(store, coach.pk, now)
        assert len(kept) == 2 and memo
        assert kept == _afresh(store, coach, now), now
        caseload.of_coach(store, coach.pk, now)  # the memo again, for the next moment
    assert any(c.overdue or c.missed or c.thank_you_missed for c in kept)  # it means something
    for now in reversed(MOMENTS[::5]):  # a clock set back reads again
        assert caseload.of_coach(store, coach.pk, now) == _afresh(store, coach, now)


def test_the_caseload_memo_follows_writes_and_grants(store: Store) -> None:
    coach, (ada, bo, cy) = _organisation(store)
    later = NOW + timedelta(days=9)
    before = {c.candidate: c for c in caseload.of_coach(store, coach.pk, later)}
    agenda = ada.agenda()
    open_ones = [a for a in agenda.at(later) if a.status in ("overdue", "due")]
    assert open_ones
    acting.skip(ada, open_ones[0].id, later)  # a write: ada's revision moves
    after = {c.candidate: c for c in caseload.of_coach(store, coach.pk, later)}
    assert after == {c.candidate: c for c in _afresh(store, coach, later)}
    assert after[ada.candidate or ""] != before[ada.candidate or ""]
    assert after[bo.candidate or ""] == before[bo.candidate or ""]
    consent.grant(store, _principal(store, "cy@example.org"), "kim@acme.example", "full", later)
    with_cy = caseload.of_coach(store, coach.pk, later)
    assert {c.candidate for c in with_cy} == {s.candidate for s in (ada, bo, cy)}
    assert with_cy == _afresh(store, coach, later)
    in_org, total = caseload.of_organisation(store, coach.organisation_pk, later)
    assert total == 3 and sorted(in_org, key=lambda c: c.candidate) == sorted(
        with_cy, key=lambda c: c.candidate
    )


@pytest.mark.parametrize("limit", [20, 2, None])
def test_today_from_the_plan_is_what_the_indexed_queries_read(store: Store, limit: int) -> None:
    _, spaces = _organisation(store)
    ada = spaces[0]
    snoozed = [a for a in ada.agenda().at(NOW + timedelta(days=2)) if a.status == "due"]
    if snoozed:  # a snoozed action shows where it comes back, and counts when it does
        acting.snooze(ada, snoozed[0].id, NOW + timedelta(days=4), NOW + timedelta(days=2))
    for ws in spaces:
        agenda = ws.agenda()
        for now in MOMENTS:
            found = ws.store.read_today(
                lambda _, now=now: now.timestamp(), limit, ws.source, ws.candidate_pk
            )
            _, queried, next_one = today_of(found, ws.playbook, limit)
            groups, later = agenda.today(now, limit)
            assert (groups, later) == (queried, next_one), now
