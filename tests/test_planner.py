"""Each rule and guardrail of the playbook at fixed moments (the planner is a pure function)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, timedelta

import pytest

from followup.core.model import ActionDecision, Decision, NextStep, Offer, Person
from followup.core.planner import completing_touch, plan
from followup.core.playbook import DEFAULT
from planner_facts import (
    DANA,
    KIM,
    LONDON,
    NY,
    SAM,
    acme,
    actions,
    at,
    by_rule,
    date,
    facts,
    inbound,
    interview,
    out,
)

# The standard interview: Tue 10 Nov 2026, 10:00-11:00 New York. Wed 11 Nov is Veterans Day.
T = at(2026, 11, 10, 11)


def test_thank_you_to_each_voter_ends_exactly_24h_after_the_interview():
    got = by_rule(facts(), at(2026, 11, 10, 12), "thank-you")
    assert sorted(a.person for a in got) == ["dana", "kim"]  # ray has no vote, sam wasn't there
    for a in got:
        assert a.window_start == T
        assert a.window_end - a.window_start == timedelta(hours=24)
        assert a.status == "due"
        assert a.reason.startswith(f"Thank {'Dana Lee' if a.person == 'dana' else 'Kim Park'}")
        assert "within 24h" in a.reason


def test_thank_you_reason_names_that_persons_topic_only():
    got = {a.person: a.reason for a in by_rule(facts(), T, "thank-you")}
    assert "Scaling the data platform team" in got["dana"]
    assert "On-call load" in got["kim"] and "Scaling" not in got["kim"]


def test_thank_you_status_moves_with_now_and_is_done_by_a_matching_touch():
    f = facts()
    tid = "thank-you:acme:dana:i1"
    assert actions(f, at(2026, 11, 10, 9))[tid].status == "upcoming"
    assert actions(f, T + timedelta(hours=23, minutes=59))[tid].status == "due"
    assert actions(f, T + timedelta(hours=24))[tid].status == "overdue"  # half-open window
    sent = facts(acme(touches=(out(at(2026, 11, 10, 15), "dana", "thank-you"),)))
    a = actions(sent, at(2026, 11, 12))[tid]
    assert a.status == "done" and a.done_at == at(2026, 11, 10, 15)
    # a thank-you to someone else does not complete Dana's
    other = facts(acme(touches=(out(at(2026, 11, 10, 15), "kim", "thank-you"),)))
    assert actions(other, at(2026, 11, 12))[tid].status == "overdue"


def test_thank_you_window_is_24_real_hours_across_the_dst_change():
    # US clocks fall back on Sun 1 Nov 2026: 24 hours after 11:00 EDT is 10:00 EST.
    f = facts(acme(interviews=(interview(when=at(2026, 10, 31, 10)),)))
    a = by_rule(f, at(2026, 10, 31, 12), "thank-you")[0]
    assert (a.window_end.astimezone(UTC) - a.window_start.astimezone(UTC)) == timedelta(hours=24)
    assert a.window_end.astimezone(NY).hour == 10


def test_phone_call_skips_the_holiday_and_keeps_business_hours():
    calls = {a.person: a for a in by_rule(facts(), T, "phone-call")}
    assert set(calls) == {"dana", "sam"}  # hiring manager and recruiter
    for a in calls.values():
        start = a.window_start.astimezone(NY)
        assert start.date() == date(2026, 11, 12)  # Wed 11 Nov is Veterans Day
        assert start.hour == 9
        assert a.channel == "phone"
        assert 9 <= a.window_end.astimezone(NY).hour <= 17


def test_phone_call_uses_the_contacts_time_zone_and_skips_the_weekend():
    london = replace(SAM, timezone="Europe/London")
    # Friday interview ending 16:00 in New York = 21:00 in London.
    f = facts(acme(people=(DANA, london, KIM), interviews=(interview(when=at(2026, 11, 13, 15)),)))
    a = next(a for a in by_rule(f, at(2026, 11, 13, 16), "phone-call") if a.person == "sam")
    local = a.window_start.astimezone(LONDON)
    # the next business day in London, Monday, once the candidate's day has begun too
    # (08:00 in New York is 13:00 in London)
    assert local.weekday() == 0 and local.hour == 13
    assert "Europe/London" in a.reason


def test_value_add_and_call_to_the_same_person_fall_on_different_days():
    acts = actions(facts(), T)
    call, article = acts["phone-call:acme:dana:i1"], acts["value-add:acme:dana:i1"]
    assert call.window_end <= article.window_start
    assert call.window_start.astimezone(NY).date() != article.window_start.astimezone(NY).date()
    # the seed's own deadline kept (Sun 15 Nov), closing with the last business day before it
    assert article.window_end == at(2026, 11, 13, 17)


def test_value_add_goes_to_hiring_manager_and_key_people():
    key_kim = replace(KIM, key=True)
    f = facts(acme(people=(DANA, SAM, key_kim)))
    assert {a.person for a in by_rule(f, T, "value-add")} == {"dana", "kim"}
    assert {a.person for a in by_rule(facts(), T, "value-add")} == {"dana"}


def test_continued_interest_window_is_7_to_10_days():
    a = actions(facts(), T)["continued-interest:acme:dana:i1"]
    # days 7 to 10, closing at the end of the contact's business day
    assert (a.window_start, a.window_end) == (T + timedelta(days=7), at(2026, 11, 20, 17))
    done = facts(acme(touches=(out(T + timedelta(days=8), "dana", "continued-interest"),)))
    assert actions(done, T + timedelta(days=9))[a.id].status == "done"


def test_next_step_asks_about_the_process_unless_one_was_agreed():
    a = actions(facts(), T)["next-step:acme:sam:i1"]
    assert a.window_end.astimezone(NY).date() == date(2026, 11, 12)  # T + 1 business day
    assert "decision process and timing" in a.reason
    agreed = interview(next_step=NextStep("They will call with a decision", date(2026, 11, 20)))
    f = facts(acme(interviews=(agreed,)))
    assert actions(f, T)["next-step:acme:sam:i1"].status == "done"


def test_callback_on_the_date_they_named_and_the_cycle_waits_for_it():
    reply = inbound(T + timedelta(days=2), "sam", states_date=date(2026, 11, 30))
    f = facts(acme(touches=(reply,)))
    got = actions(f, T + timedelta(days=3))
    cb = [a for a in got.values() if a.rule == "callback"]
    assert len(cb) == 1 and cb[0].person == "sam"
    assert cb[0].window_start.astimezone(NY).date() == date(2026, 11, 30)
    # the cycle waits for the named date: it resumes 7 days after it at the earliest
    assert all(
        a.window_start >= cb[0].window_end + timedelta(days=7)
        for a in got.values()
        if a.rule == "cycle"
    )
    # once they are called back on the day, the cycle resumes from that touch
    called = out(at(2026, 11, 30, 10), "sam", "call", channel="phone")
    later = actions(facts(acme(touches=(reply, called))), at(2026, 12, 1))
    assert [a.status for a in later.values() if a.rule == "callback"] == ["done"]
    cyc = [a for a in later.values() if a.rule == "cycle"]
    assert len(cyc) == 1 and cyc[0].window_start >= at(2026, 12, 7, 10)


def test_cycle_rotates_person_and_channel_7_to_12_days_after_the_last_touch():
    last = out(T + timedelta(days=8), "dana", "continued-interest")
    f = facts(acme(touches=(out(T + timedelta(hours=3), "dana", "thank-you"), last)))
    cyc = by_rule(f, T + timedelta(days=9), "cycle")
    assert len(cyc) == 1
    a = cyc[0]
    # never contacted and a voter: Sam and Kim; the recruiter comes first
    assert a.person == "sam"
    assert a.channel == "phone"  # the last touch was an e-mail: rotate
    assert a.window_start >= last.at + timedelta(days=7)
    assert a.window_end <= last.at + timedelta(days=12) + timedelta(days=7)  # guardrails may push


def test_inbound_reply_restarts_the_cycle_clock():
    base = (out(T + timedelta(days=8), "dana", "continued-interest"),)
    before = by_rule(facts(acme(touches=base)), T + timedelta(days=9), "cycle")[0]
    reply = inbound(T + timedelta(days=12), "dana")
    after = by_rule(facts(acme(touches=(*base, reply))), T + timedelta(days=13), "cycle")[0]
    assert after.window_start >= reply.at + timedelta(days=7) > before.window_start


def test_still_in_running_after_the_decision_date_passes_and_only_once():
    f = facts(acme(decision=Decision(expected_by=date(2026, 11, 20))))
    sir = by_rule(f, at(2026, 11, 21), "still-in-running")
    assert len(sir) == 1
    assert sir[0].window_start.astimezone(NY).date() == date(2026, 11, 23)  # next working day
    asked = out(at(2026, 11, 23, 10), "sam", "still-in-running")
    f2 = facts(acme(decision=Decision(expected_by=date(2026, 11, 20)), touches=(asked,)))
    assert [a.status for a in by_rule(f2, at(2026, 12, 30), "still-in-running")] == ["done"]


def test_still_in_running_without_a_date_waits_21_days_of_silence():
    sir = by_rule(facts(), T, "still-in-running")
    assert sir[0].window_start >= T + timedelta(days=21)


def test_counter_offer_tells_preferred_employers_and_respects_the_expiry():
    beta = acme(
        id="beta",
        company="Beta",
        rank=3,
        people=(replace(DANA, id="lee", name="Lee Wu"),),
        offers=(Offer("o1", date(2026, 11, 16), date(2026, 11, 18)),),
    )
    gamma = acme(id="gamma", company="Gamma", rank=2, interviews=())  # applied, not met yet
    delta = acme(id="delta", company="Delta", rank=5)
    f = facts(acme(), beta, gamma, delta)
    got = by_rule(f, at(2026, 11, 16, 12), "counter-offer")
    assert sorted(a.opportunity for a in got) == ["acme", "gamma"]  # ranked above Beta only
    for a in got:
        assert a.window_end <= at(2026, 11, 17)  # 48h before the offer ends (end of 18 Nov)
        assert "Beta" in a.reason
        assert a.status == "due"


def test_set_apart_folds_into_the_next_touch_to_that_person():
    from followup.core.model import Achievement

    talk = Achievement(date(2026, 11, 12), "talk", "Kafka at scale talk", id="a1", tags=("kafka",))
    unrelated = Achievement(
        date(2026, 11, 12), "course", "Pastry course", id="a2", tags=("baking",)
    )
    f = facts(achievements=(talk, unrelated))
    got = by_rule(f, T, "set-apart")
    assert [a.id for a in got] == ["set-apart:acme:dana:a1"]
    assert "mention it in your" in got[0].reason


def test_guardrails_hold_after_the_sequence():
    # Lots of recent touches: the cycle and still-in-running must keep their distance.
    touches = tuple(out(T + timedelta(days=d), p, "other") for d, p in [(8, "dana"), (9, "kim")])
    f = facts(acme(touches=touches, decision=Decision(expected_by=date(2026, 11, 19))))
    got = [a for a in plan(f, DEFAULT, T) if a.rule in ("cycle", "still-in-running")]
    assert got
    taken = [(t.at, t.person) for t in touches]
    for a in got:
        for when, person in taken:
            if person == a.person:
                assert abs(a.window_start - when) >= timedelta(days=3)
        near = [w for w, _ in taken if abs(w - a.window_start) < timedelta(days=7)]
        assert len(near) < 2 or all(abs(w - a.window_start) >= timedelta(days=7) for w in near)
        taken.append((a.window_start, a.person))


def test_an_outcome_stops_everything_but_history():
    f = facts(acme(status="rejected", touches=(out(T, "dana", "thank-you"),)))
    got = plan(f, DEFAULT, T)
    assert got and all(a.status == "done" for a in got if a.rule != "keep-searching")


def test_skip_and_snooze_stay_put_when_the_plan_is_recomputed():
    tid, vid = "thank-you:acme:kim:i1", "value-add:acme:dana:i1"
    until = T + timedelta(days=3)
    f = facts(decisions=(ActionDecision(tid, "skipped"), ActionDecision(vid, "snoozed", until)))
    got = actions(f, T + timedelta(days=1))
    assert got[tid].status == "skipped"
    assert got[vid].status == "snoozed" and got[vid].snoozed_until == until
    later = actions(f, until + timedelta(hours=1))
    assert later[vid].status == "due" and later[vid].window_start == until


def test_keep_searching_counts_this_weeks_applications():
    f = facts(acme(applied=date(2026, 11, 9)))
    f = replace(f, profile=replace(f.profile, weekly_target=2))
    a = next(a for a in plan(f, DEFAULT, at(2026, 11, 11)) if a.rule == "keep-searching")
    assert a.person is None and a.opportunity is None
    assert "(1 so far)" in a.reason and a.status == "due"
    assert "Apply to 2 new roles this week" in a.reason
    assert "only 1 active opportunity: your pipeline is thin" in a.reason  # not "opportunities"
    one = replace(f, profile=replace(f.profile, weekly_target=1))
    b = next(b for b in plan(one, DEFAULT, at(2026, 11, 11)) if b.rule == "keep-searching")
    assert b.verb == "Apply to 1 new role this week" and b.status == "done"


def test_every_action_explains_itself_and_has_a_stable_id():
    f = facts()
    first = plan(f, DEFAULT, T)
    again = plan(f, DEFAULT, T + timedelta(days=2))
    assert {a.id for a in first} == {a.id for a in again}
    for a in first:
        assert a.reason and " — " in a.reason
        assert a.window_start < a.window_end
        assert a.window_start.utcoffset() is not None


@pytest.mark.parametrize("rule", ["thank-you", "value-add", "phone-call", "next-step"])
def test_completing_touch_marks_the_action_done(rule):
    f = facts()
    now = T + timedelta(days=2)
    a = next(x for x in plan(f, DEFAULT, now) if x.rule == rule)
    touch = completing_touch(a, now)
    done = facts(acme(touches=(touch,)))
    assert actions(done, now)[a.id].status == "done"


def test_later_interview_supersedes_pending_sequence_actions():
    second = interview("i2", at(2026, 11, 17, 10), ("dana",))
    f = facts(acme(interviews=(interview(), second)))
    ids = set(actions(f, at(2026, 11, 18)))
    assert "thank-you:acme:dana:i2" in ids and "thank-you:acme:dana:i1" not in ids
    assert "thank-you:acme:kim:i1" in ids  # Kim was not met again
    assert "value-add:acme:dana:i1" not in ids and "value-add:acme:dana:i2" in ids


def test_no_interviews_means_no_follow_up_yet():
    f = facts(acme(interviews=()), acme(id="b", interviews=(), people=(Person("x", "X", "hr"),)))
    assert [a.rule for a in plan(f, DEFAULT, T)] == []


def test_thank_you_is_never_shortened_by_the_call_that_follows():
    # An evening interview: the call's first business morning falls inside the thank-you's 24h.
    f = facts(acme(interviews=(interview(when=at(2026, 11, 9, 19)),)))
    got = actions(f, at(2026, 11, 9, 21))
    thanks, call = got["thank-you:acme:dana:i1"], got["phone-call:acme:dana:i1"]
    assert thanks.window_end - thanks.window_start == timedelta(hours=24)
    assert call.window_start >= thanks.window_end


def test_calls_skip_the_contacts_own_public_holidays():
    # Mon 4 May 2026 is a bank holiday in the UK, an ordinary Monday in the US.
    london = replace(SAM, timezone="Europe/London")
    f = facts(acme(people=(DANA, london, KIM), interviews=(interview(when=at(2026, 5, 1, 9)),)))
    calls = {a.person: a for a in by_rule(f, at(2026, 5, 1, 12), "phone-call")}
    assert calls["dana"].window_start.astimezone(NY).date() == date(2026, 5, 4)
    assert calls["sam"].window_start.astimezone(LONDON).date() == date(2026, 5, 5)


def test_still_in_running_waits_for_a_later_date_they_named():
    slips = inbound(at(2026, 11, 18, 10), "sam", states_date=date(2026, 11, 27))
    f = facts(acme(decision=Decision(expected_by=date(2026, 11, 20)), touches=(slips,)))
    sir = by_rule(f, at(2026, 11, 21), "still-in-running")[0]
    start = sir.window_start.astimezone(NY)
    assert start.date() == date(2026, 11, 30)  # the next business morning after Fri 27 Nov
    assert start.hour == 9
    assert "the date they named" in sir.reason


def test_status_rule_order_and_half_open_window():
    from followup.core.model import status_at

    assert status_at(5, 10, 20) == "upcoming"
    assert status_at(10, 10, 20) == "due"
    assert status_at(20, 10, 20) == "overdue"  # the window is [start, end)
    assert status_at(15, 10, 20, snoozed_until=18) == "snoozed"
    assert status_at(19, 10, 20, snoozed_until=18) == "due"
    assert status_at(15, 10, 20, skipped=True, snoozed_until=18) == "skipped"
    assert status_at(25, 10, 20, done_at=22, skipped=True) == "done"
    assert status_at(21, 10, 20, done_at=22) == "overdue"  # as of before it was done
    assert status_at(25, 10, 20, done_at=22, replaced=True) == "replaced"
    assert status_at(25, 10, 20, missed_at=24) == "missed"
    assert status_at(23, 10, 20, missed_at=24) == "overdue"
