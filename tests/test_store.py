"""The store keeps facts exactly: round trips, order, units of work, and referential checks.

Every test runs on SQLite and on PostgreSQL (see ``db_url`` in conftest.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from followup.core.model import (
    Achievement,
    ActionDecision,
    Decision,
    Facts,
    Interview,
    NextStep,
    Offer,
    Opportunity,
    Person,
    Profile,
    Touch,
)
from followup.errors import Conflict, NotFound, UsageError
from followup.store import Store, UnitOfWork

NEW_YORK_WINTER = timezone(timedelta(hours=-5))
TOKYO = timezone(timedelta(hours=9))
HOSTILE = (
    "<script>alert('x')</script> {{ 7*7 }} '; DROP TABLE person; -- "
    "\u00e9\u00e8 \u4e2d\u6587 \U0001f600\n\ttabs \\ %s ?"
)


def acme() -> Opportunity:
    return Opportunity(
        id="acme",
        company="Acme Corp",
        role="Staff Data Engineer",
        applied=date(2026, 10, 1),
        source="referral",
        url="https://acme.example/jobs/42?ref=a&b=c",
        rank=1,
        status="active",
        decision=Decision(expected_by=date(2026, 12, 1), process="panel, then the VP"),
        # Deliberately not alphabetical: the stored order is the given order.
        people=(
            Person("sam", "Sam Ortiz", "recruiter", has_vote=False, email="sam@acme.example"),
            Person(
                "dana",
                "Dana Lee",
                "hiring-manager",
                key=True,
                phone="+1 555 0100",
                timezone="America/Chicago",
            ),
            Person("ji-woo", "Ji-woo Park \u8a31", "panel"),
        ),
        interviews=(
            Interview(
                id="onsite",
                at=datetime(2026, 11, 2, 10, 0, tzinfo=NEW_YORK_WINTER),
                with_=("ji-woo", "dana"),
                duration_minutes=90,
                kind="onsite",
                notes={"dana": HOSTILE, "sam": "salary bands", "ji-woo": "streaming joins"},
                next_step=NextStep(
                    what="decision call",
                    when=datetime(2026, 11, 9, 17, 30, 15, 123456, tzinfo=TOKYO),
                    who="sam",
                    channel="phone",
                ),
            ),
            Interview(id="screen", at=datetime(2026, 10, 20, 15, 0, tzinfo=UTC), with_=("sam",)),
            Interview(
                id="final",
                at=datetime(2026, 11, 12, 9, 0, tzinfo=UTC),
                with_=("dana",),
                next_step=NextStep(what="hear back", when=date(2026, 11, 20)),
            ),
        ),
        touches=(
            Touch(
                at=datetime(2026, 11, 2, 16, 0, tzinfo=NEW_YORK_WINTER),
                person="dana",
                channel="email",
                direction="out",
                kind="thank-you",
                summary="thanks for the pipeline deep-dive",
                body=HOSTILE,
            ),
            Touch(
                at=datetime(2026, 11, 4, 9, 0, tzinfo=UTC),
                person="sam",
                channel="phone",
                direction="in",
                kind="other",
                id="call-back",
                states_date=date(2026, 11, 10),
            ),
            Touch(
                at=datetime(2026, 11, 5, 9, 0, tzinfo=UTC),
                person="sam",
                channel="email",
                direction="in",
                kind="other",
                states_date=datetime(2026, 11, 11, 14, 0, tzinfo=NEW_YORK_WINTER),
            ),
        ),
        offers=(Offer("first", received=datetime(2026, 11, 20, 12, 0, tzinfo=UTC)),),
    )


def globex() -> Opportunity:
    # Shares person id "dana" with acme: ids are unique only within an opportunity.
    return Opportunity(
        id="globex",
        company="Globex",
        role="Engineer",
        status="offer",
        decision=Decision(),
        people=(Person("dana", "Dana Smith", "hr"),),
        offers=(Offer("o", received=date(2026, 11, 1), expires=date(2026, 11, 8)),),
    )


def rich_facts() -> Facts:
    return Facts(
        profile=Profile(name="Zo\u00eb \u00c5berg", timezone="Europe/Oslo", country="NO"),
        opportunities=(acme(), globex(), Opportunity(id="initech", company="Initech", role="")),
        achievements=(
            Achievement(at=date(2026, 10, 30), kind="talk", title="Streaming at scale"),
            Achievement(
                at=datetime(2026, 11, 3, 18, 0, tzinfo=UTC),
                kind="article",
                title=HOSTILE,
                id="post",
                tags=("data", "\u00e9t\u00e9"),
            ),
        ),
        decisions=(
            ActionDecision("thank-you:acme:dana:onsite", "skipped"),
            ActionDecision("cycle:globex:dana:x", "snoozed", datetime(2026, 11, 30, tzinfo=TOKYO)),
        ),
    )


def with_assigned_ids(facts: Facts) -> Facts:
    """``rich_facts`` as stored: missing touch and achievement ids filled in."""
    first, *rest = facts.opportunities
    touches = (
        replace(first.touches[0], id="t1"),
        first.touches[1],
        replace(first.touches[2], id="t2"),
    )
    achievements = (replace(facts.achievements[0], id="a1"), facts.achievements[1])
    return replace(
        facts,
        opportunities=(replace(first, touches=touches), *rest),
        achievements=achievements,
    )


def import_facts(store: Store, facts: Facts) -> None:
    with store.unit_of_work() as work:
        work.replace_all(facts)


def write_then_fail(store: Store, error: Exception) -> None:
    with store.unit_of_work() as work:
        work.set_profile(Profile(name="never stored"))
        raise error


def test_round_trip_keeps_every_fact(store: Store) -> None:
    import_facts(store, rich_facts())
    assert store.load_facts() == with_assigned_ids(rich_facts())


def test_day_or_moment_fields_keep_their_type_and_instant(store: Store) -> None:
    import_facts(store, rich_facts())
    facts = store.load_facts()
    acme_, globex_, _ = facts.opportunities
    onsite, _, final = acme_.interviews
    assert onsite.next_step is not None
    assert final.next_step is not None
    moments: list[Any] = [
        onsite.at,
        onsite.next_step.when,
        acme_.touches[2].states_date,
        acme_.offers[0].received,
        facts.achievements[1].at,
        facts.decisions[1].until,
    ]
    days: list[Any] = [
        final.next_step.when,
        acme_.touches[1].states_date,
        acme_.decision.expected_by if acme_.decision else None,
        globex_.offers[0].received,
        globex_.offers[0].expires,
        facts.achievements[0].at,
        acme_.applied,
    ]
    assert all(type(m) is datetime and m.tzinfo is UTC for m in moments)
    assert all(type(d) is date for d in days)
    assert onsite.next_step.when == datetime(2026, 11, 9, 8, 30, 15, 123456, tzinfo=UTC)
    assert onsite.at == datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def test_empty_and_missing_values_round_trip(store: Store) -> None:
    import_facts(store, rich_facts())
    globex_ = store.load_facts().opportunities[1]
    initech = store.load_facts().opportunities[2]
    assert globex_.decision == Decision()  # empty, not absent
    assert initech.decision is None
    assert initech.role == ""
    assert (initech.applied, initech.rank, initech.people, initech.interviews) == (
        None,
        None,
        (),
        (),
    )


def test_an_empty_store_has_default_profile_and_no_facts(store: Store) -> None:
    assert store.load_facts() == Facts()
    assert store.revision() == 0


def test_lists_keep_the_order_given_across_appends(store: Store) -> None:
    import_facts(store, rich_facts())
    with store.unit_of_work() as work:
        work.add_opportunity(Opportunity(id="aaa-first-alphabetically", company="A", role="r"))
        work.add_person("acme", Person("aaron", "Aaron", "executive"))
    facts = store.load_facts()
    assert [o.id for o in facts.opportunities] == [
        "acme",
        "globex",
        "initech",
        "aaa-first-alphabetically",
    ]
    assert [p.id for p in facts.opportunities[0].people] == ["sam", "dana", "ji-woo", "aaron"]
    assert facts.opportunities[0].interviews[0].with_ == ("ji-woo", "dana")
    assert list(facts.opportunities[0].interviews[0].notes) == ["dana", "sam", "ji-woo"]


def test_replace_all_replaces_everything(store: Store) -> None:
    import_facts(store, rich_facts())
    smaller = Facts(profile=Profile(name="B"), opportunities=(globex(),))
    import_facts(store, smaller)
    assert store.load_facts() == smaller


def test_revision_counts_committed_writes_only(store: Store) -> None:
    assert store.revision() == 0
    import_facts(store, rich_facts())
    assert store.revision() == 1
    with store.unit_of_work():
        pass  # nothing written: nothing to count
    assert store.revision() == 1
    with pytest.raises(RuntimeError, match="boom"):
        write_then_fail(store, RuntimeError("boom"))
    assert store.revision() == 1
    with store.unit_of_work() as work:
        work.set_profile(Profile(name="C"))
        work.add_person("acme", Person("new", "New Person"))
    assert store.revision() == 2


def test_a_failing_unit_of_work_writes_nothing(store: Store) -> None:
    import_facts(store, rich_facts())
    before = store.load_facts()

    def valid_writes_then_a_bad_reference() -> None:
        with store.unit_of_work() as work:
            work.set_profile(Profile(name="changed"))
            work.add_opportunity(Opportunity(id="new", company="N", role="r"))
            work.add_touch("acme", replace(acme().touches[0], person="ghost"))

    def wipe_then_update_what_is_gone() -> None:
        with store.unit_of_work() as work:
            work.replace_all(Facts(profile=Profile(name="wiped")))
            work.update_opportunity("acme", status="rejected")

    with pytest.raises(NotFound, match="unknown person 'ghost'"):
        valid_writes_then_a_bad_reference()
    assert store.load_facts() == before
    with pytest.raises(NotFound, match="unknown opportunity 'acme'"):
        wipe_then_update_what_is_gone()
    assert store.load_facts() == before


def test_an_import_with_a_bad_reference_writes_nothing(store: Store) -> None:
    import_facts(store, rich_facts())
    before = store.load_facts()
    broken = replace(
        globex(), interviews=(Interview("i", datetime(2026, 1, 1, tzinfo=UTC), ("ghost",)),)
    )
    with pytest.raises(NotFound, match=r"unknown person 'ghost' in opportunity 'globex'"):
        import_facts(store, Facts(opportunities=(broken,)))
    assert store.load_facts() == before


def test_a_naive_datetime_is_refused_clearly(store: Store) -> None:
    naive = Touch(datetime(2026, 1, 1, 9, 0), "dana", "email", "out", "other")
    import_facts(store, rich_facts())
    with pytest.raises(UsageError, match="no UTC offset"), store.unit_of_work() as work:
        work.add_touch("acme", naive)
    assert store.revision() == 1


def test_unknown_things_are_not_found(store: Store) -> None:
    import_facts(store, rich_facts())
    at = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    touch = Touch(at, "dana", "email", "out", "check-in")
    cases: list[tuple[Callable[[UnitOfWork], object], str]] = [
        (lambda w: w.add_person("nope", Person("x", "X")), "unknown opportunity 'nope'"),
        (lambda w: w.add_touch("nope", touch), "unknown opportunity 'nope'"),
        (lambda w: w.add_offer("nope", Offer("o", date(2026, 1, 1))), "unknown opportunity"),
        (lambda w: w.update_opportunity("nope", rank=2), "unknown opportunity 'nope'"),
        (lambda w: w.add_interview("nope", Interview("i", at, ("dana",))), "unknown opportunity"),
        (
            lambda w: w.add_interview("globex", Interview("i", at, ("ji-woo",))),
            r"unknown person 'ji-woo' in opportunity 'globex' \(interview 'i'\)",
        ),
        (
            lambda w: w.add_interview("acme", Interview("i", at, ("dana",), notes={"zed": "x"})),
            r"unknown person 'zed' in opportunity 'acme' \(notes of interview 'i'\)",
        ),
        (
            lambda w: w.set_next_step("acme", "onsite", NextStep("call", at, who="zed")),
            "unknown person 'zed' in opportunity 'acme'",
        ),
        (
            lambda w: w.set_next_step("acme", "nope", NextStep("call", at)),
            "unknown interview 'nope' in opportunity 'acme'",
        ),
        (lambda w: w.add_touch("globex", replace(touch, person="sam")), "unknown person 'sam'"),
        (lambda w: w.clear_decision("never-decided"), "action 'never-decided'"),
    ]
    for write, message in cases:
        with pytest.raises(NotFound, match=message), store.unit_of_work() as work:
            write(work)
    assert store.revision() == 1


def test_duplicate_ids_conflict(store: Store) -> None:
    import_facts(store, rich_facts())
    at = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    cases: list[tuple[Callable[[UnitOfWork], object], str]] = [
        (lambda w: w.add_opportunity(globex()), "opportunity 'globex' exists already"),
        (lambda w: w.add_person("acme", Person("dana", "D")), "person 'dana' exists already"),
        (lambda w: w.add_interview("acme", Interview("final", at, ("dana",))), "interview 'final'"),
        (
            lambda w: w.add_touch("acme", Touch(at, "sam", "email", "out", "other", id="t1")),
            "touch 't1' exists already in opportunity 'acme'",
        ),
        (lambda w: w.add_offer("acme", Offer("first", date(2026, 1, 1))), "offer 'first'"),
        (lambda w: w.add_achievement(Achievement(at, "talk", "t", id="post")), "'post'"),
        (
            lambda w: w.add_opportunity(
                Opportunity("new", "N", "r", people=(Person("p", "P"), Person("p", "Q")))
            ),
            "person id 'p' appears twice in opportunity 'new'",
        ),
        (
            lambda w: w.add_interview("acme", Interview("x", at, ("dana", "dana"))),
            "person 'dana' is listed twice in interview 'x'",
        ),
    ]
    for write, message in cases:
        with pytest.raises(Conflict, match=message), store.unit_of_work() as work:
            write(work)
    assert store.revision() == 1


def test_missing_touch_and_achievement_ids_are_assigned(store: Store) -> None:
    import_facts(store, rich_facts())
    at = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    with store.unit_of_work() as work:
        first = work.add_touch("acme", Touch(at, "dana", "phone", "out", "call"))
        given = work.add_touch("acme", Touch(at, "dana", "phone", "out", "call", id="t9"))
        after = work.add_touch("acme", Touch(at, "sam", "email", "out", "check-in"))
        elsewhere = work.add_touch("globex", Touch(at, "dana", "email", "out", "other"))
        achievement = work.add_achievement(Achievement(date(2026, 12, 1), "course", "SQL"))
    assert (first, given, after, elsewhere, achievement) == ("t3", "t9", "t10", "t1", "a2")
    touches = store.load_facts().opportunities[0].touches
    assert [t.id for t in touches] == ["t1", "call-back", "t2", "t3", "t9", "t10"]


def test_update_opportunity_changes_only_the_fields_named(store: Store) -> None:
    import_facts(store, rich_facts())
    decision = Decision(expected_by=datetime(2026, 12, 2, 12, 0, tzinfo=UTC))
    with store.unit_of_work() as work:
        work.update_opportunity("acme", status="offer", rank=None, decision=decision)
        work.update_opportunity("globex", decision=None, url="https://globex.example")
    acme_, globex_, _ = store.load_facts().opportunities
    assert acme_ == replace(
        with_assigned_ids(rich_facts()).opportunities[0],
        status="offer",
        rank=None,
        decision=decision,
    )
    assert (globex_.decision, globex_.url, globex_.status) == (
        None,
        "https://globex.example",
        "offer",
    )
    with pytest.raises(TypeError, match="people"), store.unit_of_work() as work:
        work.update_opportunity("acme", people=())


def test_next_step_can_be_set_and_cleared(store: Store) -> None:
    import_facts(store, rich_facts())
    step = NextStep("send references", date(2026, 11, 25), who="dana", channel="email")
    with store.unit_of_work() as work:
        work.set_next_step("acme", "screen", step)
        work.set_next_step("acme", "onsite", None)
    onsite, screen, _ = store.load_facts().opportunities[0].interviews
    assert (onsite.next_step, screen.next_step) == (None, step)


def test_decisions_are_upserted_in_place_and_cleared(store: Store) -> None:
    import_facts(store, rich_facts())
    until = datetime(2026, 12, 24, 8, 0, tzinfo=UTC)
    with store.unit_of_work() as work:
        work.set_decision(ActionDecision("thank-you:acme:dana:onsite", "snoozed", until))
        work.set_decision(ActionDecision("new-action", "skipped"))
        work.clear_decision("cycle:globex:dana:x")
    assert store.load_facts().decisions == (
        ActionDecision("thank-you:acme:dana:onsite", "snoozed", until),
        ActionDecision("new-action", "skipped"),
    )


def test_profile_is_a_single_row(store: Store) -> None:
    with store.unit_of_work() as work:
        work.set_profile(Profile("A", "Asia/Tokyo", "JP", 3))
        work.set_profile(Profile("B", "America/New_York", "US", None))
    assert store.load_facts().profile == Profile("B", "America/New_York", "US", None)


def test_opportunity_with_nested_facts_can_be_added_later(store: Store) -> None:
    with store.unit_of_work() as work:
        work.add_opportunity(acme())
        work.add_interview("acme", Interview("extra", datetime(2026, 11, 20, tzinfo=UTC), ("sam",)))
        work.add_offer("acme", Offer("second", date(2026, 11, 21)))
    stored = store.load_facts().opportunities[0]
    assert [i.id for i in stored.interviews] == ["onsite", "screen", "final", "extra"]
    assert [o.id for o in stored.offers] == ["first", "second"]
    assert stored.interviews[0] == acme().interviews[0]


def test_writers_take_turns(db_url: str) -> None:
    from followup.store import open_store

    first, second = open_store(db_url), open_store(db_url)
    finished = threading.Event()

    def write_meanwhile() -> None:
        with second.unit_of_work() as work:
            work.add_opportunity(Opportunity(id="second", company="S", role="r"))
        finished.set()

    try:
        with first.unit_of_work() as work:
            work.add_opportunity(Opportunity(id="first", company="F", role="r"))
            other = threading.Thread(target=write_meanwhile)
            other.start()
            assert not finished.wait(0.3)  # waits for the first writer to commit
        other.join(timeout=10)
        assert finished.is_set()
        assert [o.id for o in first.load_facts().opportunities] == ["first", "second"]
        assert first.revision() == 2
    finally:
        first.close()
        second.close()


def test_readers_do_not_see_an_uncommitted_unit_of_work(db_url: str) -> None:
    from followup.store import open_store

    writer, reader = open_store(db_url), open_store(db_url)
    try:
        with writer.unit_of_work() as work:
            work.add_opportunity(globex())
            assert reader.load_facts() == Facts()  # not blocked, and not seeing it
            assert reader.revision() == 0
        assert reader.load_facts().opportunities == (globex(),)
        assert reader.revision() == 1
    finally:
        writer.close()
        reader.close()


def test_a_read_only_unit_of_work_refuses_to_write(store: Store) -> None:
    from followup.core.model import Achievement

    with store.reading() as work, pytest.raises(RuntimeError, match="read-only"):
        work.add_achievement(Achievement(date(2030, 1, 1), "talk", "A talk"))
    assert store.load_facts().achievements == ()
