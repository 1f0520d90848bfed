"""A touch logged for an action (`followup done`) completes exactly that action: the stored
link, not a guess from the touch's kind and time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from followup.core.model import Facts, Interview, Opportunity, Person, Profile, Touch
from followup.core.planner import completing_touch, plan
from followup.core.playbook import Playbook

T1 = datetime(2030, 3, 4, 14, 0, tzinfo=UTC)  # a Monday
T2 = T1 + timedelta(days=2)
DANA = Person("dana", "Dana Lee", "hiring-manager", email="dana@acme.example")
SAM = Person("sam", "Sam Ortiz", "panel")


def _facts(second_with: tuple[str, ...], *touches: Touch) -> Facts:
    opp = Opportunity(
        "acme",
        "Acme",
        "Engineer",
        people=(DANA, SAM),
        interviews=(Interview("i1", T1, ("dana",)), Interview("i2", T2, second_with)),
        touches=touches,
    )
    return Facts(profile=Profile(timezone="UTC"), opportunities=(opp,))


def _status(facts: Facts, action_id: str, now: datetime) -> str:
    return next(a.status for a in plan(facts, Playbook(), now) if a.id == action_id)


def test_a_late_thank_you_logged_for_the_first_interview_completes_it() -> None:
    """Sam alone met the candidate in the second interview; the candidate, late, thanks Dana
    for the first one. The touch comes after the second interview began, yet it was logged
    for the first thank-you, so that is the one it completes (by kind and time alone it
    would have been taken for a follow-up of the second interview)."""
    now = T2 + timedelta(hours=3)
    before = plan(_facts(("sam",)), Playbook(), now)
    action = next(a for a in before if a.id == "thank-you:acme:dana:i1")
    assert action.status == "overdue"
    touch = completing_touch(action, now)
    assert (touch.completes, touch.completes_rule) == ("thank-you:acme:dana:i1", "thank-you")
    after = _facts(("sam",), touch)
    assert _status(after, "thank-you:acme:dana:i1", now) == "done"
    assert _status(after, "thank-you:acme:sam:i2", now) == "due"


def test_the_same_touch_without_the_link_did_not_complete_it() -> None:
    now = T2 + timedelta(hours=3)
    by_hand = Touch(now, "dana", "email", "out", "thank-you")
    assert _status(_facts(("sam",), by_hand), "thank-you:acme:dana:i1", now) == "overdue"


def test_a_thank_you_logged_by_hand_counts_for_the_latest_interview() -> None:
    now = T2 + timedelta(hours=3)
    by_hand = Touch(now, "dana", "email", "out", "thank-you")
    assert _status(_facts(("sam", "dana"), by_hand), "thank-you:acme:dana:i2", now) == "done"
