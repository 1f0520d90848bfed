"""The demo job search: a valid document whatever the moment, with the shape the plan relies on,
and a believable `followup today` on every day of the week and at any hour."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from followup.core.interchange import dump_document, parse_document
from followup.core.model import Action, Facts, Opportunity
from followup.core.planner import plan
from followup.core.playbook import Playbook
from followup.core.timewin import public_holidays
from followup.demo import demo_document, story_moment
from followup.errors import UsageError
from test_cli_support import Cli

NEW_YORK = "America/New_York"
TODAYS = [
    date(2026, 11, 4),  # a Wednesday
    date(2026, 11, 9),  # a Monday: yesterday was a Sunday
    date(2026, 11, 7),  # a Saturday
    date(2026, 3, 8),  # clocks go forward in the US
    date(2026, 11, 1),  # clocks go back in the US
    date(2024, 2, 29),
    date(2026, 11, 27),  # the day after Thanksgiving
    date(2026, 12, 31),
    date(2027, 1, 1),  # a public holiday
]
CASES = [(today, NEW_YORK) for today in TODAYS] + [
    (date(2026, 10, 25), "Europe/Berlin"),
    (date(2026, 6, 15), "Asia/Tokyo"),
    (date(2026, 4, 5), "Pacific/Auckland"),
    (date(2026, 12, 29), "Pacific/Auckland"),  # between Christmas and New Year holidays
]
#: a week, Monday to Sunday, and hours across the day (before office hours, during, after)
WEEK = [date(2026, 11, 30) + timedelta(days=n) for n in range(7)]
HOURS = [time(0, 30), time(8), time(10, 15), time(13), time(15, 45), time(16, 30), time(21)]
PANEL = ("dana", "priya", "tom", "elena")
OPEN = ("due", "upcoming")
LATE = ("overdue", "missed")


def demo_facts(now: date | datetime, tz: str = NEW_YORK) -> Facts:
    facts, problems = parse_document(demo_document(now, tz))
    assert problems == []
    assert facts is not None
    return facts


def local_day(value: date | datetime, tz: str) -> date:
    return value.astimezone(ZoneInfo(tz)).date() if isinstance(value, datetime) else value


def working(day: date, tz: str) -> bool:
    from followup.core.timewin import zone_country

    return day.weekday() < 5 and day not in public_holidays(zone_country(tz) or "US", day.year)


def opp(facts: Facts, opp_id: str) -> Opportunity:
    found = facts.opportunity(opp_id)
    assert found is not None
    return found


@pytest.mark.parametrize(("today", "tz"), CASES)
def test_demo_is_a_valid_document_in_canonical_form(today: date, tz: str) -> None:
    for now in (today, datetime.combine(today, time(17, 30), ZoneInfo(tz))):
        doc = demo_document(now, tz)
        facts, problems = parse_document(json.loads(json.dumps(doc)))
        assert problems == []
        assert facts is not None
        assert dump_document(facts) == doc  # what `followup export` would write back


def test_a_day_means_its_morning() -> None:
    morning = datetime(2026, 11, 4, 9, tzinfo=ZoneInfo(NEW_YORK))
    assert story_moment(date(2026, 11, 4), NEW_YORK) == morning
    assert story_moment(datetime(2026, 11, 4, 14, tzinfo=UTC), NEW_YORK) == morning
    assert story_moment(datetime(2026, 11, 4, 9), NEW_YORK) == morning  # naive: their clock
    assert demo_document(date(2026, 11, 4)) == demo_document(morning)


@pytest.mark.parametrize(("today", "tz"), CASES)
def test_demo_has_the_promised_shape(today: date, tz: str) -> None:
    now = story_moment(today, tz)
    facts = demo_facts(today, tz)
    profile = facts.profile
    country = {"Europe/Berlin": "DE", "Asia/Tokyo": "JP", "Pacific/Auckland": "NZ"}.get(tz, "US")
    assert (profile.name, profile.country, profile.weekly_target, profile.timezone) == (
        "Alex Morgan",
        country,
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
    assert working(local_day(decision.expected_by, tz), tz)

    offered = [o for o in opps if o.offers]
    assert [o.rank for o in offered] == [3]
    offer = offered[0].offers[0]
    assert isinstance(offer.received, datetime)
    received = offer.received.astimezone(ZoneInfo(tz))
    assert received < now
    assert now - received < timedelta(days=6)  # the offer is news
    assert working(received.date(), tz) and 9 <= received.hour < 17
    assert offer.expires is not None
    expires = local_day(offer.expires, tz)
    assert working(expires, tz)
    assert timedelta(days=7) <= expires - received.date() <= timedelta(days=12)

    assert len(facts.achievements) == 1
    achievement = facts.achievements[0]
    assert local_day(achievement.at, tz) == today - timedelta(days=2)
    assert [o.rank for o in opps if _relates(achievement.tags, o)] == [1]


@pytest.mark.parametrize(("today", "tz"), CASES)
def test_each_interviewer_discussed_something_different(today: date, tz: str) -> None:
    facts = demo_facts(today, tz)
    notes: list[str] = []
    for o in facts.opportunities:
        for interview in o.interviews:
            assert set(interview.notes) == set(interview.with_)
            notes.extend(interview.notes.values())
    assert len(notes) == len(set(notes)) >= 8
    assert all(len(n) > 60 for n in notes)
    assert "lorem" not in json.dumps(demo_document(today, tz)).lower()


@pytest.mark.parametrize(("today", "tz"), CASES)
@pytest.mark.parametrize("clock", [time(7), time(12), time(19)])
def test_the_past_is_in_the_past_and_meetings_are_on_working_days(
    today: date, tz: str, clock: time
) -> None:
    now = datetime.combine(today, clock, ZoneInfo(tz))
    facts = demo_facts(now, tz)
    zone = ZoneInfo(tz)
    for o in facts.opportunities:
        for interview in o.interviews:
            local = interview.at.astimezone(zone)
            assert working(local.date(), tz), (o.id, interview.id, local)
            assert 9 <= local.hour < 17
            assert interview.at + timedelta(minutes=interview.duration_minutes) <= now
        first_interview = min(i.at for i in o.interviews)
        moments = [t.at for t in o.touches]
        assert moments == sorted(moments)
        assert all(first_interview < m < now for m in moments)
        assert all(
            local_day(i.next_step.when, tz) > local_day(i.at, tz)
            and working(local_day(i.next_step.when, tz), tz)
            for i in o.interviews
            if i.next_step is not None
        )


@pytest.mark.parametrize(("today", "tz"), CASES)
def test_hr_named_a_coming_working_day(today: date, tz: str) -> None:
    facts = demo_facts(today, tz)
    touches = [t for o in facts.opportunities for t in o.touches]
    assert any(t.direction == "out" and t.kind == "thank-you" for t in touches)
    named = [t for t in touches if t.direction == "in" and t.states_date is not None]
    assert len(named) == 1
    assert named[0].states_date is not None
    day = local_day(named[0].states_date, tz)
    assert today < day <= today + timedelta(days=5)
    assert working(day, tz)
    assert day.strftime("%A") in (named[0].summary or "")


def test_the_plan_is_live_on_the_day_it_is_loaded() -> None:
    """On a Wednesday before noon: thank-yous owed, both preferred employers to tell of the
    offer that came this morning."""
    today = date(2026, 11, 4)
    now = datetime.combine(today, time(11), ZoneInfo(NEW_YORK))
    facts = demo_facts(now)
    actions = plan(facts, Playbook(), now)

    counter = {(a.opportunity, a.status) for a in actions if a.rule == "counter-offer"}
    assert counter == {("brightline", "due"), ("northwind", "due")}
    thanks = {a.person for a in actions if a.rule == "thank-you" and a.status == "due"}
    assert thanks == set(PANEL)
    assert any(a.rule == "callback" and a.opportunity == "northwind" for a in actions)
    assert any(a.rule == "set-apart" and a.opportunity == "brightline" for a in actions)


# -- a coherent story on every day of the week ----------------------------------------------


def assert_believable(actions: list[Action], when: str) -> None:
    """What a coach would sign: nothing piled up, the panel thanked or about to be, the offer
    told or about to be, HR's call back ahead, and something to do now or soon."""
    late = [a.id for a in actions if a.status in LATE]
    assert len(late) <= 2, (when, late)
    thanks = {a.person: a.status for a in actions if a.id.startswith("thank-you:brightline:")}
    assert set(thanks) == set(PANEL), when
    assert set(thanks.values()) in ({"done"}, {"due"}, {"due", "upcoming"}), (when, thanks)
    counter = {a.opportunity: a.status for a in actions if a.rule == "counter-offer"}
    assert counter.get("brightline") in ("due", "done"), (when, counter)
    assert set(counter.values()) <= {"due", "done", "replaced"}, (when, counter)
    callbacks = [a for a in actions if a.rule == "callback" and a.opportunity == "northwind"]
    assert any(a.person == "jordan" and a.status in OPEN for a in callbacks), (when, callbacks)
    pending = [a for a in actions if a.status in OPEN and a.rule != "keep-searching"]
    assert pending, when


@pytest.mark.parametrize("day", WEEK, ids=lambda d: d.strftime("%a"))
@pytest.mark.parametrize("tz", [NEW_YORK, "Europe/Berlin", "Pacific/Auckland"])
def test_every_day_of_the_week_tells_a_believable_story(day: date, tz: str) -> None:
    for clock in HOURS:
        now = datetime.combine(day, clock, ZoneInfo(tz))
        assert_believable(plan(demo_facts(now, tz), Playbook(), now), now.isoformat())


def test_thank_yous_are_due_after_a_panel_and_sent_by_monday() -> None:
    """Tuesday to Saturday morning the panel was within a day: the thank-yous are due. On
    Sunday and Monday morning it was on Friday: Alex sent them that evening."""
    statuses = {}
    for day in WEEK:
        now = datetime.combine(day, time(10), ZoneInfo(NEW_YORK))
        actions = plan(demo_facts(now), Playbook(), now)
        statuses[day.strftime("%a")] = {a.status for a in actions if a.rule == "thank-you"} - {
            "done"
        }
    assert statuses == {
        "Mon": set(),
        "Tue": {"due"},
        "Wed": {"due"},
        "Thu": {"due"},
        "Fri": {"due"},
        "Sat": {"due"},
        "Sun": set(),
    }


def test_followup_today_after_followup_demo_on_each_day(tmp_path: Path) -> None:
    """The command line end to end: `followup demo`, then `followup today`, on seven
    consecutive days (the clock injected), including a Saturday and a Sunday."""
    for day in WEEK:
        now = datetime.combine(day, time(11), ZoneInfo(NEW_YORK)).astimezone(UTC)
        run = Cli(tmp_path / f"{day.isoformat()}.db", now)
        run("demo")
        shown: list[dict[str, Any]] = run.json("today", "--json")
        statuses = [a["status"] for a in shown]
        rules = {a["id"]: a["rule"] for a in shown}
        late = [a["id"] for a in shown if a["status"] in LATE]
        assert len(late) <= 2, (day, late)
        assert not any(rules[i] == "thank-you" for i in late), day
        assert any(s in OPEN for s in statuses), day
        assert "Overdue" not in run("today").stdout or late, day


def _relates(tags: tuple[str, ...], o: Opportunity) -> bool:
    """Whether an achievement's tags name something of this job (its role or what was said)."""
    text = " ".join([o.role, *(n for i in o.interviews for n in i.notes.values())])
    return any(tag.lower() in text.lower() for tag in tags)


def test_an_unknown_time_zone_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="'Mars/Olympus' is not an IANA time zone name"):
        demo_document(date(2026, 11, 4), "Mars/Olympus")
