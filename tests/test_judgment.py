"""What a coach would sign: scenarios of facts -> the plan a good coach would give.

The standard opportunity (``planner_facts``): Acme, Dana Lee (hiring manager), Sam Ortiz
(recruiter), Kim Park (panel), Ray Chen (panel, no vote); the first interview on Tue 10 Nov 2026,
10:00-11:00 New York, with Dana and Kim. Wed 11 Nov is Veterans Day, Thu 26 Nov Thanksgiving.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from followup.core.model import Action, NextStep, Offer, Opportunity, Person, Touch
from followup.core.planner import plan
from followup.core.playbook import DEFAULT
from followup.core.timewin import WorkCalendar
from planner_facts import DANA, KIM, NY, SAM, acme, actions, at, facts, inbound, interview, out

T = at(2026, 11, 10, 11)  # the end of the first interview
CAL = WorkCalendar(NY, "US")


def pending(acts: dict[str, Action]) -> list[Action]:
    return [a for a in acts.values() if a.done_at is None and a.status != "skipped"]


# --- 1. a later interview plans follow-ups for the people in it ------------------------------


def test_a_later_panel_interview_thanks_that_person_and_asks_nothing_of_the_others() -> None:
    second = interview("i2", at(2026, 11, 17, 14), with_=("kim",))
    acts = actions(facts(acme(interviews=(interview(), second))), at(2026, 11, 17, 16))
    from_second = {(a.rule, a.person) for a in acts.values() if a.id.endswith(":i2")}
    # Kim (panel, not key) gets a thank-you; no article, call or e-mail to anyone not there
    assert from_second == {("thank-you", "kim"), ("next-step", "sam")}
    # what was still owed after the first interview stays: Dana's article, calls, e-mail
    assert {"value-add:acme:dana:i1", "continued-interest:acme:dana:i1"} <= set(acts)
    assert "thank-you:acme:kim:i1" not in acts  # the new thank-you takes its place


def test_a_later_interview_with_the_hiring_manager_replaces_what_she_was_still_owed() -> None:
    second = interview("i2", at(2026, 11, 13, 14), with_=("dana",))
    acts = actions(facts(acme(interviews=(interview(), second))), at(2026, 11, 13, 16))
    dana = [a for a in pending(acts) if a.person == "dana"]
    assert {a.id for a in dana if a.rule == "value-add"} == {"value-add:acme:dana:i2"}
    assert {a.id for a in dana if a.rule == "continued-interest"} == {
        "continued-interest:acme:dana:i2"
    }
    # never two proactive touches to her on one day: her windows do not overlap
    for a in dana:
        for b in dana:
            if a is not b and a.rule != b.rule:
                assert a.window_end <= b.window_start or b.window_end <= a.window_start, (a, b)


def test_a_key_person_in_a_later_interview_gets_the_article_and_the_call() -> None:
    key_kim = replace(KIM, key=True)
    second = interview("i2", at(2026, 11, 17, 14), with_=("kim",))
    opp = acme(people=(DANA, SAM, key_kim), interviews=(interview(), second))
    acts = actions(facts(opp), at(2026, 11, 17, 16))
    assert {"value-add:acme:kim:i2", "phone-call:acme:kim:i2", "thank-you:acme:kim:i2"} <= set(acts)
    assert "continued-interest:acme:kim:i2" not in acts  # that e-mail is the lead's


# --- 2. dates the employer names hold the plan ------------------------------------------------


def _named(acts_: str | None, when: date = date(2026, 11, 20)) -> Opportunity:
    step = NextStep("Sam calls with the decision", when, "sam", acts=acts_)  # type: ignore[arg-type]
    return acme(interviews=(interview(next_step=step),))


def test_they_decide_by_a_date_you_follow_up_the_next_working_day() -> None:
    acts = actions(facts(_named("they")), T)
    cb = acts["callback:acme:sam:i1-next"]
    assert cb.window_start == at(2026, 11, 23, 9)  # Mon: the working day after Fri 20 Nov
    assert cb.window_end == at(2026, 11, 23, 17)
    assert "they said they would get back to you by Fri 20 Nov" in cb.reason
    assert "if nothing came" in cb.reason
    # news from anyone at Acme before then: nothing to follow up
    news = inbound(at(2026, 11, 19, 15), "dana")
    later = actions(facts(replace(_named("they"), touches=(news,))), at(2026, 11, 24))
    assert later[cb.id].status == "replaced"
    assert "they wrote first" in later[cb.id].reason


def test_call_me_back_on_a_date_is_the_one_follow_up_with_that_person() -> None:
    acts = actions(facts(_named("you")), T)
    cb = acts["callback:acme:sam:i1-next"]
    assert cb.window_start == at(2026, 11, 20, 9) and cb.window_end == at(2026, 11, 20, 17)
    assert "they asked you to follow up on Fri 20 Nov" in cb.reason
    # Sam's own follow-up call is that callback; Dana's asks wait until it is over
    assert "phone-call:acme:sam:i1" not in acts
    for rule in ("phone-call", "continued-interest"):
        assert acts[f"{rule}:acme:dana:i1"].window_start >= cb.window_end, rule
    # an article is not an ask: it keeps its window
    assert acts["value-add:acme:dana:i1"].window_end <= at(2026, 11, 16, 17)


def test_an_inbound_call_counts_as_the_call_the_sequence_wanted() -> None:
    rang = Touch(at(2026, 11, 12, 10), "sam", "phone", "in", "call", id="t1")
    acts = actions(facts(acme(touches=(rang,))), at(2026, 11, 13))
    call = acts["phone-call:acme:sam:i1"]
    assert call.status == "replaced" and call.done_at == rang.at
    assert "they called first" in call.reason
    assert acts["phone-call:acme:dana:i1"].status != "replaced"  # Dana did not call


# --- 3. completion is exact --------------------------------------------------------------------


def test_a_callback_is_not_done_by_a_voicemail_left_before_the_date() -> None:
    early = out(at(2026, 11, 18, 11), "sam", "call", channel="phone")
    acts = actions(facts(replace(_named("you"), touches=(early,))), at(2026, 11, 20, 12))
    assert acts["callback:acme:sam:i1-next"].status == "due"
    on_the_day = out(at(2026, 11, 20, 11), "sam", "call", channel="phone")
    done = actions(facts(replace(_named("you"), touches=(early, on_the_day))), at(2026, 11, 21))
    assert done["callback:acme:sam:i1-next"].status == "done"
    assert done["callback:acme:sam:i1-next"].done_at == on_the_day.at


# --- 4. nothing goes stale ----------------------------------------------------------------------


def test_an_action_long_past_its_window_is_missed_not_overdue() -> None:
    thanks = "thank-you:acme:dana:i1"  # due Wed 11 Nov 11:00
    assert actions(facts(), at(2026, 11, 13, 12))[thanks].status == "overdue"
    # three working days after (Thu 12, Fri 13, Mon 16): missed
    assert actions(facts(), at(2026, 11, 16, 11))[thanks].status == "missed"
    missed_at = actions(facts(), at(2026, 11, 16, 11))[thanks].missed_at
    assert missed_at == at(2026, 11, 16, 11)
    longer = replace(DEFAULT, missed_after_days=5)
    assert actions(facts(), at(2026, 11, 16, 11), longer)[thanks].status == "overdue"


def test_a_missed_callback_does_not_stop_the_cycle() -> None:
    acts = actions(facts(_named("you", date(2026, 11, 12))), at(2026, 12, 10))
    assert acts["callback:acme:sam:i1-next"].status == "missed"
    cycle = [a for a in acts.values() if a.rule == "cycle" and a.done_at is None]
    assert len(cycle) == 1
    # 7-12 days after the last exchange (the callback's day), missed or not
    assert at(2026, 11, 19) <= cycle[0].window_start <= at(2026, 11, 26)


# --- 5. business hours for every employer-facing window but the thank-you's -----------------


def _in_business_hours(a: Action, tz: ZoneInfo) -> bool:
    start, end = a.window_start.astimezone(tz), a.window_end.astimezone(tz)
    cal = WorkCalendar(tz, "US" if tz == NY else "GB")
    return (
        cal.is_working_day(start.date())
        and 9 <= start.hour < 17
        and cal.is_working_day((end - timedelta(seconds=1)).date())
        and (end.hour, end.minute) <= (17, 0)
        and end.hour >= 9
    )


def test_every_window_but_the_thank_you_keeps_to_business_days_and_hours() -> None:
    acts = actions(facts(_named("they")), T)
    for a in pending(acts):
        if a.rule in ("thank-you", "keep-searching"):
            continue
        assert _in_business_hours(a, NY), a
        assert a.window_start.astimezone(NY).time() != datetime.min.time(), a


def test_the_hiring_managers_call_gets_two_working_days() -> None:
    # nothing else to Dana competes: the article and the e-mail are done
    sent = (
        out(T + timedelta(hours=2), "dana", "thank-you"),
        out(T + timedelta(hours=3), "dana", "value-add"),
    )
    acts = actions(facts(acme(touches=sent)), T + timedelta(hours=4))
    call = acts["phone-call:acme:dana:i1"]
    start, end = call.window_start.astimezone(NY), call.window_end.astimezone(NY)
    days = {start.date() + timedelta(days=n) for n in range((end.date() - start.date()).days + 1)}
    assert len([d for d in days if CAL.is_working_day(d)]) >= 2, call


def test_a_contact_far_away_gets_a_window_you_can_call_in() -> None:
    sydney = replace(SAM, timezone="Australia/Sydney")
    acts = actions(facts(acme(people=(DANA, sydney, KIM))), T)
    call = acts["phone-call:acme:sam:i1"]
    # their 09:00-17:00 is 17:00-01:00 in New York: only 17:00-20:00 of it fits a day here
    cal = WorkCalendar(ZoneInfo("Australia/Sydney"), "AU")
    shared = cal.shared_hours(call.window_start, call.window_end, NY, (8, 20))
    assert shared >= DEFAULT.call_overlap_hours


# --- 6. counter-offers tell the truth ------------------------------------------------------


def _offer_world(**ranks: int) -> list[Action]:
    offer = Offer("o1", at(2026, 11, 16, 10), date(2026, 11, 20))
    globex = Opportunity(
        "globex", "Globex", "Lead", rank=ranks.get("globex", 3), status="offer", offers=(offer,)
    )
    initech = Opportunity(
        "initech",
        "Initech",
        "Lead",
        rank=ranks.get("initech", 2),
        people=(Person("rae", "Rae Kim", "hiring-manager"),),
        interviews=(interview(with_=("rae",)),),
    )
    f = facts(acme(rank=ranks.get("acme", 1)), initech, globex)
    return [a for a in plan(f, DEFAULT, at(2026, 11, 16, 11)) if a.rule == "counter-offer"]


def test_only_the_top_ranked_employer_hears_first_choice() -> None:
    told = {a.opportunity: a for a in _offer_world()}
    assert set(told) == {"acme", "initech"}
    assert "your first choice" in told["acme"].reason
    assert "first choice" not in told["initech"].reason
    assert "one of your top choices" in told["initech"].reason
    swapped = {a.opportunity: a for a in _offer_world(acme=2, initech=1)}
    assert "your first choice" in swapped["initech"].reason
    assert "first choice" not in swapped["acme"].reason


def test_the_counter_offer_is_due_the_same_or_next_working_day_and_asks_in_time() -> None:
    for a in _offer_world():
        # the offer came Mon 16 Nov 10:00 and expires Fri 20 Nov
        assert a.window_start == at(2026, 11, 16, 10)
        assert a.window_end <= at(2026, 11, 17, 17)  # told by the next working day
        answer = datetime.fromisoformat(str((a.params or {})["answer_by"]))
        assert answer - a.window_end >= timedelta(hours=DEFAULT.counter_offer_hours)
        assert answer <= at(2026, 11, 21) - timedelta(hours=DEFAULT.counter_offer_notice_hours)
        shown = answer.astimezone(NY)
        assert f"by {shown:%a} {shown.day} {shown:%b} {shown:%H:%M}" in a.reason


# --- 9. --as-of shows statuses as they were then ------------------------------------------


def test_as_of_a_moment_before_an_action_was_done_it_is_not_done_yet() -> None:
    sent = out(at(2026, 11, 10, 20), "dana", "thank-you")
    f = facts(acme(touches=(sent,)))
    thanks = "thank-you:acme:dana:i1"
    assert actions(f, at(2026, 11, 10, 15))[thanks].status == "due"
    assert actions(f, at(2026, 11, 10, 21))[thanks].status == "done"


@pytest.mark.parametrize("acts_", ["you", "they"])
def test_the_reason_says_who_acts_on_the_date(acts_: str) -> None:
    cb = actions(facts(_named(acts_)), T)["callback:acme:sam:i1-next"]
    assert ("they said they would get back to you" in cb.reason) == (acts_ == "they")
    assert ("they asked you to follow up" in cb.reason) == (acts_ == "you")


def test_the_draft_of_a_they_act_callback_says_they_were_to_decide() -> None:
    from followup.drafts.context import gather
    from followup.drafts.render import environment, render

    f = facts(_named("they"))
    cb = actions(f, at(2026, 11, 23, 10))["callback:acme:sam:i1-next"]
    got = gather(cb._replace(channel="email"), f, at(2026, 11, 23, 10))
    body = render(environment(None), "x", got.data, got.warnings, "to").body
    assert "I understood a decision was due by Friday 20 November" in body
    assert "as we agreed" not in body and "asked you" not in body
    mine = actions(facts(_named("you")), at(2026, 11, 20, 10))["callback:acme:sam:i1-next"]
    got = gather(mine._replace(channel="email"), facts(_named("you")), at(2026, 11, 20, 10))
    assert (
        "We had agreed on Friday 20 November"
        in render(environment(None), "x", got.data, got.warnings, "to").body
    )


def test_an_offer_in_hand_ends_the_asks_to_that_employer() -> None:
    offered = acme(status="offer", offers=(Offer("o1", date(2026, 11, 12), date(2026, 11, 30)),))
    acts = actions(facts(offered), at(2026, 11, 13, 10))
    open_rules = {a.rule for a in pending(acts)}
    assert not open_rules & {"value-add", "phone-call", "continued-interest", "cycle"}
    assert "decide-by" in open_rules  # what is left: deciding on their offer


def test_a_done_callback_releases_the_held_asks_into_the_future_not_the_past() -> None:
    named = _named("they", date(2026, 11, 13))
    said = out(at(2026, 11, 16, 10), "sam", "call", channel="phone")
    acts = actions(facts(replace(named, touches=(said,))), at(2026, 11, 16, 12))
    assert acts["callback:acme:sam:i1-next"].status == "done"
    call = acts["phone-call:acme:dana:i1"]  # due 12-13 Nov, held from the day it was named
    assert call.window_start >= at(2026, 11, 16, 10), call  # not back in the past, overdue
    assert call.status in ("due", "upcoming")
    assert "it waited for the date they named (Fri 13 Nov)" in call.reason
    later = acts["continued-interest:acme:dana:i1"]  # opening after it: untouched
    assert later.window_start >= at(2026, 11, 17, 11)  # (after the call: another day)
    assert "waited" not in later.reason


def test_a_call_to_london_opens_when_both_days_have_begun() -> None:
    london = replace(SAM, timezone="Europe/London")
    acts = actions(facts(acme(people=(DANA, london, KIM))), T)
    call = acts["phone-call:acme:sam:i1"]
    here = call.window_start.astimezone(NY)
    there = call.window_start.astimezone(ZoneInfo("Europe/London"))
    assert here.hour >= DEFAULT.candidate_day_start  # not 04:00 in New York
    assert 9 <= there.hour < 17 and there.weekday() < 5  # inside their business day


def test_as_of_a_past_moment_plans_from_the_facts_of_then() -> None:
    from followup.core.as_of import facts_as_of

    no = Touch(at(2026, 11, 19, 10), "sam", "email", "in", "other", outcome="rejected")
    rejected = facts(acme(status="rejected", touches=(no,)))
    then = at(2026, 11, 12, 10)
    before = {a.id: a.status for a in plan(facts_as_of(rejected, then), DEFAULT, then)}
    assert before["value-add:acme:dana:i1"] in ("due", "upcoming")  # the rejection came later
    assert before["phone-call:acme:sam:i1"] != "replaced"  # their later e-mail did not exist yet
    after = {a.id: a.status for a in plan(rejected, DEFAULT, then)}
    assert "value-add:acme:dana:i1" not in after  # today's facts: the outcome stopped it
