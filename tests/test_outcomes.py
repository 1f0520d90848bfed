"""Outcomes and offers, as a coach reads them: the facts of a job search, a moment, and the plan
a good coach would expect.

Alex (New York) interviewed at Acme (first choice) and Globex (second) and holds an offer from
Cobalt Pay (third) that expires on Thursday 19 November 2026. The first half is the planner on
its own (pure); the second runs the use cases on a real database (SQLite, and PostgreSQL when
``FOLLOWUP_TEST_DATABASE_URL`` is set): every write checked first, nothing half-written.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from followup.core.interchange import dump_document, parse_document
from followup.core.model import Action, Facts, Interview, Offer, Opportunity, Person, Profile, Touch
from followup.core.planner import plan
from followup.core.playbook import DEFAULT, from_mapping
from followup.errors import Conflict, InvalidInput, NotFound, UsageError
from followup.services import acting, offers, record
from followup.services.plan import load_agenda
from followup.services.workspace import Workspace
from followup.store import Store

NY = ZoneInfo("America/New_York")


def at(d: int, hh: int = 0, mm: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, d, hh, mm, tzinfo=NY)


DANA = Person("dana", "Dana Lee", "hiring-manager", email="dana@acme.example")
SAM = Person("sam", "Sam Ortiz", "recruiter", email="sam@acme.example")
PAT = Person("pat", "Pat Reyes", "recruiter", email="pat@globex.example")
OLA = Person("ola", "Ola Berg", "hiring-manager", email="ola@globex.example")
LEE = Person("lee", "Lee Wong", "recruiter", email="lee@cobalt.example")

ACME = Opportunity(
    "acme",
    "Acme",
    "Data Platform Lead",
    rank=1,
    people=(DANA, SAM),
    interviews=(Interview("i1", at(10, 10), ("dana", "sam")),),
)
GLOBEX = Opportunity(
    "globex",
    "Globex",
    "Staff Engineer",
    rank=2,
    people=(OLA, PAT),
    interviews=(Interview("i1", at(12, 14), ("ola",)),),
)
#: Monday's offer, to answer by Thursday
OFFER = Offer("o1", date(2026, 11, 16), date(2026, 11, 19))
COBALT = Opportunity(
    "cobalt",
    "Cobalt Pay",
    "Payments Engineer",
    rank=3,
    status="offer",
    people=(LEE,),
    interviews=(Interview("c1", at(5, 10), ("lee",)),),
    offers=(OFFER,),
)
#: Alex accepts Cobalt's offer on Wednesday morning
ACCEPTED = replace(
    COBALT, status="accepted", offers=(replace(OFFER, decision="accepted", decided=at(18, 10)),)
)


def facts(*opps: Opportunity) -> Facts:
    return Facts(Profile("Alex Morgan", "America/New_York", "US", 0), opps)


def actions(f: Facts, now: datetime, playbook=DEFAULT) -> list[Action]:  # type: ignore[no-untyped-def]
    return plan(f, playbook, now)


#: the statuses of an action still to do
OPEN = ("upcoming", "due", "overdue", "missed", "snoozed")


def pending(f: Facts, now: datetime) -> dict[str, Action]:
    return {a.id: a for a in actions(f, now) if a.status in OPEN}


# --- deciding on an offer you hold -------------------------------------------------------------


def test_an_offer_you_hold_asks_you_to_decide_two_working_days_before_it_expires() -> None:
    (decide,) = [a for a in actions(facts(ACME, COBALT), at(17, 12)) if a.rule == "decide-by"]

    assert decide.id == "decide-by:cobalt:-:o1"
    assert (decide.opportunity, decide.person, decide.channel) == ("cobalt", None, None)
    # Tuesday and Wednesday to think it over; the answer must reach them by Thursday's close
    assert decide.window_start == at(17, 9)
    assert decide.window_end == at(19, 17)
    assert decide.status == "due"
    assert decide.reason == (
        "Decide on the offer from Cobalt Pay between Tue 17 Nov 09:00 and Thu 19 Nov 17:00 — "
        "it expires Thu 19 Nov: accept it, decline it, or ask them for more time"
    )


def test_the_reminder_counts_working_days_and_skips_thanksgiving() -> None:
    monday = replace(COBALT, offers=(Offer("o1", date(2026, 11, 20), date(2026, 11, 30)),))

    (decide,) = [a for a in actions(facts(monday), at(20, 12)) if a.rule == "decide-by"]

    # back from Monday 30: Friday 27 is one working day, Thursday 26 is Thanksgiving, so
    # Wednesday 25 is the second
    assert (decide.window_start, decide.window_end) == (at(25, 9), at(30, 17))


def test_an_offer_expiring_at_an_exact_moment_is_due_at_that_moment() -> None:
    noon = replace(COBALT, offers=(Offer("o1", at(16, 15), at(19, 12)),))

    (decide,) = [a for a in actions(facts(noon), at(17, 12)) if a.rule == "decide-by"]

    assert (decide.window_start, decide.window_end) == (at(17, 9), at(19, 12))


def test_how_early_the_reminder_comes_is_a_bounded_setting() -> None:
    same_day, problems = from_mapping({"offer_decide_days": 0})
    assert problems == []
    (decide,) = [a for a in actions(facts(COBALT), at(17, 12), same_day) if a.rule == "decide-by"]
    assert decide.window_start == at(19, 9)

    _, problems = from_mapping({"offer_decide_days": 30, "withdrawal_days": 0})
    assert problems == [
        "playbook.offer_decide_days must be between 0 and 10, got 30",
        "playbook.withdrawal_days must be between 1 and 10, got 0",
    ]


def test_a_late_offer_opens_the_reminder_when_it_arrives_and_an_extension_moves_it() -> None:
    late = replace(COBALT, offers=(Offer("o1", at(18, 11), date(2026, 11, 19)),))
    (decide,) = [a for a in actions(facts(late), at(18, 12)) if a.rule == "decide-by"]
    assert decide.window_start == at(18, 11)  # not before the offer came

    extended = replace(COBALT, offers=(replace(OFFER, expires=date(2026, 11, 24)),))
    (moved,) = [a for a in actions(facts(extended), at(17, 12)) if a.rule == "decide-by"]
    assert moved.id == "decide-by:cobalt:-:o1"  # the same action: a skip or snooze still holds
    assert (moved.window_start, moved.window_end) == (at(20, 9), at(24, 17))
    assert "it expires Tue 24 Nov" in moved.reason


def test_an_offer_without_an_expiry_needs_no_reminder() -> None:
    open_ended = replace(COBALT, offers=(Offer("o1", date(2026, 11, 16)),))

    assert [a for a in actions(facts(open_ended), at(17, 12)) if a.rule == "decide-by"] == []


def test_declining_an_offer_takes_back_the_counter_offers_it_caused() -> None:
    before = pending(facts(ACME, GLOBEX, COBALT), at(16, 12))
    assert "counter-offer:acme:dana:cobalt.o1" in before  # Acme, first choice, hears of it

    declined = replace(
        COBALT, status="active", offers=(replace(OFFER, decision="declined", decided=at(17, 9)),)
    )
    after = actions(facts(ACME, GLOBEX, declined), at(17, 12))

    assert [a.id for a in after if a.rule == "counter-offer"] == []
    (decide,) = [a for a in after if a.rule == "decide-by"]
    assert (decide.status, decide.done_at) == ("done", at(17, 9))
    # Acme and Globex keep their own follow-ups
    assert any(a.opportunity == "acme" and a.rule == "cycle" for a in after)


# --- accepting one -----------------------------------------------------------------------------


def test_accepting_an_offer_stops_everything_else_but_a_withdrawal_note_to_each() -> None:
    now = at(18, 12)
    everything = actions(facts(ACME, GLOBEX, ACCEPTED), now)
    still = [a for a in everything if a.status in OPEN]

    assert sorted(a.id for a in still) == [
        "withdrawal:acme:sam:cobalt.o1",
        "withdrawal:globex:pat:cobalt.o1",
    ]
    note = next(a for a in still if a.opportunity == "acme")
    assert (note.person, note.channel, note.status) == ("sam", "email", "due")
    # from the moment you accepted, for two working days (to the close of business)
    assert (note.window_start, note.window_end) == (at(18, 10), at(20, 17))
    assert note.reason == (
        "Withdraw from Acme: write to Sam Ortiz (recruiter) between Wed 18 Nov 10:00 and "
        "Fri 20 Nov 17:00 — you accepted the offer from Cobalt Pay (Wed 18 Nov); thank them "
        "and withdraw politely, so they can move on"
    )
    # the offer you accepted was decided then; the weekly search target is over
    (decide,) = [a for a in everything if a.rule == "decide-by"]
    assert (decide.status, decide.done_at) == ("done", at(18, 10))
    assert not any(a.rule == "keep-searching" for a in everything)


def test_an_employer_whose_offer_you_still_hold_hears_that_you_decline_it() -> None:
    globex_offer = replace(
        GLOBEX, status="offer", offers=(Offer("o7", date(2026, 11, 17), date(2026, 11, 25)),)
    )

    still = pending(facts(globex_offer, ACCEPTED), at(18, 12))

    assert list(still) == ["withdrawal:globex:pat:cobalt.o1"]  # its own decide-by is over
    assert (
        "decline their offer, thank them and withdraw"
        in still["withdrawal:globex:pat:cobalt.o1"].reason
    )


def test_any_message_after_accepting_is_the_withdrawal_and_stays_done() -> None:
    wrote = replace(
        ACME, touches=(Touch(at(18, 15), "dana", "email", "out", "other", summary="thanks"),)
    )
    (note,) = [a for a in actions(facts(wrote, ACCEPTED), at(19, 9)) if a.rule == "withdrawal"]
    assert (note.status, note.done_at) == ("done", at(18, 15))

    # marking Acme withdrawn afterwards keeps the note in its history
    withdrawn = replace(wrote, status="withdrawn")
    (kept,) = [a for a in actions(facts(withdrawn, ACCEPTED), at(19, 9)) if a.opportunity == "acme"]
    assert (kept.id, kept.status) == ("withdrawal:acme:sam:cobalt.o1", "done")


def test_employers_out_of_play_get_no_note() -> None:
    rejected = replace(GLOBEX, status="rejected")
    nobody = Opportunity("initech", "Initech", "SRE", interviews=())  # applied, no contact yet

    still = pending(facts(ACME, rejected, nobody, ACCEPTED), at(18, 12))

    assert list(still) == ["withdrawal:acme:sam:cobalt.o1"]


def test_accepted_by_hand_without_an_accepted_offer_stops_only_that_opportunity() -> None:
    """`followup opportunity status X accepted` records no answer to an offer: the planner does
    not know when you accepted, so it plans no withdrawal notes (`offer accept` does)."""
    by_hand = replace(COBALT, status="accepted")

    still = pending(facts(ACME, by_hand), at(18, 12))

    assert not any(a.rule == "withdrawal" for a in still.values())
    assert any(a.opportunity == "acme" for a in still.values())
    assert not any(a.opportunity == "cobalt" for a in still.values())


# --- on a real database: the use cases ---------------------------------------------------------

NOW = at(17, 12)


@pytest.fixture
def ws(store: Store) -> Workspace:
    workspace = Workspace.of(store)
    with store.unit_of_work() as work:
        work.replace_all(facts(ACME, GLOBEX, replace(COBALT, status="active", offers=())))
    return workspace


def _opp(ws: Workspace, opp_id: str) -> Opportunity:
    found = ws.facts().opportunity(opp_id)
    assert found is not None
    return found


def _stored(ws: Workspace, now: datetime) -> dict[str, Action]:
    return {a.id: a for a in load_agenda(ws).at(now) if a.status in OPEN}


def _call(person: str, at_: datetime, outcome: str | None, **kw: object) -> Touch:
    return Touch(at_, person, "phone", "in", "other", outcome=outcome, **kw)  # type: ignore[arg-type]


def test_a_call_with_an_offer_records_it_and_plans_the_reminder(ws: Workspace) -> None:
    touch_id = record.add_touch(ws, "cobalt", _call("lee", at(16, 11), "offer"), date(2026, 11, 19))

    cobalt = _opp(ws, "cobalt")
    assert cobalt.status == "offer"
    assert cobalt.offers == (Offer("o1", at(16, 11), date(2026, 11, 19)),)
    assert cobalt.touches[0].outcome == "offer" and touch_id == "t1"
    plan_now = _stored(ws, NOW)
    assert plan_now["decide-by:cobalt:-:o1"].window_end == at(19, 17)
    # the employers Alex prefers hear about it (the stored plans of the others were redone)
    assert "counter-offer:acme:dana:cobalt.o1" in plan_now


def test_a_second_offer_call_keeps_the_offer_held(ws: Workspace) -> None:
    record.add_touch(ws, "cobalt", _call("lee", at(16, 11), "offer"))
    before = ws.revision

    record.add_touch(ws, "cobalt", _call("lee", at(17, 9), "offer", summary="improved offer"))
    with pytest.raises(InvalidInput) as raised:
        record.add_touch(ws, "cobalt", _call("lee", at(17, 10), "offer"), date(2026, 11, 30))

    assert [o.id for o in _opp(ws, "cobalt").offers] == ["o1"]
    assert raised.value.problems[0].path == "touch.offer_expires"
    assert "holds offer 'o1' already" in raised.value.message
    assert "followup offer extend cobalt o1" in (raised.value.hint or "")
    assert len(_opp(ws, "cobalt").touches) == 2  # nothing of the refused one was written
    assert ws.revision == before + 1


def test_a_rejection_stops_every_pending_action_of_that_opportunity(ws: Workspace) -> None:
    assert any(a.opportunity == "globex" for a in _stored(ws, NOW).values())

    record.add_touch(ws, "globex", _call("pat", at(17, 9), "rejected", summary="went another way"))

    assert _opp(ws, "globex").status == "rejected"
    assert not any(a.opportunity == "globex" for a in _stored(ws, NOW).values())


def test_withdrawing_by_a_touch_you_send(ws: Workspace) -> None:
    mail = Touch(at(17, 9), "pat", "email", "out", "other", outcome="withdrawn")

    record.add_touch(ws, "globex", mail)

    assert _opp(ws, "globex").status == "withdrawn"


@pytest.mark.parametrize(
    ("outcome", "expires", "path", "words"),
    [
        ("hired", None, "touch.outcome", "hired"),
        ("rejected", date(2026, 11, 30), "touch.offer_expires", "only an offer expires"),
        ("offer", date(3100, 1, 1), "touch.offer_expires", "3100"),
    ],
)
def test_a_bad_outcome_is_named_and_nothing_is_written(
    ws: Workspace, outcome: str, expires: date | None, path: str, words: str
) -> None:
    before = ws.revision

    with pytest.raises(InvalidInput) as raised:
        record.add_touch(ws, "globex", _call("pat", at(17, 9), outcome), expires)

    assert [p.path for p in raised.value.problems] == [path]
    assert words in raised.value.message
    assert (ws.revision, _opp(ws, "globex").touches) == (before, ())


def test_an_offer_cannot_expire_before_it_arrived(ws: Workspace) -> None:
    with pytest.raises(InvalidInput) as raised:
        record.add_touch(ws, "cobalt", _call("lee", at(16, 11), "offer"), date(2026, 11, 15))

    assert str(raised.value.problems[0]) == (
        "touch.offer_expires: 2026-11-15 is before the offer arrived (2026-11-16T11:00-05:00)"
    )
    assert _opp(ws, "cobalt").offers == ()


def test_accepting_stops_the_others_and_plans_their_withdrawal_notes(ws: Workspace) -> None:
    record.add_touch(ws, "cobalt", _call("lee", at(16, 11), "offer"), date(2026, 11, 19))

    accepted = offers.accept(ws, "cobalt", "o1", at(18, 10))

    assert (accepted.decision, accepted.decided) == ("accepted", at(18, 10))
    assert _opp(ws, "cobalt").status == "accepted"
    assert sorted(_stored(ws, at(18, 12))) == [
        "withdrawal:acme:sam:cobalt.o1",
        "withdrawal:globex:pat:cobalt.o1",
    ]
    # one acceptance at a time, and an answered offer stays answered
    record.add_offer(ws, "globex", Offer("o1", date(2026, 11, 18)))
    with pytest.raises(Conflict, match="you accepted an offer from 'cobalt' already"):
        offers.accept(ws, "globex", "o1", at(18, 13))
    with pytest.raises(Conflict, match="you accepted offer 'o1' of 'cobalt' on 2026-11-18"):
        offers.decline(ws, "cobalt", "o1", at(18, 14))
    with pytest.raises(Conflict, match="a touch cannot make it rejected"):
        record.add_touch(ws, "cobalt", _call("lee", at(18, 15), "rejected"))


def test_the_withdrawal_note_has_a_polite_draft_and_is_done_by_sending_it(
    ws: Workspace,
) -> None:
    record.add_touch(ws, "cobalt", _call("lee", at(16, 11), "offer"))
    offers.accept(ws, "cobalt", "o1", at(18, 10))
    from followup.services import drafting

    made = drafting.draft(ws, "withdrawal:acme:sam:cobalt.o1", at(18, 12))
    assert made.to == "sam@acme.example"
    assert made.body.startswith("Hi Sam,")
    assert "Data Platform Lead" in made.body + made.subject
    assert "withdraw" in made.body or "out of consideration" in made.body
    assert "Cobalt" not in made.body  # the other employer stays private

    touch = acting.done(ws, "withdrawal:acme:sam:cobalt.o1", at(18, 16))

    assert (touch.completes, touch.kind, touch.body) == (
        "withdrawal:acme:sam:cobalt.o1",
        "other",
        made.text,
    )
    assert "withdrawal:acme:sam:cobalt.o1" not in _stored(ws, at(18, 17))


def test_declining_returns_the_opportunity_to_active_only_without_other_offers(
    ws: Workspace,
) -> None:
    record.add_offer(ws, "cobalt", Offer("o1", date(2026, 11, 16), date(2026, 11, 19)))
    record.add_offer(ws, "cobalt", Offer("o2", date(2026, 11, 17), date(2026, 11, 20)))
    assert "counter-offer:acme:dana:cobalt.o1" in _stored(ws, NOW)

    offers.decline(ws, "cobalt", "o1", at(17, 13))
    assert _opp(ws, "cobalt").status == "offer"  # o2 is still held
    assert "counter-offer:acme:dana:cobalt.o1" not in _stored(ws, at(17, 14))
    assert "counter-offer:acme:dana:cobalt.o2" in _stored(ws, at(17, 14))

    offers.decline(ws, "cobalt", "o2", at(17, 15))
    assert _opp(ws, "cobalt").status == "active"
    assert [o.decision for o in _opp(ws, "cobalt").offers] == ["declined", "declined"]


def test_extending_moves_the_expiry_and_refuses_an_earlier_one(ws: Workspace) -> None:
    record.add_offer(ws, "cobalt", Offer("o1", date(2026, 11, 16), date(2026, 11, 19)))

    offers.extend(ws, "cobalt", "o1", date(2026, 11, 24))

    assert _opp(ws, "cobalt").offers[0].expires == date(2026, 11, 24)
    assert _stored(ws, NOW)["decide-by:cobalt:-:o1"].window_end == at(24, 17)
    with pytest.raises(InvalidInput) as raised:
        offers.extend(ws, "cobalt", "o1", date(2026, 11, 24))
    assert str(raised.value.problems[0]) == (
        "offer.expires: 2026-11-24 is not later than the offer's expiry (2026-11-24)"
    )
    with pytest.raises(NotFound) as missing:
        offers.extend(ws, "cobalt", "o9", date(2026, 11, 30))
    assert missing.value.message == "unknown offer 'o9' in opportunity 'cobalt' (known: o1)"
    with pytest.raises(NotFound, match="unknown opportunity 'nope'"):
        offers.accept(ws, "nope", "o1", NOW)
    assert _opp(ws, "cobalt").offers[0].expires == date(2026, 11, 24)


def test_a_decide_by_action_is_answered_not_marked_done(ws: Workspace) -> None:
    record.add_offer(ws, "cobalt", Offer("o1", date(2026, 11, 16), date(2026, 11, 19)))

    with pytest.raises(UsageError, match="done by your answer to the offer") as raised:
        acting.done(ws, "decide-by:cobalt:-:o1", NOW)

    assert "followup offer accept|decline cobalt OFFER" in (raised.value.hint or "")


# --- the interchange document ------------------------------------------------------------------


def test_outcomes_and_answers_travel_in_version_2_only() -> None:
    called = Touch(at(16, 11), "lee", "phone", "in", "other", id="t1", outcome="offer")
    f = facts(ACME, replace(ACCEPTED, touches=(called,)))

    document = dump_document(f)
    cobalt = document["opportunities"][1]  # type: ignore[index]
    assert cobalt["touches"][0]["outcome"] == "offer"
    assert cobalt["offers"] == [
        {
            "id": "o1",
            "received": "2026-11-16",
            "expires": "2026-11-19",
            "decision": "accepted",
            "decided": "2026-11-18T10:00-05:00",
        }
    ]
    assert parse_document(json.loads(json.dumps(document))) == (f, [])

    old = dump_document(f, version=1)
    old_cobalt = old["opportunities"][1]  # type: ignore[index]
    assert "outcome" not in old_cobalt["touches"][0]
    assert old_cobalt["offers"] == [{"id": "o1", "received": "2026-11-16", "expires": "2026-11-19"}]


def test_an_answer_needs_its_moment_and_a_version_2_document() -> None:
    document = dump_document(facts(ACCEPTED))
    offer = document["opportunities"][0]["offers"][0]  # type: ignore[index]
    del offer["decided"]

    parsed, problems = parse_document(json.loads(json.dumps(document)))
    assert parsed is None
    assert [str(p) for p in problems] == [
        "opportunities[0].offers[0]: missing required field 'decided'"
    ]

    document = dump_document(facts(ACCEPTED))
    document["version"] = 1
    _, problems = parse_document(json.loads(json.dumps(document)))
    assert [str(p) for p in problems] == [
        "opportunities[0].offers[0].decision: only a version 2 document holds your answer to an "
        'offer: set "version": 2 at the top of the document'
    ]
