"""Small builders for planner tests: one realistic opportunity, changed field by field."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from followup.core.model import (
    Action,
    Facts,
    Interview,
    Opportunity,
    Person,
    Profile,
    Touch,
)
from followup.core.planner import plan
from followup.core.playbook import DEFAULT

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")

DANA = Person("dana", "Dana Lee", "hiring-manager", email="dana@acme.test", phone="+1 212 555 0101")
SAM = Person("sam", "Sam Ortiz", "recruiter", email="sam@acme.test", phone="+1 212 555 0102")
KIM = Person("kim", "Kim Park", "panel", email="kim@acme.test")
RAY = Person("ray", "Ray Chen", "panel", has_vote=False)


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0, tz: ZoneInfo = NY) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=tz)


def interview(
    id_: str = "i1",
    when: datetime | None = None,
    with_: tuple[str, ...] = ("dana", "kim"),
    **kw: object,
) -> Interview:
    notes = {
        "dana": "Scaling the data platform team. Kafka migration next year",
        "kim": "On-call load and incident reviews",
    }
    return Interview(id_, when or at(2026, 11, 10, 10), with_, notes=notes, **kw)  # type: ignore[arg-type]


def acme(**kw: object) -> Opportunity:
    base = Opportunity(
        "acme",
        "Acme",
        "Data Platform Lead",
        rank=1,
        people=(DANA, SAM, KIM, RAY),
        interviews=(interview(),),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def facts(*opps: Opportunity, **kw: object) -> Facts:
    profile = Profile("Alex Morgan", "America/New_York", "US", weekly_target=0)
    return Facts(profile, opps or (acme(),), **kw)  # type: ignore[arg-type]


def out(when: datetime, person: str, kind: str, channel: str = "email", **kw: object) -> Touch:
    return Touch(when, person, channel, "out", kind, **kw)  # type: ignore[arg-type]


def inbound(when: datetime, person: str, **kw: object) -> Touch:
    return Touch(when, person, "email", "in", "other", **kw)  # type: ignore[arg-type]


def actions(f: Facts, now: datetime, pb=DEFAULT) -> dict[str, Action]:  # type: ignore[no-untyped-def]
    return {a.id: a for a in plan(f, pb, now)}


def by_rule(f: Facts, now: datetime, rule: str, pb=DEFAULT) -> list[Action]:  # type: ignore[no-untyped-def]
    return [a for a in plan(f, pb, now) if a.rule == rule]


__all__ = ["LONDON", "NY", "date"]
