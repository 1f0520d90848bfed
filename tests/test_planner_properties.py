"""Properties of the planner that hold for any facts (Hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followup.core.model import (
    OUTCOMES,
    TOUCH_KINDS,
    ActionDecision,
    Decision,
    Facts,
    Interview,
    Offer,
    Opportunity,
    Person,
    Profile,
    Touch,
)
from followup.core.planner import plan
from followup.core.playbook import DEFAULT
from followup.core.timewin import zone_country

START = datetime(2026, 10, 20, tzinfo=UTC)  # spans the US DST change and Thanksgiving
ZONES = ["America/New_York", "Europe/London", "Asia/Tokyo"]
KINDS = list(TOUCH_KINDS)
SEED = {"thank-you", "value-add", "phone-call", "continued-interest"}
GUARDED = {"cycle", "still-in-running", "set-apart"}

moments = st.integers(0, 60 * 24 * 4).map(lambda q: START + timedelta(minutes=15 * q))
days = st.integers(0, 60).map(lambda d: START.date() + timedelta(days=d))


@st.composite
def opportunities(draw: st.DrawFn, n: int) -> Opportunity:
    roles = draw(
        st.lists(
            st.sampled_from(["hiring-manager", "hr", "recruiter", "panel", "executive", "other"]),
            min_size=1,
            max_size=4,
        )
    )
    people = tuple(
        Person(
            f"p{k}",
            f"Person {k}",
            role,
            has_vote=draw(st.booleans()),
            key=draw(st.booleans()),
            email=f"p{k}@x.test" if draw(st.booleans()) else None,
            phone="+1 555" if draw(st.booleans()) else None,
            timezone=draw(st.sampled_from([None, *ZONES])),
        )
        for k, role in enumerate(roles)
    )
    ids = [p.id for p in people]
    interviews = tuple(
        Interview(
            f"i{k}",
            draw(moments),
            tuple(draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True))),
            draw(st.sampled_from([30, 60, 90])),
        )
        for k in range(draw(st.integers(0, 3)))
    )
    touches = tuple(
        Touch(
            draw(moments),
            draw(st.sampled_from(ids)),
            draw(st.sampled_from(["email", "phone", "linkedin"])),
            draw(st.sampled_from(["out", "in"])),
            draw(st.sampled_from(KINDS)),
            id=f"t{k}",
            states_date=draw(st.one_of(st.none(), days)),
        )
        for k in range(draw(st.integers(0, 6)))
    )
    offers = tuple(
        Offer(f"o{k}", draw(days), draw(st.one_of(st.none(), days)))
        for k in range(draw(st.integers(0, 1)))
    )
    return Opportunity(
        f"o{n}",
        f"Company {n}",
        "Engineer",
        rank=draw(st.one_of(st.none(), st.integers(1, 4))),
        status=draw(
            st.sampled_from(
                ["active", "active", "active", "offer", "rejected", "accepted", "withdrawn"]
            )
        ),
        decision=Decision(expected_by=draw(st.one_of(st.none(), days))),
        people=people,
        interviews=interviews,
        touches=touches,
        offers=offers,
    )


@st.composite
def worlds(draw: st.DrawFn) -> tuple[Facts, datetime]:
    opps = tuple(draw(opportunities(n)) for n in range(draw(st.integers(1, 3))))
    facts = Facts(Profile("Alex", draw(st.sampled_from(ZONES)), "US", 3), opps)
    now = draw(moments)
    # the user's word on some of the actions: skip a few, snooze a few
    ids = sorted(a.id for a in plan(facts, DEFAULT, now))
    chosen = draw(st.lists(st.sampled_from(ids), unique=True, max_size=4)) if ids else []
    decisions = tuple(
        ActionDecision(i, "skipped")
        if draw(st.booleans())
        else ActionDecision(i, "snoozed", draw(moments))
        for i in chosen
    )
    return Facts(facts.profile, opps, (), decisions), now


fast = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(worlds())
def test_nothing_pending_after_an_outcome(world: tuple[Facts, datetime]) -> None:
    facts, now = world
    ended = {o.id for o in facts.opportunities if o.status in OUTCOMES}
    for a in plan(facts, DEFAULT, now):
        if a.opportunity in ended:
            assert a.done_at is not None, a  # done (or replaced) by a touch, nothing pending
            if a.done_at <= now:
                assert a.status in ("done", "replaced"), a


@fast
@given(worlds())
def test_still_in_running_at_most_once_per_opportunity(world: tuple[Facts, datetime]) -> None:
    facts, now = world
    acts = plan(facts, DEFAULT, now)
    for o in facts.opportunities:
        asks = [a for a in acts if a.rule == "still-in-running" and a.opportunity == o.id]
        assert len(asks) <= 1
        asked = (t for t in o.touches if t.kind == "still-in-running" and t.direction == "out")
        if any(t.at <= now for t in asked):
            assert all(a.status == "done" for a in asks)


@fast
@given(worlds())
def test_replanning_is_idempotent(world: tuple[Facts, datetime]) -> None:
    facts, now = world
    first = plan(facts, DEFAULT, now)
    assert plan(facts, DEFAULT, now) == first
    ids = [a.id for a in first]
    assert len(ids) == len(set(ids))


@fast
@given(worlds())
def test_guardrail_spacing_holds(world: tuple[Facts, datetime]) -> None:
    facts, now = world
    acts = plan(facts, DEFAULT, now)
    # measured in real elapsed time: compare UTC moments, never wall clocks
    gap, window = timedelta(days=DEFAULT.person_gap_days), timedelta(days=7)
    for o in facts.opportunities:
        mine = [
            a for a in acts if a.opportunity == o.id and a.done_at is None and a.status != "skipped"
        ]
        logged = [
            (t.at.astimezone(UTC), t.person)
            for t in o.touches
            if t.direction == "out" and t.kind != "counter-offer"
        ]
        planned = [(a.window_start.astimezone(UTC), a.person) for a in mine if a.rule in SEED]
        guarded = [
            (a.window_start.astimezone(UTC), a.person)
            for a in mine
            if a.rule in GUARDED and a.host is None
        ]
        everything = sorted(t for t, _ in logged + planned + guarded)
        for when, person in guarded:
            others = [t for t, p in logged + planned + guarded if p == person and t != when]
            assert all(abs(t - when) >= gap for t in others), (when, person)
            for k in range(len(everything) - 2):
                run = everything[k : k + 3]
                if run[0] <= when <= run[2]:
                    assert run[2] - run[0] >= window, (when, run)


@fast
@given(worlds())
def test_calls_only_in_business_hours_on_working_days(world: tuple[Facts, datetime]) -> None:
    facts, now = world
    contacts = _contacts(facts)
    for a in plan(facts, DEFAULT, now):
        assert a.window_start < a.window_end
        if a.channel != "phone" or a.status in ("done", "skipped") or a.person is None:
            continue
        name, country = contacts[(a.opportunity, a.person)]
        country = country or facts.profile.country
        local = a.window_start.astimezone(ZoneInfo(name))
        assert local.weekday() < 5, a
        assert local.date() not in holidays.country_holidays(country, years=local.year), a
        assert 9 <= local.hour < 17, a


def _contacts(facts: Facts) -> dict[tuple[str, str], tuple[str, str | None]]:
    """(opportunity, person) -> the zone and country of their calendar: their own zone and its
    country, else the candidate's zone and country."""
    return {
        (o.id, p.id): (p.timezone, zone_country(p.timezone))
        if p.timezone
        else (facts.profile.timezone, facts.profile.country)
        for o in facts.opportunities
        for p in o.people
    }


#: windows that are not the contact's business days: the thank-you's 24 hours, the counter-offer
#: (to the hour, before the offer expires) and the candidate's own actions
_OWN_HOURS = frozenset({"thank-you", "counter-offer", "keep-searching", "decide-by"})


@fast
@given(worlds())
def test_employer_facing_windows_keep_to_business_days_and_hours(
    world: tuple[Facts, datetime],
) -> None:
    """Every pending window a contact sees, but the thank-you's, opens and closes within their
    business hours on their working days: never at midnight, never ending on a weekend."""
    facts, now = world
    contacts = _contacts(facts)
    for a in plan(facts, DEFAULT, now):
        if a.rule in _OWN_HOURS or a.done_at is not None or a.person is None:
            continue
        name, country = contacts[(a.opportunity, a.person)]
        off = holidays.country_holidays(country or facts.profile.country, years=range(2025, 2029))
        start = a.window_start.astimezone(ZoneInfo(name))
        last = (a.window_end - timedelta(seconds=1)).astimezone(ZoneInfo(name))
        for moment in (start, last):
            assert moment.weekday() < 5 and moment.date() not in off, a
            assert 9 <= moment.hour < 17, a


def test_generated_worlds_cover_every_rule() -> None:
    """A guard against a generator too weak to reach the rules the properties speak of."""
    seen: set[str] = set()

    @settings(max_examples=300, deadline=None, database=None)
    @given(worlds())
    def collect(world: tuple[Facts, datetime]) -> None:
        seen.update(a.rule for a in plan(*world[:1], DEFAULT, world[1]))

    collect()
    assert {
        "thank-you",
        "phone-call",
        "cycle",
        "still-in-running",
        "counter-offer",
        "callback",
    } <= seen
