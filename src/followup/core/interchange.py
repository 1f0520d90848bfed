"""The JSON interchange document: import, export and backup of all the facts.

``parse_document`` takes what ``json.load`` returned and gives ``(facts, [])`` or
``(None, problems)``: the whole document is checked before anything is built, and every
:class:`~followup.core.problems.Problem` names its JSON path and the culprit, so one round of
fixes is enough. ``dump_document`` is its inverse and is deterministic (fixed key order, lists in
the facts' order, times shown in the profile's time zone, optional fields left out when empty),
so export -> import -> export gives the same document.

Versions (``VERSIONS``): 2, written by default, may say which planned action a touch completed
(``"completes": {"action": ..., "rule": ...}``), when an opportunity was recorded
(``recorded_at``), what a touch brought (``outcome``) and your answer to an offer
(``decision``, ``decided``); 1 is the same without them. Both import, and
``dump_document(facts, version=1)`` still writes a version-1 document (dropping them).

Pure: no files, no clock. The time helpers (``parse_moment``, ``parse_day``, ``parse_when``)
are the checks of ``followup.core.problems``, shared with the command line and the web forms.
"""

from __future__ import annotations

from datetime import tzinfo

from followup.core._isotime import format_moment, format_when, zone_or_none
from followup.core._parse import FIELDS, RULE_NAMES, VERSION, VERSIONS, parse_document
from followup.core.model import (
    Achievement,
    ActionDecision,
    Facts,
    Interview,
    Offer,
    Opportunity,
    Person,
    Profile,
    Touch,
)
from followup.core.problems import ID_RULE, Problem, check_id, parse_day, parse_moment, parse_when

__all__ = [
    "FIELDS",
    "ID_RULE",
    "RULE_NAMES",
    "VERSION",
    "VERSIONS",
    "Problem",
    "check_id",
    "dump_document",
    "format_moment",
    "format_when",
    "parse_day",
    "parse_document",
    "parse_moment",
    "parse_when",
]

Json = dict[str, object]


def dump_document(facts: Facts, version: int = VERSION) -> Json:
    """The interchange document for ``facts`` in ``version`` (one of ``VERSIONS``), ready for
    ``json.dump``. Version 1 has no ``completes`` on touches: it is left out.

    Times are shown in the profile's time zone (as written when that zone is unknown), so a
    person reading an export sees their own clock.
    """
    if version not in VERSIONS:
        raise ValueError(f"cannot write version {version!r} (known: {VERSIONS})")
    zone = zone_or_none(facts.profile.timezone)
    return {
        "version": version,
        "profile": _profile(facts.profile),
        "opportunities": [_opportunity(o, zone, version) for o in facts.opportunities],
        "achievements": [_achievement(a, zone) for a in facts.achievements],
        "decisions": [_decision(d, zone) for d in facts.decisions],
    }


def _put(out: Json, key: str, value: object) -> None:
    """Set an optional field, leaving it out when it is None or empty."""
    if value is None or value in ("", [], {}):
        return
    out[key] = value


def _profile(profile: Profile) -> Json:
    out: Json = {"name": profile.name, "timezone": profile.timezone, "country": profile.country}
    _put(out, "weekly_target", profile.weekly_target)
    return out


def _opportunity(o: Opportunity, zone: tzinfo | None, version: int) -> Json:
    out: Json = {"id": o.id, "company": o.company, "role": o.role}
    _put(out, "applied", o.applied.isoformat() if o.applied else None)
    if version >= 2 and o.recorded_at is not None:
        out["recorded_at"] = format_moment(o.recorded_at, zone)
    _put(out, "source", o.source)
    _put(out, "url", o.url)
    _put(out, "rank", o.rank)
    out["status"] = o.status
    if o.decision is not None:
        decision: Json = {}
        if o.decision.expected_by is not None:
            decision["expected_by"] = format_when(o.decision.expected_by, zone)
        _put(decision, "process", o.decision.process)
        _put(out, "decision", decision)
    _put(out, "people", [_person(p, version) for p in o.people])
    _put(out, "interviews", [_interview(i, zone, version) for i in o.interviews])
    _put(out, "touches", [_touch(t, zone, version) for t in o.touches])
    _put(out, "offers", [_offer(f, zone, version) for f in o.offers])
    return out


def _person(p: Person, version: int) -> Json:
    out: Json = {"id": p.id, "name": p.name, "role": p.role}
    if not p.has_vote:
        out["has_vote"] = False
    if p.key:
        out["key"] = True
    _put(out, "email", p.email)
    _put(out, "phone", p.phone)
    _put(out, "timezone", p.timezone)
    if version >= 2:
        _put(out, "topics", list(p.topics))
    return out


def _interview(i: Interview, zone: tzinfo | None, version: int) -> Json:
    out: Json = {
        "id": i.id,
        "at": format_moment(i.at, zone),
        "duration_minutes": i.duration_minutes,
    }
    _put(out, "kind", i.kind)
    out["with"] = list(i.with_)
    _put(out, "notes", dict(i.notes))
    if i.next_step is not None:
        step = i.next_step
        next_step: Json = {"what": step.what, "when": format_when(step.when, zone)}
        _put(next_step, "who", step.who)
        _put(next_step, "channel", step.channel)
        if version >= 2:
            _put(next_step, "acts", step.acts)
        out["next_step"] = next_step
    return out


def _touch(t: Touch, zone: tzinfo | None, version: int) -> Json:
    out: Json = {}
    _put(out, "id", t.id)
    out.update(
        at=format_moment(t.at, zone),
        person=t.person,
        channel=t.channel,
        direction=t.direction,
        kind=t.kind,
    )
    _put(out, "summary", t.summary)
    _put(out, "body", t.body)
    if t.states_date is not None:
        out["states_date"] = format_when(t.states_date, zone)
    if version >= 2 and (t.completes is not None or t.completes_rule is not None):
        if t.completes is None or t.completes_rule is None:
            # one without the other could not be imported again: a bug where the touch was made
            raise ValueError(f"touch {t.id!r} names only part of the action it completes")
        out["completes"] = {"action": t.completes, "rule": t.completes_rule}
    if version >= 2 and t.states_date is not None:
        _put(out, "acts", t.acts)
    if version >= 2:
        _put(out, "outcome", t.outcome)
    return out


def _offer(f: Offer, zone: tzinfo | None, version: int) -> Json:
    out: Json = {"id": f.id, "received": format_when(f.received, zone)}
    if f.expires is not None:
        out["expires"] = format_when(f.expires, zone)
    if version >= 2 and f.decision is not None:
        out["decision"] = f.decision
        if f.decided is not None:
            out["decided"] = format_moment(f.decided, zone)
    return out


def _achievement(a: Achievement, zone: tzinfo | None) -> Json:
    out: Json = {}
    _put(out, "id", a.id)
    out.update(at=format_when(a.at, zone), kind=a.kind, title=a.title)
    _put(out, "tags", list(a.tags))
    return out


def _decision(d: ActionDecision, zone: tzinfo | None) -> Json:
    out: Json = {"action": d.action, "decision": d.decision}
    if d.until is not None:
        out["until"] = format_moment(d.until, zone)
    return out
