"""The playbook's settings: every number the planner uses, declared once with its default and help.

``SETTINGS`` drives validation of the user's TOML file, ``followup playbook`` and the docs.
A user file looks like::

    [playbook]
    thank_you_hours = 24
    cycle_min_days = 7
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Final


@dataclass(frozen=True, slots=True)
class Playbook:
    next_step_lead_days: int = 1
    thank_you_hours: int = 24
    value_add_start_days: int = 1
    value_add_end_days: int = 5
    phone_call_start_business_days: int = 1
    phone_call_end_days: int = 5
    continued_interest_start_days: int = 7
    continued_interest_end_days: int = 10
    cycle_min_days: int = 7
    cycle_max_days: int = 12
    callback_window_hours: int = 24
    still_in_running_after_days: int = 21
    still_in_running_window_days: int = 5
    counter_offer_hours: int = 24
    counter_offer_notice_hours: int = 48
    set_apart_days: int = 7
    missed_after_days: int = 3
    offer_decide_days: int = 2
    withdrawal_days: int = 2
    weekly_target: int = 5
    thin_pipeline: int = 3
    person_gap_days: int = 3
    call_min_business_days: int = 2
    opportunity_max_touches: int = 2
    opportunity_window_days: int = 7
    business_hours_start: int = 9
    business_hours_end: int = 17
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday = 0
    candidate_day_start: int = 8
    candidate_day_end: int = 20
    call_overlap_hours: int = 2
    cycle_channels: tuple[str, ...] = ("email", "phone", "linkedin")

    def fingerprint(self) -> str:
        """A short hash of every setting: part of the plan cache key."""
        import hashlib

        text = json.dumps(asdict(self), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


#: name -> one-line help, in the order `followup playbook` prints them.
HELP: Final[dict[str, str]] = {
    "next_step_lead_days": "next-step: remind this many days before an interview starts",
    "thank_you_hours": "thank-you: due within this many hours of the interview's end",
    "value_add_start_days": "value-add: window opens this many days after the interview",
    "value_add_end_days": "value-add: window closes this many days after the interview",
    "phone_call_start_business_days": "phone-call: window opens after this many business days",
    "phone_call_end_days": "phone-call: window closes this many days after the interview",
    "continued_interest_start_days": "continued-interest: window opens (days after interview)",
    "continued_interest_end_days": "continued-interest: window closes (days after interview)",
    "cycle_min_days": "cycle: next touch no sooner than this many days after the last one",
    "cycle_max_days": "cycle: next touch no later than this many days after the last one",
    "callback_window_hours": "callback: hours to act on a date the employer named",
    "still_in_running_after_days": "still-in-running: days of silence after the last interview",
    "still_in_running_window_days": "still-in-running: days the question stays due",
    "counter_offer_hours": "counter-offer: hours they get to answer, after you told them",
    "counter_offer_notice_hours": "counter-offer: their answer is due this many hours before "
    "your offer expires",
    "set_apart_days": "set-apart: share a new achievement within this many days",
    "missed_after_days": "an action still open this many working days after its window "
    "closed is missed: shown once, never blocking",
    "offer_decide_days": "decide-by: remind you this many working days before an offer expires",
    "withdrawal_days": "withdrawal: working days to withdraw elsewhere once you accept an offer",
    "weekly_target": "keep-searching: new applications per week (the profile may override)",
    "thin_pipeline": "keep-searching: warn when fewer active opportunities than this",
    "person_gap_days": "guardrail: days between proactive touches to the same person",
    "call_min_business_days": "phone-call: the hiring manager's call window spans at least "
    "this many working days",
    "opportunity_max_touches": "guardrail: proactive touches per opportunity per window",
    "opportunity_window_days": "guardrail: that window, in days",
    "business_hours_start": "calls: first hour of business (contact's time zone)",
    "business_hours_end": "calls: business ends at this hour (contact's time zone)",
    "working_days": "calls: working weekdays, Monday = 0",
    "candidate_day_start": "calls: your own day starts at this hour (your time zone)",
    "candidate_day_end": "calls: your own day ends at this hour (your time zone)",
    "call_overlap_hours": "calls: a contact in another time zone gets a window holding at "
    "least this many hours inside both their business hours and your day",
    "cycle_channels": "cycle: channels to rotate through, in order",
}

DEFAULT: Final = Playbook()


def settings(playbook: Playbook) -> list[tuple[str, Any, Any, str]]:
    """(name, value, default, help) for every setting, in declaration order."""
    return [
        (f.name, getattr(playbook, f.name), getattr(DEFAULT, f.name), HELP[f.name])
        for f in fields(Playbook)
    ]


def from_mapping(values: dict[str, Any], where: str = "playbook") -> tuple[Playbook, list[str]]:
    """Build a playbook from a mapping (the ``[playbook]`` table of a TOML file).

    Returns the playbook and a list of problems; on any problem the defaults stand for the
    faulty names and the caller decides whether to refuse.
    """
    problems: list[str] = []
    changes: dict[str, Any] = {}
    known = {f.name: f for f in fields(Playbook)}
    for name, value in values.items():
        if name not in known:
            problems.append(f"{where}.{name}: unknown setting (see `followup playbook`)")
            continue
        default = getattr(DEFAULT, name)
        if isinstance(default, tuple):
            if not isinstance(value, list) or not value:
                problems.append(f"{where}.{name}: expected a non-empty list, got {value!r}")
                continue
            changes[name] = tuple(value)
        elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
            problems.append(f"{where}.{name}: expected a whole number >= 0, got {value!r}")
        else:
            changes[name] = value
    playbook = replace(DEFAULT, **changes)
    problems.extend(_check(playbook, where))
    return (playbook if not problems else DEFAULT), problems


#: every whole-number setting's bounds (name -> (min, max)): a plan stays within the years a
#: plan can hold, the planner's day-by-day counts end quickly, and advice stays advice (a
#: thank-you "within 10 years" is not one)
BOUNDS: Final = {
    "next_step_lead_days": (0, 14),
    "thank_you_hours": (1, 168),
    "value_add_start_days": (0, 30),
    "value_add_end_days": (1, 60),
    "phone_call_start_business_days": (0, 20),
    "phone_call_end_days": (1, 60),
    "continued_interest_start_days": (1, 60),
    "continued_interest_end_days": (2, 90),
    "cycle_min_days": (1, 60),
    "cycle_max_days": (2, 90),
    "callback_window_hours": (1, 168),
    "still_in_running_after_days": (1, 180),
    "still_in_running_window_days": (1, 30),
    "counter_offer_hours": (1, 168),
    "counter_offer_notice_hours": (0, 336),
    "set_apart_days": (1, 60),
    # the planner counts these working days one by one: a huge value would never end
    "missed_after_days": (1, 30),
    "offer_decide_days": (0, 10),
    "withdrawal_days": (1, 10),
    "weekly_target": (0, 100),
    "thin_pipeline": (0, 100),
    "person_gap_days": (0, 30),
    "call_min_business_days": (1, 10),
    "opportunity_max_touches": (1, 20),
    "opportunity_window_days": (1, 60),
    "business_hours_start": (0, 23),
    "business_hours_end": (1, 24),
    "candidate_day_start": (0, 23),
    "candidate_day_end": (1, 24),
    "call_overlap_hours": (1, 8),
}
#: the channels a keep-in-touch touch can rotate through
CYCLE_CHANNELS: Final = ("email", "phone", "linkedin", "letter", "in-person")


def _check(p: Playbook, where: str) -> list[str]:
    out = []
    for name, (low, high) in BOUNDS.items():
        if not low <= getattr(p, name) <= high:
            out.append(f"{where}.{name} must be between {low} and {high}, got {getattr(p, name)}")
    pairs = [
        ("value_add_start_days", "value_add_end_days"),
        ("continued_interest_start_days", "continued_interest_end_days"),
        ("cycle_min_days", "cycle_max_days"),
        ("business_hours_start", "business_hours_end"),
        ("candidate_day_start", "candidate_day_end"),
    ]
    for lo, hi in pairs:
        if getattr(p, lo) >= getattr(p, hi):
            out.append(f"{where}.{lo} must be smaller than {where}.{hi}")
    days = p.working_days
    if any(type(d) is not int or not 0 <= d <= 6 for d in days) or len(set(days)) != len(days):
        out.append(
            f"{where}.working_days: weekdays are 0 (Monday) to 6 (Sunday), each once, got "
            f"{list(days)!r}"
        )
    wrong = [c for c in p.cycle_channels if c not in CYCLE_CHANNELS]
    if wrong:
        out.append(
            f"{where}.cycle_channels: unknown channel {wrong[0]!r} (known: "
            f"{', '.join(CYCLE_CHANNELS)})"
        )
    return out
