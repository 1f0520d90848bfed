"""The interchange document: what it accepts, what it refuses (and how it says so), round trips.

Version 1 documents (no ``completes`` on touches) must keep importing unchanged; version 2 (the
default export) adds which planned action a touch completed.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followup.core.interchange import (
    RULE_NAMES,
    VERSIONS,
    dump_document,
    format_moment,
    parse_day,
    parse_document,
    parse_moment,
    parse_when,
)
from followup.core.model import Facts, Touch
from followup.core.problems import Problem

NY = ZoneInfo("America/New_York")
HOSTILE = [
    "<script>alert('x')</script>",
    "{{ 7 * 7 }} {% raw %} ${HOME} $(rm -rf /)",
    "Robert'); DROP TABLE opportunities;--",
    "line one\nline two\ttabbed\r\n",
    "\u202eevil right-to-left \u200b zero width",
    "Zoë Ñúñez — 東京 🙂",
    "  padded  ",
    "x" * 5000,
]


def rich_document() -> dict[str, Any]:
    """A valid document that uses every field of the format at least once."""
    return {
        "version": 1,
        "profile": {
            "name": "Alex Morgan",
            "timezone": "America/New_York",
            "country": "US",
            "weekly_target": 5,
        },
        "opportunities": [
            {
                "id": "acme",
                "company": "Acme Robotics",
                "role": "Product Manager",
                "applied": "2026-10-01",
                "source": "referral",
                "url": "https://acme.example/jobs/42",
                "rank": 1,
                "status": "active",
                "decision": {"expected_by": "2026-11-10", "process": "panel debrief, then CEO"},
                "people": [
                    {
                        "id": "dana",
                        "name": "Dana Lee",
                        "role": "hiring-manager",
                        "key": True,
                        "email": "dana@acme.example",
                        "phone": "+1 617 555 0142",
                        "timezone": "America/Los_Angeles",
                    },
                    {"id": "sam", "name": "Sam Roe", "role": "recruiter", "has_vote": False},
                    {"id": "li.wei_2", "name": "Li Wei", "role": "panel"},
                ],
                "interviews": [
                    {
                        "id": "onsite",
                        "at": "2026-11-02T10:00-05:00",
                        "duration_minutes": 90,
                        "kind": "onsite",
                        "with": ["dana", "li.wei_2"],
                        "notes": {"dana": "warehouse throughput", "li.wei_2": "ML ranking"},
                        "next_step": {
                            "what": "decision call",
                            "when": "2026-11-09",
                            "who": "sam",
                            "channel": "phone",
                        },
                    }
                ],
                "touches": [
                    {
                        "id": "t1",
                        "at": "2026-11-02T16:30-05:00",
                        "person": "dana",
                        "channel": "email",
                        "direction": "out",
                        "kind": "thank-you",
                        "summary": "thanks",
                        "body": "Dear Dana, ...",
                    },
                    {
                        "at": "2026-11-04T09:15:30-05:00",
                        "person": "sam",
                        "channel": "phone",
                        "direction": "in",
                        "kind": "check-in",
                        "states_date": "2026-11-09T11:00-05:00",
                    },
                ],
                "offers": [],
            },
            {
                "id": "globex",
                "company": "Globex",
                "role": "Senior PM",
                "rank": 2,
                "status": "offer",
                "people": [{"id": "dana", "name": "Dana Park", "role": "executive"}],
                "offers": [
                    {"id": "o1", "received": "2026-11-03", "expires": "2026-11-08T17:00-05:00"}
                ],
            },
        ],
        "achievements": [
            {"id": "talk", "at": "2026-11-01", "kind": "talk", "title": "Spoke at PMConf"},
            {
                "at": "2026-11-03T18:00-05:00",
                "kind": "article",
                "title": "Routing at scale",
                "tags": ["logistics", "ml"],
            },
        ],
        "decisions": [
            {"action": "cycle:acme:dana:t1", "decision": "skipped"},
            {
                "action": "value-add:acme:dana:onsite",
                "decision": "snoozed",
                "until": "2026-11-06T09:00-05:00",
            },
        ],
    }


def parsed(doc: object) -> Facts:
    facts, problems = parse_document(doc)
    assert problems == []
    assert facts is not None
    return facts


def exported(facts: Facts) -> Any:
    """The export of ``facts`` as a reader of the JSON file sees it."""
    return json.loads(json.dumps(dump_document(facts)))


def problems_of(doc: object) -> list[str]:
    """The problems of a refused document, as `followup import` prints them."""
    facts, problems = parse_document(doc)
    assert facts is None
    assert problems
    assert all(isinstance(p, Problem) for p in problems)
    return [str(p) for p in problems]


# --------------------------------------------------------------------------- valid documents


def test_rich_document_parses_into_the_model() -> None:
    facts = parsed(rich_document())

    assert facts.profile.name == "Alex Morgan"
    assert facts.profile.weekly_target == 5
    acme, globex = facts.opportunities
    assert acme.applied == date(2026, 10, 1)
    assert acme.decision is not None
    assert acme.decision.expected_by == date(2026, 11, 10)
    dana = acme.person("dana")
    assert dana is not None
    assert (dana.role, dana.key, dana.has_vote, dana.timezone) == (
        "hiring-manager",
        True,
        True,
        "America/Los_Angeles",
    )
    sam = acme.person("sam")
    assert sam is not None
    assert sam.has_vote is False
    interview = acme.interviews[0]
    assert interview.at == datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    assert interview.with_ == ("dana", "li.wei_2")
    assert isinstance(interview.with_, tuple)
    assert interview.notes == {"dana": "warehouse throughput", "li.wei_2": "ML ranking"}
    assert interview.next_step is not None
    assert interview.next_step.who == "sam"
    assert interview.next_step.channel == "phone"
    assert acme.touches[0].id == "t1"
    assert acme.touches[1].id is None
    assert acme.touches[1].at.second == 30
    assert globex.status == "offer"
    assert globex.person("dana") is not None  # the same person id in another opportunity
    assert globex.offers[0].received == date(2026, 11, 3)
    assert facts.achievements[1].tags == ("logistics", "ml")
    assert facts.decisions[0].until is None
    assert facts.decisions[1].until == datetime(2026, 11, 6, 14, 0, tzinfo=UTC)


def test_defaults_fill_what_is_left_out() -> None:
    doc: dict[str, Any] = {
        "version": 1,
        "profile": {"name": "", "timezone": "UTC", "country": "GB"},
        "opportunities": [
            {
                "id": "o",
                "company": "C",
                "role": "R",
                "people": [{"id": "p", "name": "P", "role": "other"}],
                "interviews": [{"id": "i", "at": "2026-01-05T09:00Z", "with": ["p"]}],
                "decision": {},
            }
        ],
    }
    facts = parsed(doc)
    opp = facts.opportunities[0]
    assert (opp.status, opp.rank, opp.decision, opp.touches) == ("active", None, None, ())
    assert opp.interviews[0].duration_minutes == 60
    assert opp.people[0].has_vote is True
    assert opp.people[0].key is False
    assert facts.achievements == ()
    assert facts.decisions == ()
    assert facts.profile.weekly_target is None


def test_date_or_time_fields_keep_what_was_given() -> None:
    facts = parsed(rich_document())
    acme, globex = facts.opportunities
    step = acme.interviews[0].next_step
    assert step is not None
    assert type(step.when) is date
    assert type(acme.touches[1].states_date) is datetime
    assert type(globex.offers[0].received) is date
    assert type(globex.offers[0].expires) is datetime
    assert type(facts.achievements[0].at) is date
    assert type(facts.achievements[1].at) is datetime

    out = exported(facts)
    assert out["opportunities"][0]["interviews"][0]["next_step"]["when"] == "2026-11-09"
    assert out["opportunities"][1]["offers"][0] == {
        "id": "o1",
        "received": "2026-11-03",
        "expires": "2026-11-08T17:00-05:00",
    }


def test_hostile_strings_survive_verbatim() -> None:
    doc = rich_document()
    opp = doc["opportunities"][0]
    opp["company"] = HOSTILE[0]
    opp["role"] = HOSTILE[1]
    opp["people"][0]["name"] = HOSTILE[2]
    opp["interviews"][0]["notes"]["dana"] = HOSTILE[3]
    opp["touches"][0]["body"] = HOSTILE[4]
    opp["touches"][0]["summary"] = HOSTILE[5]
    doc["achievements"][1]["tags"] = HOSTILE
    doc["profile"]["name"] = HOSTILE[7]

    facts = parsed(doc)
    back = exported(facts)

    acme = facts.opportunities[0]
    assert acme.company == HOSTILE[0]
    assert acme.role == HOSTILE[1]
    assert acme.people[0].name == HOSTILE[2]
    assert acme.interviews[0].notes["dana"] == HOSTILE[3]
    assert acme.touches[0].body == HOSTILE[4]
    assert acme.touches[0].summary == HOSTILE[5]
    assert facts.achievements[1].tags == tuple(HOSTILE)
    assert back["profile"]["name"] == HOSTILE[7]
    assert back["opportunities"][0]["company"] == HOSTILE[0]
    assert parsed(back) == facts


# --------------------------------------------------------------------------- export


def test_dump_parse_is_a_fixed_point() -> None:
    once = dump_document(parsed(rich_document()))
    text = json.dumps(once, ensure_ascii=False, indent=2)
    twice = dump_document(parsed(json.loads(text)))
    assert twice == once
    assert json.dumps(twice, ensure_ascii=False, indent=2) == text  # same bytes, same key order


def test_dump_writes_fields_in_a_fixed_order_and_leaves_out_empty_ones() -> None:
    out = exported(parsed(rich_document()))
    assert list(out) == ["version", "profile", "opportunities", "achievements", "decisions"]
    acme, globex = out["opportunities"]
    assert list(acme) == [
        "id", "company", "role", "applied", "source", "url", "rank", "status", "decision",
        "people", "interviews", "touches",
    ]  # fmt: skip
    assert list(globex) == ["id", "company", "role", "rank", "status", "people", "offers"]
    assert list(acme["people"][1]) == ["id", "name", "role", "has_vote"]
    assert list(acme["touches"][1]) == ["at", "person", "channel", "direction", "kind",
                                        "states_date"]  # fmt: skip
    assert list(acme["interviews"][0]) == [
        "id", "at", "duration_minutes", "kind", "with", "notes", "next_step",
    ]  # fmt: skip


def test_dump_shows_times_in_the_profile_time_zone() -> None:
    doc = rich_document()
    opp = doc["opportunities"][0]
    opp["interviews"][0]["at"] = "2026-11-02T15:00:00Z"  # 10:00 in New York
    opp["touches"][0]["at"] = "2026-11-02T22:30:15+01:00"  # 16:30:15 in New York
    doc["decisions"][1]["until"] = "2026-07-01T12:00:00.250+00:00"  # summer: EDT
    out = exported(parsed(doc))
    dumped = out["opportunities"][0]
    assert dumped["interviews"][0]["at"] == "2026-11-02T10:00-05:00"
    assert dumped["touches"][0]["at"] == "2026-11-02T16:30:15-05:00"
    assert out["decisions"][1]["until"] == "2026-07-01T08:00:00.250000-04:00"


def test_format_moment_refuses_a_naive_time() -> None:
    with pytest.raises(ValueError, match="without a UTC offset"):
        format_moment(datetime(2026, 1, 1, 9, 0))


# --------------------------------------------------------------------------- one test per problem

Mutation = Callable[[dict[str, Any]], Any]


def _opp(doc: dict[str, Any], index: int = 0) -> dict[str, Any]:
    return doc["opportunities"][index]  # type: ignore[no-any-return]


def _set(path: str, value: object) -> Mutation:
    """A mutation that sets the dotted ``path`` (list indexes as numbers) to ``value``."""

    def mutate(doc: dict[str, Any]) -> Any:
        *parents, last = path.split(".")
        target: Any = doc
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is _DELETE:
            del target[last]
        else:
            target[int(last) if last.isdigit() else last] = value
        return doc

    return mutate


_DELETE = object()

PROBLEM_CASES: dict[str, tuple[Mutation, str]] = {
    "version unsupported": (
        _set("version", 0),
        "version: 0 is not supported (expected 1 or 2)",
    ),
    "version from a newer followup": (
        _set("version", 3),
        "version: 3 is not supported (expected 1 or 2); a newer followup wrote it: upgrade",
    ),
    "version missing": (
        _set("version", _DELETE),
        "document: missing required field 'version' (1 or 2; this is 2)",
    ),
    "profile missing": (
        _set("profile", _DELETE),
        "document: missing required field 'profile'",
    ),
    "unknown top-level field": (
        _set("opportunites", []),
        "document: unknown field 'opportunites' (known: version, profile, opportunities, "
        "achievements, decisions)",
    ),
    "unknown opportunity field": (
        _set("opportunities.0.compnay", "Acme"),
        "opportunities[0]: unknown field 'compnay' (known: id, company, role, applied, source, "
        "url, rank, status, decision, people, interviews, touches, offers)",
    ),
    "who acts, not you or they": (
        _set("opportunities.0.interviews.0.next_step.acts", "us"),
        "opportunities[0].interviews[0].next_step.acts: 'us' is not one of: you, they",
    ),
    "who acts on no date": (
        _set("opportunities.0.touches.0.acts", "they"),
        "opportunities[0].touches[0].acts: says who acts on a named date: give `states_date` too",
    ),
    "unknown nested field": (
        _set("opportunities.0.interviews.0.next_step.whom", "dana"),
        "opportunities[0].interviews[0].next_step: unknown field 'whom' (known: what, when, "
        "who, channel, acts)",
    ),
    "unknown person in with": (
        _set("opportunities.0.interviews.0.with.0", "ghost"),
        "opportunities[0].interviews[0].with[0]: unknown person 'ghost' in opportunity 'acme'",
    ),
    "unknown person in notes": (
        _set("opportunities.0.interviews.0.notes.ghost", "hi"),
        "opportunities[0].interviews[0].notes.ghost: unknown person 'ghost' in opportunity 'acme'",
    ),
    "unknown person in next_step": (
        _set("opportunities.0.interviews.0.next_step.who", "ghost"),
        "opportunities[0].interviews[0].next_step.who: unknown person 'ghost' in opportunity "
        "'acme'",
    ),
    "unknown person in touch": (
        _set("opportunities.0.touches.1.person", "dana2"),
        "opportunities[0].touches[1].person: unknown person 'dana2' in opportunity 'acme'",
    ),
    "person of another opportunity": (
        lambda d: _set("opportunities.0.touches.1.person", "pat")(
            _set("opportunities.1.people", [{"id": "pat", "name": "Pat", "role": "hr"}])(d)
        ),
        "opportunities[0].touches[1].person: unknown person 'pat' in opportunity 'acme'",
    ),
    "naive time": (
        _set("opportunities.0.touches.1.at", "2026-11-02 10:00"),
        "opportunities[0].touches[1].at: '2026-11-02 10:00' is not an ISO 8601 time with a "
        "UTC offset (e.g. 2026-11-02T10:00-05:00)",
    ),
    "date where a time is needed": (
        _set("opportunities.0.interviews.0.at", "2026-11-02"),
        "opportunities[0].interviews[0].at: '2026-11-02' is not an ISO 8601 time with a UTC offset",
    ),
    "impossible date": (
        _set("opportunities.0.applied", "2026-02-30"),
        "opportunities[0].applied: '2026-02-30' is not a valid date",
    ),
    "time where a date is needed": (
        _set("opportunities.0.applied", "2026-10-01T09:00Z"),
        "opportunities[0].applied: '2026-10-01T09:00Z' is not a date (YYYY-MM-DD): give the day "
        "only, e.g. 2026-10-01",
    ),
    "garbage date-or-time": (
        _set("opportunities.0.decision.expected_by", "next Friday"),
        "opportunities[0].decision.expected_by: 'next Friday' is not a date (YYYY-MM-DD) or an "
        "ISO 8601 time with a UTC offset",
    ),
    "year out of range": (
        _set("achievements.0.at", "0001-01-01"),
        "achievements[0].at: '0001-01-01' is outside the years 1900 to 2999",
    ),
    "bad role": (
        _set("opportunities.0.people.0.role", "boss"),
        "opportunities[0].people[0].role: 'boss' is not one of: hiring-manager, hr, recruiter, "
        "panel, executive, other",
    ),
    "bad channel": (
        _set("opportunities.0.touches.0.channel", "fax"),
        "opportunities[0].touches[0].channel: 'fax' is not one of: email, phone, letter, "
        "linkedin, in-person, other",
    ),
    "bad direction": (
        _set("opportunities.0.touches.0.direction", "inbound"),
        "opportunities[0].touches[0].direction: 'inbound' is not one of: out, in",
    ),
    "bad touch kind": (
        _set("opportunities.0.touches.0.kind", "thanks"),
        "opportunities[0].touches[0].kind: 'thanks' is not one of: thank-you, value-add, call, "
        "continued-interest, check-in, still-in-running, counter-offer, other",
    ),
    "bad status": (
        _set("opportunities.0.status", "hired"),
        "opportunities[0].status: 'hired' is not one of: active, offer, accepted, rejected, "
        "withdrawn, closed",
    ),
    "bad decision": (
        _set("decisions.0.decision", "done"),
        "decisions[0].decision: 'done' is not one of: skipped, snoozed",
    ),
    "bad next-step channel": (
        _set("opportunities.0.interviews.0.next_step.channel", 3),
        "opportunities[0].interviews[0].next_step.channel: a number (3) is not one of: email",
    ),
    "id with a space": (
        _set("opportunities.0.id", "Acme Corp"),
        "opportunities[0].id: 'Acme Corp' is not a valid id (ids are 1 to 64 letters, digits, "
        "'.', '_' or '-', starting with a letter or digit)",
    ),
    "id too long": (
        _set("opportunities.0.interviews.0.id", "i" * 65),
        "opportunities[0].interviews[0].id: 'iiiiiiiii",
    ),
    "id starting with a dash": (
        _set("opportunities.0.touches.0.id", "-t1"),
        "opportunities[0].touches[0].id: '-t1' is not a valid id",
    ),
    "id with a trailing newline": (
        _set("opportunities.0.offers", [{"id": "o1\n", "received": "2026-11-03"}]),
        "opportunities[0].offers[0].id: 'o1\\n' is not a valid id",
    ),
    "duplicate opportunity id": (
        _set("opportunities.1.id", "acme"),
        "opportunities[1].id: duplicate opportunity id 'acme' (first at opportunities[0].id)",
    ),
    "duplicate person id": (
        _set("opportunities.0.people.2.id", "dana"),
        "opportunities[0].people[2].id: duplicate person id 'dana' (first at "
        "opportunities[0].people[0].id)",
    ),
    "duplicate interview id": (
        lambda d: _opp(d)["interviews"].append(copy.deepcopy(_opp(d)["interviews"][0])) or d,
        "opportunities[0].interviews[1].id: duplicate interview id 'onsite'",
    ),
    "duplicate touch id": (
        _set("opportunities.0.touches.1.id", "t1"),
        "opportunities[0].touches[1].id: duplicate touch id 't1'",
    ),
    "duplicate offer id": (
        lambda d: _opp(d, 1)["offers"].append({"id": "o1", "received": "2026-11-04"}) or d,
        "opportunities[1].offers[1].id: duplicate offer id 'o1'",
    ),
    "duplicate achievement id": (
        _set("achievements.1.id", "talk"),
        "achievements[1].id: duplicate achievement id 'talk'",
    ),
    "two decisions for one action": (
        _set("decisions.1", {"action": "cycle:acme:dana:t1", "decision": "skipped"}),
        "decisions[1].action: duplicate decision for action 'cycle:acme:dana:t1'",
    ),
    "bad profile time zone": (
        _set("profile.timezone", "Mars/Olympus"),
        "profile.timezone: 'Mars/Olympus' is not an IANA time zone name (e.g. America/New_York",
    ),
    "machine-dependent time zone": (
        _set("profile.timezone", "localtime"),
        "profile.timezone: 'localtime' is not an IANA time zone name",
    ),
    "path-like time zone": (
        _set("profile.timezone", "../../etc/passwd"),
        "profile.timezone: '../../etc/passwd' is not an IANA time zone name",
    ),
    "bad person time zone": (
        _set("opportunities.0.people.0.timezone", "EST+5"),
        "opportunities[0].people[0].timezone: 'EST+5' is not an IANA time zone name",
    ),
    "lowercase country": (
        _set("profile.country", "us"),
        "profile.country: 'us' is not a two-letter country code (ISO 3166 alpha-2 in capitals, "
        "e.g. US, GB, DE)",
    ),
    "three-letter country": (
        _set("profile.country", "USA"),
        "profile.country: 'USA' is not a two-letter country code",
    ),
    "rank zero": (
        _set("opportunities.0.rank", 0),
        "opportunities[0].rank: 0 must be between 1 and 1000",
    ),
    "rank as text": (
        _set("opportunities.0.rank", "1"),
        "opportunities[0].rank: expected a whole number, got a string ('1')",
    ),
    "rank as a fraction": (
        _set("opportunities.0.rank", 1.5),
        "opportunities[0].rank: expected a whole number, got a number (1.5)",
    ),
    "rank as a boolean": (
        _set("opportunities.0.rank", True),
        "opportunities[0].rank: expected a whole number, got true",
    ),
    "duration zero": (
        _set("opportunities.0.interviews.0.duration_minutes", 0),
        "opportunities[0].interviews[0].duration_minutes: 0 must be between 1 and 1440",
    ),
    "duration over a day": (
        _set("opportunities.0.interviews.0.duration_minutes", 1441),
        "opportunities[0].interviews[0].duration_minutes: 1441 must be between 1 and 1440",
    ),
    "negative weekly target": (
        _set("profile.weekly_target", -1),
        "profile.weekly_target: -1 must be between 0 and 1000",
    ),
    "empty with": (
        _set("opportunities.0.interviews.0.with", []),
        "opportunities[0].interviews[0].with: must name at least one person",
    ),
    "missing with": (
        _set("opportunities.0.interviews.0.with", _DELETE),
        "opportunities[0].interviews[0]: missing required field 'with'",
    ),
    "person twice in with": (
        _set("opportunities.0.interviews.0.with", ["dana", "dana"]),
        "opportunities[0].interviews[0].with[1]: 'dana' is listed twice",
    ),
    "snoozed without until": (
        _set("decisions.1.until", _DELETE),
        "decisions[1]: missing required field 'until'",
    ),
    "skipped with until": (
        _set("decisions.0.until", "2026-11-06T09:00-05:00"),
        "decisions[0].until: only a snoozed action has 'until' (this one is skipped)",
    ),
    "snoozed until a day": (
        _set("decisions.1.until", "2026-11-06"),
        "decisions[1].until: '2026-11-06' is not an ISO 8601 time with a UTC offset",
    ),
    "number where text is expected": (
        _set("opportunities.0.company", 42),
        "opportunities[0].company: expected a string, got a number (42)",
    ),
    "missing company": (
        _set("opportunities.0.company", _DELETE),
        "opportunities[0]: missing required field 'company'",
    ),
    "blank company": (
        _set("opportunities.0.company", "   "),
        "opportunities[0].company: must not be empty",
    ),
    "null company": (
        _set("opportunities.0.company", None),
        "opportunities[0].company: must not be null",
    ),
    "object expected": (
        _set("profile", ["Alex"]),
        "profile: expected an object, got a list",
    ),
    "list expected": (
        _set("opportunities.0.people", {"dana": {}}),
        "opportunities[0].people: expected a list, got an object",
    ),
    "notes as a list": (
        _set("opportunities.0.interviews.0.notes", ["x"]),
        "opportunities[0].interviews[0].notes: expected an object keyed by person id, got a list",
    ),
    "note that is not text": (
        _set("opportunities.0.interviews.0.notes.dana", 7),
        "opportunities[0].interviews[0].notes.dana: expected a string, got a number (7)",
    ),
    "odd note key": (
        _set("opportunities.0.interviews.0.notes.a b", "x"),
        "opportunities[0].interviews[0].notes['a b']: 'a b' is not a valid id",
    ),
    "tags not text": (
        _set("achievements.1.tags", ["ok", None]),
        "achievements[1].tags[1]: expected a string, got null",
    ),
    "flag not a boolean": (
        _set("opportunities.0.people.0.key", "yes"),
        "opportunities[0].people[0].key: expected true or false, got a string ('yes')",
    ),
    "NUL character": (
        _set("opportunities.0.touches.0.body", "a\x00b"),
        "opportunities[0].touches[0].body: contains the character '\\x00', which cannot be stored",
    ),
    "lone surrogate": (
        _set("opportunities.0.role", "PM \ud800"),
        "opportunities[0].role: contains the character '\\ud800', which cannot be stored",
    ),
    "opportunity that is not an object": (
        _set("opportunities.1", "globex"),
        "opportunities[1]: expected an object, got a string ('globex')",
    ),
    "bad e-mail address": (
        _set("opportunities.0.people.0.email", "dana@acme"),
        "opportunities[0].people[0].email: 'dana@acme' is not a valid e-mail address (the part "
        "after the @-sign is not valid",
    ),
    "phone number that is not one": (
        _set("opportunities.0.people.0.phone", "ask reception"),
        "opportunities[0].people[0].phone: 'ask reception' is not a phone number: write it as "
        "dialled in US, or with + and its country code",
    ),
    "phone number that cannot exist in the profile's country": (
        _set("opportunities.0.people.0.phone", "030 1234567"),
        "opportunities[0].people[0].phone: '030 1234567' is not a valid phone number",
    ),
}


@pytest.mark.parametrize("case", list(PROBLEM_CASES), ids=list(PROBLEM_CASES))
def test_each_kind_of_problem_is_named_with_its_path(case: str) -> None:
    mutate, expected = PROBLEM_CASES[case]
    problems = problems_of(mutate(rich_document()))
    assert any(p.startswith(expected) for p in problems), problems


def test_contacts_are_imported_normalised_a_phone_as_dialled_in_the_profiles_country() -> None:
    doc = rich_document()
    doc["profile"]["country"] = "DE"
    dana = _opp(doc)["people"][0]
    dana["email"], dana["phone"] = " Dana.Lee@ACME.Example ", "030 1234567"

    person = parsed(doc).opportunities[0].people[0]

    assert (person.email, person.phone) == ("Dana.Lee@acme.example", "+49301234567")
    assert exported(parsed(doc))["opportunities"][0]["people"][0]["phone"] == "+49301234567"


def test_values_stored_already_are_read_as_they_are() -> None:
    """A journal or a backup written back holds what an older release accepted: kept, so it
    never stops reading; an import of the same document is refused."""
    doc = rich_document()
    dana = _opp(doc)["people"][0]
    dana["email"], dana["phone"] = "dana at acme", "ext. 42"

    facts, problems = parse_document(doc, stored=True)

    assert problems == []
    assert facts is not None
    assert (facts.opportunities[0].people[0].email, facts.opportunities[0].people[0].phone) == (
        "dana at acme",
        "ext. 42",
    )
    assert [p.split(":")[0] for p in problems_of(doc)] == [
        "opportunities[0].people[0].email",
        "opportunities[0].people[0].phone",
    ]


def test_duplicate_names_in_a_document_import_as_they_are() -> None:
    """Two people of one name, added on purpose (`--new`), survive export and import."""
    doc = rich_document()
    twin = dict(_opp(doc)["people"][0], id="dana-2", email="dana2@acme.example")
    _opp(doc)["people"].append(twin)

    people = parsed(doc).opportunities[0].people

    assert [p.id for p in people if p.name == "Dana Lee"] == ["dana", "dana-2"]


def test_who_acts_on_a_named_date_round_trips_in_version_2_only() -> None:
    doc = rich_document()
    step = doc["opportunities"][0]["interviews"][0].setdefault(
        "next_step", {"what": "They decide", "when": "2026-11-20"}
    )
    step["acts"] = "they"
    facts, problems = parse_document(doc)
    assert facts is not None, problems
    [next_step] = [i.next_step for i in facts.opportunities[0].interviews if i.next_step]
    assert next_step.acts == "they"
    again = dump_document(facts)
    assert again["opportunities"][0]["interviews"][0]["next_step"]["acts"] == "they"
    v1 = dump_document(facts, version=1)
    assert "acts" not in v1["opportunities"][0]["interviews"][0]["next_step"]


def test_the_document_must_be_an_object() -> None:
    assert problems_of([]) == ["document: expected an object, got a list"]
    assert problems_of(None) == ["document: expected an object, got null"]


def test_an_unsupported_version_is_the_only_problem_reported() -> None:
    doc = rich_document()
    doc["version"] = "1"
    doc["profile"] = 5
    assert problems_of(doc) == ["version: '1' is not supported (expected 1 or 2)"]


def test_one_bad_person_id_is_reported_once_not_at_every_reference() -> None:
    doc = rich_document()
    _opp(doc)["people"][0]["id"] = "Dana Lee"
    _opp(doc)["interviews"][0]["with"][0] = "Dana Lee"
    del _opp(doc)["interviews"][0]["notes"]["dana"]
    _opp(doc)["touches"][0]["person"] = "Dana Lee"
    assert problems_of(doc) == [
        "opportunities[0].people[0].id: 'Dana Lee' is not a valid id (ids are 1 to 64 letters, "
        "digits, '.', '_' or '-', starting with a letter or digit)"
    ]


def test_every_problem_of_a_document_is_reported() -> None:
    doc = rich_document()
    doc["profile"]["country"] = "usa"
    doc["profile"]["colour"] = "blue"
    acme = _opp(doc)
    acme["rank"] = 0
    acme["people"][1]["role"] = "boss"
    acme["interviews"][0]["with"] = ["dana", "ghost"]
    acme["interviews"][0]["at"] = "2026-11-02 10:00"
    acme["touches"][0]["direction"] = "sideways"
    acme["touches"][1]["at"] = "yesterday"
    _opp(doc, 1)["id"] = "acme"
    _opp(doc, 1)["offers"][0]["expires"] = "soon"
    doc["achievements"][0]["title"] = ""
    doc["decisions"][1]["decision"] = "postponed"

    facts, problems = parse_document(doc)

    assert facts is None
    places = [p.path for p in problems]
    assert sorted(places) == sorted(
        [
            "profile",
            "profile.country",
            "opportunities[0].rank",
            "opportunities[0].people[1].role",
            "opportunities[0].interviews[0].at",
            "opportunities[0].interviews[0].with[1]",
            "opportunities[0].touches[0].direction",
            "opportunities[0].touches[1].at",
            "opportunities[1].offers[0].expires",
            "opportunities[1].id",
            "achievements[0].title",
            "decisions[1].decision",
        ]
    )


def test_big_documents_report_without_blowing_up() -> None:
    """Many problems are all reported, each message stays short even for huge culprits."""
    doc = rich_document()
    doc["opportunities"] = [
        {"id": f"o{n}", "company": "C", "role": "R", "rank": "x" * 10_000} for n in range(2_000)
    ]
    problems = problems_of(doc)
    assert len(problems) == 2_000
    assert all(len(p) < 200 for p in problems)


# --------------------------------------------------------------------------- version 2: completes

THANKS = {"action": "thank-you:acme:dana:onsite", "rule": "thank-you"}


def rich_document_v2() -> dict[str, Any]:
    """The rich document in version 2: the thank-you touch says which action it completed."""
    doc = rich_document()
    doc["version"] = 2
    doc["opportunities"][0]["touches"][0]["completes"] = dict(THANKS)
    return doc


def dumped_text(facts: Facts, version: int) -> str:
    """What `followup export --version N` writes for ``facts``."""
    return json.dumps(dump_document(facts, version), indent=2, ensure_ascii=False) + "\n"


def test_a_version_1_document_imports_unchanged_and_completes_nothing() -> None:
    facts = parsed(rich_document())
    assert all(t.completes is None and t.completes_rule is None
               for o in facts.opportunities for t in o.touches)  # fmt: skip
    assert exported(facts)["version"] == 2  # the default export is the newest version
    assert parsed(exported(facts)) == facts


def test_version_2_says_which_action_a_touch_completed() -> None:
    facts = parsed(rich_document_v2())
    thanks, check_in = facts.opportunities[0].touches
    assert (thanks.completes, thanks.completes_rule) == ("thank-you:acme:dana:onsite", "thank-you")
    assert (check_in.completes, check_in.completes_rule) == (None, None)

    out = exported(facts)
    assert out["version"] == 2
    touch = out["opportunities"][0]["touches"][0]
    assert touch["completes"] == THANKS
    assert list(touch) == ["id", "at", "person", "channel", "direction", "kind", "summary",
                           "body", "completes"]  # fmt: skip
    assert "completes" not in out["opportunities"][0]["touches"][1]


@pytest.mark.parametrize("version", VERSIONS)
def test_export_import_export_is_byte_identical_in_each_version(version: int) -> None:
    facts = parsed(rich_document_v2())
    first = dumped_text(facts, version)
    second = dumped_text(parsed(json.loads(first)), version)
    assert second == first
    assert json.loads(first)["version"] == version


def test_a_version_1_export_drops_completes_and_nothing_else() -> None:
    facts = parsed(rich_document_v2())
    old = json.loads(dumped_text(facts, 1))

    assert old["version"] == 1
    assert all("completes" not in t for o in old["opportunities"] for t in o.get("touches", []))
    back = parsed(old)
    thanks = back.opportunities[0].touches[0]
    assert thanks.completes is None and thanks.completes_rule is None
    assert thanks.summary == "thanks" and thanks.kind == "thank-you"
    new = exported(facts)
    del new["opportunities"][0]["touches"][0]["completes"]
    new["version"] = 1
    assert old == new  # the same document otherwise


def test_dump_refuses_an_unknown_version_and_half_a_completion() -> None:
    facts = parsed(rich_document_v2())
    with pytest.raises(ValueError, match="cannot write version 3"):
        dump_document(facts, 3)

    touch = Touch(
        at=datetime(2026, 11, 2, 21, tzinfo=UTC),
        person="dana",
        channel="email",
        direction="out",
        kind="thank-you",
        id="t9",
        completes="thank-you:acme:dana:x",  # and no completes_rule
    )
    acme = replace(facts.opportunities[0], touches=(touch,))
    broken = replace(facts, opportunities=(acme,))
    with pytest.raises(ValueError, match="names only part of the action it completes"):
        dump_document(broken)
    assert "completes" not in str(dump_document(broken, 1))  # version 1 has nothing to say


def _touch0(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["opportunities"][0]["touches"][0]  # type: ignore[no-any-return]


COMPLETES_PROBLEMS: dict[str, tuple[Mutation, str]] = {
    "completes in a version 1 document": (
        _set("version", 1),
        "opportunities[0].touches[0].completes: only a version 2 document says which action a "
        'touch completed: set "version": 2 at the top of the document',
    ),
    "unknown rule": (
        _set("opportunities.0.touches.0.completes.rule", "thanks"),
        "opportunities[0].touches[0].completes.rule: 'thanks' is not one of: next-step, "
        "thank-you, value-add, phone-call, continued-interest, cycle, callback, "
        "still-in-running, counter-offer, set-apart, decide-by, withdrawal, keep-searching",
    ),
    "rule missing": (
        _set("opportunities.0.touches.0.completes.rule", _DELETE),
        "opportunities[0].touches[0].completes: missing required field 'rule'",
    ),
    "action missing": (
        _set("opportunities.0.touches.0.completes.action", _DELETE),
        "opportunities[0].touches[0].completes: missing required field 'action'",
    ),
    "action not a string": (
        _set("opportunities.0.touches.0.completes.action", 7),
        "opportunities[0].touches[0].completes.action: expected an action id (a string), got a "
        "number (7)",
    ),
    "action with a space": (
        _set("opportunities.0.touches.0.completes.action", "thank you"),
        "opportunities[0].touches[0].completes.action: 'thank you' is not an action id (up to 256 "
        "characters without spaces, as `followup plan` shows it, e.g. thank-you:acme:dana:i1)",
    ),
    "action empty": (
        _set("opportunities.0.touches.0.completes.action", ""),
        "opportunities[0].touches[0].completes.action: '' is not an action id",
    ),
    "action too long": (
        _set("opportunities.0.touches.0.completes.action", "x" * 257),
        "opportunities[0].touches[0].completes.action: 'xxxxxxxx",
    ),
    "action with NUL": (
        _set("opportunities.0.touches.0.completes.action", "thank-you:a\x00"),
        "opportunities[0].touches[0].completes.action: 'thank-you:a\\x00' is not an action id",
    ),
    "unknown completes field": (
        _set("opportunities.0.touches.0.completes.when", "now"),
        "opportunities[0].touches[0].completes: unknown field 'when' (known: action, rule)",
    ),
    "completes not an object": (
        _set("opportunities.0.touches.0.completes", "thank-you:acme:dana:onsite"),
        "opportunities[0].touches[0].completes: expected an object, got a string",
    ),
}


@pytest.mark.parametrize("case", list(COMPLETES_PROBLEMS), ids=list(COMPLETES_PROBLEMS))
def test_each_problem_with_completes_is_named_with_its_path(case: str) -> None:
    mutate, expected = COMPLETES_PROBLEMS[case]
    problems = problems_of(mutate(rich_document_v2()))
    assert any(p.startswith(expected) for p in problems), problems


def test_a_version_1_touch_lists_only_its_own_fields_as_known() -> None:
    doc = rich_document()
    _touch0(doc)["complete"] = True
    (problem,) = problems_of(doc)
    assert problem.startswith("opportunities[0].touches[0]: unknown field 'complete' (known: id,")
    assert problem.endswith("body, states_date)")  # completes is version 2


def test_an_action_of_the_longest_ids_fits() -> None:
    longest = f"continued-interest:{'o' * 64}:{'p' * 64}:{'i' * 64}"
    doc = rich_document_v2()
    _touch0(doc)["completes"] = {"action": longest, "rule": "continued-interest"}
    assert parsed(doc).opportunities[0].touches[0].completes == longest


# --------------------------------------------------------------------------- time helpers


def test_parse_moment_keeps_the_offset_and_can_assume_a_zone() -> None:
    value, problem = parse_moment("2026-03-08T02:30+05:30", "--at")
    assert problem is None
    assert value is not None
    assert value.utcoffset() == timedelta(hours=5, minutes=30)

    assert parse_moment("2026-11-02T10:00", "--at") == (
        None,
        Problem(
            "--at",
            "'2026-11-02T10:00' is not an ISO 8601 time with a UTC offset "
            "(e.g. 2026-11-02T10:00-05:00)",
        ),
    )
    value, problem = parse_moment("2026-11-02T10:00", "--at", assume=NY)
    assert problem is None
    assert value == datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    value, _ = parse_moment("2026-11-02T10:00Z", "--at", assume=NY)
    assert value == datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def test_parse_helpers_report_instead_of_raising() -> None:
    assert parse_day(20261102, "--until") == (
        None,
        Problem("--until", "expected a date (YYYY-MM-DD), got a number (20261102)"),
    )
    assert parse_day("2026-1-2", "--until") == (
        None,
        Problem("--until", "'2026-1-2' is not a date (YYYY-MM-DD)"),
    )
    value, problem = parse_moment("2026-13-02T10:00Z", "x")
    assert value is None
    assert problem is not None
    assert str(problem).startswith("x: '2026-13-02T10:00Z' is not a valid time (")
    assert parse_moment("２０２６-11-02T10:00Z", "x")[1] is not None  # full-width digits
    assert parse_when("2026-11-02", "w") == (date(2026, 11, 2), None)
    assert parse_when("2026-11-02T10:00-05:00", "w") == (
        datetime(2026, 11, 2, 10, tzinfo=timezone(timedelta(hours=-5))),
        None,
    )
    assert parse_when("2026-11-02T10:00", "w", assume=NY) == (
        datetime(2026, 11, 2, 10, tzinfo=NY),
        None,
    )
    assert parse_when(None, "w")[1] == Problem(
        "w",
        "expected a date (YYYY-MM-DD) or an ISO 8601 time with a UTC offset "
        "(e.g. 2026-11-02T10:00-05:00), got null",
    )


# --------------------------------------------------------------------------- properties

ZONES = [
    "UTC",
    "America/New_York",
    "Europe/Berlin",
    "Asia/Kolkata",
    "America/St_Johns",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
]
ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,12}", fullmatch=True)
storable = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
texts = st.text(storable, max_size=20)
words = st.text(storable, min_size=1, max_size=20).filter(str.strip)
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))
#: e-mail addresses and phone numbers as people write them (an import stores them normalised)
emails = st.sampled_from(
    ["dana@acme.example", "Dana.Lee@ACME.Example", "zoë@bücher.example", " sam+jobs@kite.example "]
)
phones = st.sampled_from(
    ["+1 617 555 0142", "+49 30 1234567", "+91 98765 43210", "+1 617-555-0142 ext. 12"]
)


@st.composite
def moments(draw: st.DrawFn) -> str:
    zone = draw(
        st.one_of(
            st.sampled_from(ZONES).map(ZoneInfo),
            st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m))),
        )
    )
    naive = draw(st.datetimes(datetime(1990, 1, 1), datetime(2060, 12, 31)))
    text = naive.replace(tzinfo=zone).isoformat(timespec=draw(st.sampled_from(_TIMESPECS)))
    return text.replace("+00:00", "Z") if draw(st.booleans()) else text


_TIMESPECS = ["minutes", "seconds", "milliseconds", "microseconds"]
whens = st.one_of(days.map(date.isoformat), moments())


def maybe(out: dict[str, Any], key: str, value: object, present: bool) -> None:
    if present:
        out[key] = value


action_ids = st.from_regex(
    r"[a-z-]{1,18}:[A-Za-z0-9._-]{1,64}:[A-Za-z0-9._-]{1,64}:[0-9a-z-]{1,20}", fullmatch=True
)


@st.composite
def opportunities(draw: st.DrawFn, oid: str, version: int = 1) -> dict[str, Any]:
    pids = draw(st.lists(ids, min_size=1, max_size=4, unique=True))
    some_pid = st.sampled_from(pids)
    opp: dict[str, Any] = {"id": oid, "company": draw(words), "role": draw(words)}
    maybe(opp, "applied", draw(days).isoformat(), draw(st.booleans()))
    maybe(opp, "source", draw(texts), draw(st.booleans()))
    maybe(opp, "rank", draw(st.integers(1, 1000)), draw(st.booleans()))
    maybe(opp, "status", draw(st.sampled_from(["active", "offer", "closed"])), draw(st.booleans()))
    decision: dict[str, Any] = {}
    maybe(decision, "expected_by", draw(whens), draw(st.booleans()))
    maybe(decision, "process", draw(texts), draw(st.booleans()))
    maybe(opp, "decision", decision, draw(st.booleans()))
    people = []
    for pid in pids:
        person: dict[str, Any] = {"id": pid, "name": draw(words), "role": draw(_roles)}
        maybe(person, "has_vote", draw(st.booleans()), draw(st.booleans()))
        maybe(person, "key", draw(st.booleans()), draw(st.booleans()))
        maybe(person, "email", draw(emails), draw(st.booleans()))
        maybe(person, "phone", draw(phones), draw(st.booleans()))
        maybe(person, "timezone", draw(st.sampled_from(ZONES)), draw(st.booleans()))
        people.append(person)
    opp["people"] = people
    interviews = []
    for iid in draw(st.lists(ids, max_size=3, unique=True)):
        attendees = draw(st.lists(some_pid, min_size=1, unique=True))
        interview: dict[str, Any] = {"id": iid, "at": draw(moments()), "with": attendees}
        maybe(interview, "duration_minutes", draw(st.integers(1, 1440)), draw(st.booleans()))
        maybe(interview, "kind", draw(texts), draw(st.booleans()))
        notes = {pid: draw(texts) for pid in draw(st.lists(some_pid, unique=True))}
        maybe(interview, "notes", notes, draw(st.booleans()))
        step: dict[str, Any] = {"what": draw(words), "when": draw(whens)}
        maybe(step, "who", draw(some_pid), draw(st.booleans()))
        maybe(step, "channel", draw(_channels), draw(st.booleans()))
        maybe(interview, "next_step", step, draw(st.booleans()))
        interviews.append(interview)
    maybe(opp, "interviews", interviews, draw(st.booleans()))
    touches = []
    for tid in draw(st.lists(st.one_of(st.none(), ids), max_size=4, unique=True)):
        touch: dict[str, Any] = {
            "at": draw(moments()),
            "person": draw(some_pid),
            "channel": draw(_channels),
            "direction": draw(st.sampled_from(["out", "in"])),
            "kind": draw(st.sampled_from(["thank-you", "call", "check-in", "other"])),
        }
        maybe(touch, "id", tid, tid is not None)
        maybe(touch, "summary", draw(texts), draw(st.booleans()))
        maybe(touch, "states_date", draw(whens), draw(st.booleans()))
        completes = {"action": draw(action_ids), "rule": draw(st.sampled_from(RULE_NAMES))}
        maybe(touch, "completes", completes, version >= 2 and draw(st.booleans()))
        touches.append(touch)
    maybe(opp, "touches", touches, draw(st.booleans()))
    offers = []
    for fid in draw(st.lists(ids, max_size=2, unique=True)):
        offer = {"id": fid, "received": draw(whens)}
        maybe(offer, "expires", draw(whens), draw(st.booleans()))
        offers.append(offer)
    maybe(opp, "offers", offers, draw(st.booleans()))
    return opp


_roles = st.sampled_from(["hiring-manager", "hr", "recruiter", "panel", "executive", "other"])
_channels = st.sampled_from(["email", "phone", "letter", "linkedin", "in-person", "other"])


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    version = draw(st.sampled_from(VERSIONS))
    profile: dict[str, Any] = {
        "name": draw(texts),
        "timezone": draw(st.sampled_from(ZONES)),
        "country": draw(st.sampled_from(["US", "DE", "IN", "NZ"])),
    }
    maybe(profile, "weekly_target", draw(st.integers(0, 1000)), draw(st.booleans()))
    oids = draw(st.lists(ids, max_size=3, unique=True))
    achievements = []
    for aid in draw(st.lists(st.one_of(st.none(), ids), max_size=3, unique=True)):
        achievement: dict[str, Any] = {"at": draw(whens), "kind": draw(words), "title": draw(words)}
        maybe(achievement, "id", aid, aid is not None)
        maybe(achievement, "tags", draw(st.lists(words, max_size=3)), draw(st.booleans()))
        achievements.append(achievement)
    decisions = []
    for action in draw(st.lists(words, max_size=3, unique=True)):
        if draw(st.booleans()):
            decisions.append({"action": action, "decision": "snoozed", "until": draw(moments())})
        else:
            decisions.append({"action": action, "decision": "skipped"})
    opps = [draw(opportunities(oid, version)) for oid in oids]
    completed: set[str] = set()  # a touch completes an action once: later claims are dropped
    for touch in (t for o in opps for t in o.get("touches", [])):
        if "completes" in touch and touch["completes"]["action"] in completed:
            del touch["completes"]
        elif "completes" in touch:
            completed.add(touch["completes"]["action"])
    return {
        "version": version,
        "profile": profile,
        "opportunities": opps,
        "achievements": achievements,
        "decisions": decisions,
    }


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_round_trip_of_any_valid_document(doc: dict[str, Any]) -> None:
    facts = parsed(doc)
    once = exported(facts)
    again = parsed(once)
    assert again == facts
    assert dump_document(again) == once
    # in its own version, the canonical form is a fixed point too
    own = dump_document(facts, doc["version"])
    assert own["version"] == doc["version"]
    assert dump_document(parsed(json.loads(json.dumps(own))), doc["version"]) == own


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)


def damage(doc: dict[str, Any], data: st.DataObject) -> None:
    """Replace one value anywhere in ``doc`` (a field, a list item) with arbitrary JSON."""
    slots: list[tuple[Any, Any]] = []

    def collect(node: Any) -> None:
        children = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in list(children):
            slots.append((node, key))
            if isinstance(value, dict | list):
                collect(value)

    collect(doc)
    node, key = data.draw(st.sampled_from(slots))
    node[key] = data.draw(json_values)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(documents(), st.data())
def test_any_damage_is_reported_never_raised(doc: dict[str, Any], data: st.DataObject) -> None:
    """Replace one value anywhere in a valid document with arbitrary JSON: never a traceback."""
    damage(doc, data)
    facts, problems = parse_document(doc)
    assert (facts is None) == bool(problems)
    assert all(isinstance(p, Problem) and p.path and p.message for p in problems)
