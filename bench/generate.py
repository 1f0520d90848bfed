"""Synthetic job searches in the interchange format, for benchmarks and load tests.

``generate(n, seed=..., now=...)`` returns a version-1 interchange document (a dict) with ``n``
opportunities, each with about five people, two interviews and about twenty touches spread over
the 60 days before ``now``. ``now`` is a parameter, never the clock, so the same arguments give
the same document byte for byte.

Command line::

    python bench/generate.py 1000 --seed 7 --now 2025-03-14T10:00:00+00:00 > big.json
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

#: The reference moment when none is given: fixed, so that runs are reproducible.
DEFAULT_NOW = "2025-03-14T10:00:00+00:00"
HISTORY_DAYS = 60

_PREFIXES = (
    "Acme", "Blue", "North", "Bright", "Cedar", "Delta", "Ember", "Granite", "Harbor", "Iris",
    "Juniper", "Kite", "Lumen", "Maple", "Nimbus", "Orbit", "Pine", "Quartz", "River", "Summit",
)  # fmt: skip
_SUFFIXES = (
    "Labs", "Systems", "Health", "Robotics", "Analytics", "Logistics", "Foods", "Energy",
    "Software", "Bank", "Media", "Works",
)  # fmt: skip
_ROLES = (
    "Staff Engineer", "Product Manager", "Data Scientist", "Engineering Manager",
    "Designer", "Site Reliability Engineer", "Solutions Architect",
)  # fmt: skip
_FIRST = (
    "Dana", "Sam", "Priya", "Luis", "Mei", "Omar", "Ana", "Tom", "Ines", "Kofi", "Yuki", "Eva",
    "Raj", "Lena", "Noah", "Zoe", "Ivan", "Maya", "Theo", "Sara",
)  # fmt: skip
_LAST = (
    "Lee", "Ng", "Patel", "Garcia", "Chen", "Haddad", "Silva", "Berg", "Costa", "Mensah",
    "Sato", "Novak", "Rao", "Fischer", "Khan", "Moreau",
)  # fmt: skip
_TIMEZONES = (
    "America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London",
    "Europe/Berlin", "Asia/Tokyo",
)  # fmt: skip
_TOPICS = (
    "the migration to event sourcing", "on-call load", "the pricing experiment",
    "hiring plans for Q3", "the data platform roadmap", "customer churn in EMEA",
    "the mobile rewrite", "latency budgets",
)  # fmt: skip
_SOURCES = ("referral", "linkedin", "company site", "recruiter", "job board")
_CHANNELS_OUT = ("email", "email", "email", "phone", "linkedin", "letter")
_CHANNELS_IN = ("email", "email", "phone", "linkedin")
_KINDS_OUT = ("thank-you", "value-add", "call", "continued-interest", "check-in", "other")
_KINDS_IN = ("check-in", "other")
#: Roles of an opportunity's people besides the hiring manager and the recruiter.
_OTHER_ROLES = ("panel", "panel", "panel", "executive", "hr", "other")
#: Status of each opportunity without an offer, with weights: most are still open.
_STATUSES = (("active", 75), ("rejected", 13), ("withdrawn", 6), ("closed", 6))
#: One opportunity in this many holds an offer, and one in RANKED_ONE_IN is ranked: a candidate
#: holds few offers and ranks only favourites (each offer asks every better-ranked employer for
#: an answer, so these two set the number of counter-offer actions).
OFFER_ONE_IN = 200
RANKED_ONE_IN = 20


@dataclass(frozen=True)
class _Person:
    id: str
    name: str
    role: str
    timezone: str


def generate(n: int, *, seed: int = 0, now: datetime | None = None) -> dict[str, Any]:
    """A valid interchange document with ``n`` synthetic opportunities.

    Every moment is at or before ``now`` (default :data:`DEFAULT_NOW`) and within the
    :data:`HISTORY_DAYS` before it, so a plan computed as of ``now`` sees a realistic mix of
    overdue, due and upcoming actions.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    now = now or datetime.fromisoformat(DEFAULT_NOW)
    if now.tzinfo is None:
        raise ValueError("now must carry a UTC offset")
    rng = random.Random(seed)
    ranked = rng.sample(range(n), k=n // RANKED_ONE_IN)
    rank_of = {index: position for position, index in enumerate(ranked, start=1)}
    with_offer = set(rng.sample(range(n), k=min(n, max(1, n // OFFER_ONE_IN))))
    opportunities = [
        _opportunity(rng, index, now, rank=rank_of.get(index), offer=index in with_offer)
        for index in range(n)
    ]
    return {
        "version": 1,
        "profile": {
            "name": "Alex Candidate",
            "timezone": "America/New_York",
            "country": "US",
            "weekly_target": 5,
        },
        "opportunities": opportunities,
        "achievements": _achievements(rng, now),
        "decisions": [],
    }


def _opportunity(
    rng: random.Random, index: int, now: datetime, *, rank: int | None, offer: bool
) -> dict[str, Any]:
    company = f"{rng.choice(_PREFIXES)} {rng.choice(_SUFFIXES)}"
    opp_id = f"{company.lower().replace(' ', '-')}-{index}"
    people = _people(rng)
    horizon = now - timedelta(days=HISTORY_DAYS)
    status = "offer" if offer else _weighted(rng, _STATUSES)

    # Two interviews: the first 20..55 days ago, the second 3..12 days after it (never later
    # than now): the touches fall around and after them.
    first = _at_local(now - timedelta(days=rng.uniform(20, 55)), people[0].timezone, rng)
    second = _at_local(
        min(first + timedelta(days=rng.uniform(3, 12)), now - timedelta(days=1)),
        people[0].timezone,
        rng,
    )
    interviews = [
        _interview(rng, "i1", first, people[:3], with_next_step=True),
        _interview(rng, "i2", second, [people[0], *people[2:]], with_next_step=rng.random() < 0.5),
    ]
    opportunity: dict[str, Any] = {
        "id": opp_id,
        "company": company,
        "role": rng.choice(_ROLES),
        "applied": max(first - timedelta(days=rng.randint(5, 20)), horizon).date().isoformat(),
        "source": rng.choice(_SOURCES),
        "url": f"https://jobs.example.com/{opp_id}",
        "status": status,
        "people": [_person_doc(rng, p) for p in people],
        "interviews": interviews,
        "touches": _touches(rng, people, first, now),
        "offers": [],
    }
    if rank is not None:
        opportunity["rank"] = rank
    if rng.random() < 0.6:
        opportunity["decision"] = {
            "expected_by": (second + timedelta(days=rng.randint(5, 20))).date().isoformat(),
            "process": "panel debrief, then the hiring manager decides",
        }
    if status == "offer":
        received = now - timedelta(days=rng.uniform(0, 5))
        opportunity["offers"] = [
            {
                "id": "o1",
                "received": received.date().isoformat(),
                "expires": (received + timedelta(days=rng.randint(3, 10))).date().isoformat(),
            }
        ]
    return opportunity


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _people(rng: random.Random) -> list[_Person]:
    """Four to six people: the hiring manager first, a recruiter second, then others."""
    count = rng.randint(4, 6)
    roles = ["hiring-manager", "recruiter", *rng.sample(_OTHER_ROLES, k=count - 2)]
    names = rng.sample([(f, la) for f in _FIRST for la in _LAST], k=count)
    company_tz = rng.choice(_TIMEZONES)
    people = []
    for position, (role, (first, last)) in enumerate(zip(roles, names, strict=True)):
        tz = company_tz if rng.random() < 0.85 else rng.choice(_TIMEZONES)
        people.append(_Person(f"{first.lower()}-{position}", f"{first} {last}", role, tz))
    return people


def _person_doc(rng: random.Random, p: _Person) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": p.id,
        "name": p.name,
        "role": p.role,
        "email": f"{p.id}@example.com",
        "timezone": p.timezone,
    }
    if p.role == "hiring-manager" or rng.random() < 0.2:
        doc["key"] = True
    if p.role == "recruiter":
        doc["phone"] = "+16175550100"  # a number that can exist, in E.164 as stored
        if rng.random() < 0.5:
            doc["has_vote"] = False
    return doc


def _interview(
    rng: random.Random,
    interview_id: str,
    at: datetime,
    people: list[_Person],
    *,
    with_next_step: bool,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": interview_id,
        "at": at.isoformat(),
        "duration_minutes": rng.choice((30, 45, 60, 60, 90)),
        "kind": rng.choice(("video", "onsite", "phone")),
        "with": [p.id for p in people],
        "notes": {p.id: f"We discussed {rng.choice(_TOPICS)}." for p in people},
    }
    if with_next_step:
        doc["next_step"] = {
            "what": "hear back about the next round",
            "when": (at + timedelta(days=rng.randint(3, 10))).date().isoformat(),
            "who": people[-1].id,
            "channel": "email",
        }
    return doc


def _touches(
    rng: random.Random, people: list[_Person], first: datetime, now: datetime
) -> list[dict[str, Any]]:
    """About twenty touches, a third of them inbound, from a week before the first interview."""
    # In UTC: adding a timedelta to a zoned time is wall-clock arithmetic, an hour off across DST.
    start = max(first - timedelta(days=7), now - timedelta(days=HISTORY_DAYS)).astimezone(UTC)
    span = (now - start).total_seconds()
    moments = sorted(
        start + timedelta(seconds=rng.uniform(0, span)) for _ in range(rng.randint(16, 24))
    )
    touches = []
    for number, moment in enumerate(moments, start=1):
        person = rng.choice(people)
        inbound = rng.random() < 0.3
        # Before the first interview only scheduling chatter: no thank-you for a meeting to come.
        kinds_out = _KINDS_OUT if moment >= first else ("check-in", "other")
        touch: dict[str, Any] = {
            "id": f"t{number}",
            "at": moment.astimezone(ZoneInfo(person.timezone)).isoformat(timespec="seconds"),
            "person": person.id,
            "channel": rng.choice(_CHANNELS_IN if inbound else _CHANNELS_OUT),
            "direction": "in" if inbound else "out",
            "kind": rng.choice(_KINDS_IN if inbound else kinds_out),
            "summary": f"About {rng.choice(_TOPICS)}",
        }
        if inbound and rng.random() < 0.15:
            touch["states_date"] = (moment + timedelta(days=rng.randint(2, 9))).date().isoformat()
        touches.append(touch)
    return touches


def _at_local(moment: datetime, timezone: str, rng: random.Random) -> datetime:
    """``moment``'s day in ``timezone``, at a plausible interview hour, on the hour or half."""
    local = moment.astimezone(ZoneInfo(timezone))
    return local.replace(
        hour=rng.randint(9, 16), minute=rng.choice((0, 30)), second=0, microsecond=0
    )


def _achievements(rng: random.Random, now: datetime) -> list[dict[str, Any]]:
    kinds = (("article", "Wrote about scaling queues"), ("talk", "Spoke at a local meetup"),
             ("course", "Finished a course on distributed systems"))  # fmt: skip
    return [
        {
            "id": f"a{number}",
            "at": (now - timedelta(days=rng.randint(1, HISTORY_DAYS))).date().isoformat(),
            "kind": kind,
            "title": title,
            "tags": ["backend"],
        }
        for number, (kind, title) in enumerate(kinds, start=1)
    ]


def _parse_now(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date-time: {text!r}") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"needs a UTC offset, e.g. {DEFAULT_NOW}: {text!r}")
    return moment


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of opportunities")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--now", type=_parse_now, default=DEFAULT_NOW, help=f"reference moment ({DEFAULT_NOW})"
    )
    parser.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("n must be >= 0")
    # argparse runs ``type`` on a string default too: ``args.now`` is always a datetime.
    text = json.dumps(generate(args.n, seed=args.seed, now=args.now), indent=1) + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
