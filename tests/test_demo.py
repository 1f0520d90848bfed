"""The demo job search: a valid document whatever the day, with the shape the plan relies on."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from followup.core.interchange import dump_document, parse_document
from followup.core.model import Facts, Opportunity
from followup.core.planner import plan
from followup.core.playbook import Playbook
from followup.demo import demo_document
from followup.errors import UsageError

TODAYS = [
    date(2026, 11, 4),  # a Wednesday
    date(2026, 11, 9),  # a Monday: yesterday was a Sunday
    date(2026, 11, 7),  # a Saturday
    date(2026, 3, 8),  # clocks go forward in the US
    date(2026, 11, 1),  # clocks go back in the US
    date(2024, 2, 29),
    date(2026, 12, 31),
    date(2027, 1, 1),
]
CASES = [(today, "America/New_York") for today in TODAYS] + [
    (date(2026, 10, 25), "Europe/Berlin"),
    (date(2026, 6, 15), "Asia/Tokyo"),
    (date(2026, 4, 5), "Pacific/Auckland"),
]


def demo_facts(today: date, tz: str = "America/New_York") -> Facts:
    facts, problems = parse_document(demo_document(today, tz))
    assert problems == []
    assert facts is not None
    return facts


def local_day(value: date | datetime, tz: str) -> date:
    return value.astimezone(ZoneInfo(tz)).date() if isinstance(value, datetime) else value


@pytest.mark.parametrize(("today", "tz"), CASES)
def test_demo_is_a_valid_document_in_canonical_form(today: date, tz: str) -> None:
    doc = demo_document(today, tz)
    facts, problems = parse_document(json.loads(json.dumps(doc)))
    assert problems == []
    assert facts is not None
    assert dump_document(facts) == doc  # what `followup export` would write back


@pytest.mark.parametrize(("today", "tz"), CASES)
def test_demo_has_the_promised_shape(today: date, tz: str) -> None:
    facts = demo_facts(today, tz)
    profile = facts.profile
    assert (profile.name, profile.country, profile.weekly_target, profile.timezone) == (
        "Alex Morgan",
        "US",
        5,
        tz,
    )
    opps = sorted(facts.opportunities, key=lambda o: o.rank or 0)
    assert [o.rank for o in opps] == [1, 2, 3]
    assert len({o.company for o in opps}) == 3
    roles = {p.role for o in opps for p in o.people}
    assert {"hiring-manager", "panel", "executive"} <= roles
    assert roles & {"hr", "recruiter"}
    assert all(1 <= len(o.interviews) <= 2 for o in opps)

    deciding = [o for o in opps if o.decision and o.decision.expected_by]
    assert len(deciding) == 1
    decision = deciding[0].decision
    assert decision is not None
    assert decision.expected_by is not None
    assert local_day(decision.expected_by, tz) > today

    offered = [o for o in opps if o.offers]
    assert [o.rank for o in offered] == [3]
    offer = offered[0].offers[0]
    assert local_day(offer.received, tz) == today - timedelta(days=1)
    assert offer.expires is not None
    assert local_day(offer.expires, tz) == today + timedelta(days=5)

    assert len(facts.achievements) == 1
    achievement = facts.achievements[0]
    assert local_day(achievement.at, tz) == today - timedelta(days=2)
    assert [o.rank for o in opps if _relates(achievement.tags, o)] == [1]


@pytest.mark.parametrize(("today", "tz"), CASES)
def test_each_interviewer_discussed_something_different(today: date, tz: str) -> None:
    facts = demo_facts(today, tz)
    notes: list[str] = []
    for opp in facts.opportunities:
        for interview in opp.interviews:
            assert set(interview.notes) == set(interview.with_)
            notes.extend(interview.notes.values())
    assert len(notes) == len(set(notes)) >= 8
    assert all(len(n) > 60 for n in notes)
    assert "lorem" not in json.dumps(demo_document(today, tz)).lower()


@pytest.mark.parametrize(("today", "tz"), CASES)
def test_the_past_is_in_the_past_and_meetings_are_in_office_hours(today: date, tz: str) -> None:
    facts = demo_facts(today, tz)
    zone = ZoneInfo(tz)
    start_of_today = datetime.combine(today, time(0), zone)
    for opp in facts.opportunities:
        for interview in opp.interviews:
            local = interview.at.astimezone(zone)
            assert local.weekday() < 5
            assert 9 <= local.hour < 17
        first_interview = min(i.at for i in opp.interviews)
        moments = [t.at for t in opp.touches]
        assert moments == sorted(moments)
        assert all(first_interview < m < start_of_today for m in moments)


@pytest.mark.parametrize(("today", "tz"), CASES)
def test_touches_already_logged(today: date, tz: str) -> None:
    facts = demo_facts(today, tz)
    touches = [t for o in facts.opportunities for t in o.touches]
    assert any(t.direction == "out" and t.kind == "thank-you" for t in touches)
    named = [t for t in touches if t.direction == "in" and t.states_date is not None]
    assert len(named) == 1
    assert named[0].states_date is not None
    assert local_day(named[0].states_date, tz) > today


def test_the_plan_is_live_on_the_day_it_is_loaded() -> None:
    """On a Wednesday morning: thank-yous owed, both preferred employers to tell of the offer."""
    today = date(2026, 11, 4)
    facts = demo_facts(today)
    now = datetime.combine(today, time(9), ZoneInfo("America/New_York"))
    actions = plan(facts, Playbook(), now)

    counter = {(a.opportunity, a.status) for a in actions if a.rule == "counter-offer"}
    assert counter == {("brightline", "due"), ("northwind", "due")}
    thanks = {a.person for a in actions if a.rule == "thank-you" and a.status == "due"}
    assert thanks == {"dana", "priya", "tom", "elena"}
    assert any(a.rule == "callback" and a.opportunity == "northwind" for a in actions)
    assert any(a.rule == "set-apart" and a.opportunity == "brightline" for a in actions)


def _relates(tags: tuple[str, ...], opp: Opportunity) -> bool:
    """Whether an achievement's tags name something of this job (its role or what was said)."""
    text = " ".join([opp.role, *(n for i in opp.interviews for n in i.notes.values())])
    return any(tag.lower() in text.lower() for tag in tags)


def test_an_unknown_time_zone_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="'Mars/Olympus' is not an IANA time zone name"):
        demo_document(date(2026, 11, 4), "Mars/Olympus")
