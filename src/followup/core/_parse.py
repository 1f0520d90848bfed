"""Reading an interchange document into facts: the schema, checked field by field.

Every field of the document is read through :class:`~followup.core._read.Obj`, which records a
:class:`~followup.core.problems.Problem` (with its JSON path) instead of raising, so one pass
reports everything that is wrong. Nothing is built unless the whole document is valid.
References to people are checked against the ids as written in the same opportunity, so one
misspelt id is reported once, not again at every interview that names it.

Versions: 2 adds ``touches[].completes`` (the planned action a touch completed, and its rule),
``touches[].outcome`` and ``offers[].decision``/``decided`` (your answer to an offer); a
version-1 document reads as before, its touches completing nothing and its offers held.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, Literal, TypeVar, cast

from followup.core import problems as _problems
from followup.core._read import Obj
from followup.core.model import (
    ACTORS,
    CHANNELS,
    DECISIONS,
    DIRECTIONS,
    OFFER_DECISIONS,
    OPPORTUNITY_STATUSES,
    ROLES,
    TOUCH_KINDS,
    TOUCH_OUTCOMES,
    Achievement,
    ActionDecision,
    Actor,
    Channel,
    Decision,
    Direction,
    Facts,
    Interview,
    NextStep,
    Offer,
    Opportunity,
    Person,
    Profile,
    Role,
    Touch,
)
from followup.core.problems import (
    MAX_DURATION_MINUTES,
    MAX_RANK,
    MAX_TOPIC_LENGTH,
    MAX_TOPICS,
    MAX_WEEKLY_TARGET,
    Problem,
    check_id,
    check_text,
    child,
    describe,
    show,
)
from followup.core.rules import RULES

#: The version `followup export` writes; every version in ``VERSIONS`` imports.
VERSION: Final = 2
VERSIONS: Final = (1, 2)
#: The playbook's rules, as action ids and ``completes.rule`` name them (from the registry).
RULE_NAMES: Final = tuple(rule.id for rule in RULES)

# Field names in the order export writes them; parsing refuses any other.
_TOP: Final = ("version", "profile", "opportunities", "achievements", "decisions")
_PROFILE: Final = ("name", "timezone", "country", "weekly_target")
_OPPORTUNITY_V1: Final = (
    "id", "company", "role", "applied", "source", "url", "rank", "status", "decision",
    "people", "interviews", "touches", "offers",
)  # fmt: skip
_OPPORTUNITY: Final = (*_OPPORTUNITY_V1[:4], "recorded_at", *_OPPORTUNITY_V1[4:])
_DECISION: Final = ("expected_by", "process")
_PERSON: Final = ("id", "name", "role", "has_vote", "key", "email", "phone", "timezone", "topics")
_INTERVIEW: Final = ("id", "at", "duration_minutes", "kind", "with", "notes", "next_step")
_NEXT_STEP: Final = ("what", "when", "who", "channel", "acts")
_TOUCH_V1: Final = (
    "id", "at", "person", "channel", "direction", "kind", "summary", "body", "states_date",
)  # fmt: skip
_TOUCH: Final = (*_TOUCH_V1, "completes", "acts", "outcome")
_COMPLETES: Final = ("action", "rule")
_OFFER_V1: Final = ("id", "received", "expires")
_OFFER: Final = (*_OFFER_V1, "decision", "decided")
_ACHIEVEMENT: Final = ("id", "at", "kind", "title", "tags")
_ACTION_DECISION: Final = ("action", "decision", "until")

#: Each kind of fact's fields, as the current version writes them (what an edit may name).
FIELDS: Final = {
    "profile": _PROFILE,
    "opportunity": _OPPORTUNITY,
    "person": _PERSON,
    "interview": _INTERVIEW,
    "touch": _TOUCH,
    "offer": _OFFER,
    "achievement": _ACHIEVEMENT,
}

_T = TypeVar("_T")


class _Unique:
    """Remembers the ids of one kind seen so far, to report a repeat with where it came first."""

    __slots__ = ("first", "kind", "problems")

    def __init__(self, kind: str, problems: list[Problem]) -> None:
        self.kind = kind
        self.problems = problems
        self.first: dict[str, str] = {}

    def add(self, value: str | None, path: str) -> None:
        if value is None:
            return
        if value in self.first:
            first = self.first[value]
            self.problems.append(
                Problem(path, f"duplicate {self.kind} {show(value)} (first at {first})")
            )
        else:
            self.first[value] = path


class _People:
    """The person ids of one opportunity, as written, to check references against."""

    __slots__ = ("ids", "label", "problems", "version")

    def __init__(
        self, ids: set[str], opportunity_id: object, problems: list[Problem], version: int
    ) -> None:
        self.ids = ids
        self.label = (
            f"in opportunity {show(opportunity_id)}"
            if isinstance(opportunity_id, str)
            else "in this opportunity"
        )
        self.problems = problems
        self.version = version

    def check(self, value: object, path: str) -> str | None:
        """``value`` if it names a person of this opportunity; otherwise report and None."""
        if isinstance(value, str) and value in self.ids:
            return value
        problem = check_id(value, path) or Problem(
            path, f"unknown person {show(value)} {self.label}"
        )
        self.problems.append(problem)
        return None

    def field(self, obj: Obj, key: str, *, required: bool) -> str | None:
        """The person named by field ``key`` of ``obj``."""
        if obj.absent(key, required=required):
            return None
        return self.check(obj.data[key], obj.at(key))


def _each(
    o: Obj, key: str, kind: str, build: Callable[[object, str], _T | None], id_key: str = "id"
) -> tuple[tuple[_T, ...], set[str]]:
    """Build every element of the list field ``key``, and check that their ids are unique.

    Returns what was built and the ids as written (valid or not), so that references can be
    checked against them without reporting one bad id again at each use.
    """
    unique = _Unique(kind, o.problems)
    built: list[_T] = []
    for path, item in o.items(key):
        value = build(item, path)
        if value is not None:
            built.append(value)
        if isinstance(item, dict) and isinstance(item.get(id_key), str):
            unique.add(item[id_key], child(path, id_key))
    return tuple(built), set(unique.first)


class _Contacts:
    """How people's e-mail addresses and phone numbers are read: checked and normalised, a
    phone number without its country code as dialled in ``region`` (the profile's country);
    or, for values ``stored`` already, kept as they are."""

    __slots__ = ("region", "stored")

    def __init__(self, region: str | None, *, stored: bool) -> None:
        self.region = region
        self.stored = stored


def parse_document(obj: object, *, stored: bool = False) -> tuple[Facts | None, list[Problem]]:
    """Validate a whole interchange document; ``(facts, [])`` or ``(None, every problem)``.

    E-mail addresses and phone numbers are checked and normalised, unless the document holds
    values ``stored`` already (a journal, a backup written back): those are kept as they are,
    so a value an older release accepted never stops them from reading."""
    problems: list[Problem] = []
    doc = Obj.open(obj, "", problems, _TOP)
    if doc is None:
        return None, problems
    given = doc.data.get("version")
    version = VERSION
    if "version" not in doc.data:
        versions = " or ".join(map(str, VERSIONS))
        problems.append(
            Problem("document", f"missing required field 'version' ({versions}; this is {VERSION})")
        )
    elif type(given) is not int or given not in VERSIONS:
        # Another version has another schema: its other "problems" would only mislead.
        return None, [_unsupported(given)]
    else:
        version = given
    profile = _profile(doc.obj("profile", _PROFILE, required=True))
    # without a readable profile the document fails anyway: its phone numbers are not read
    contacts = _Contacts(profile.country if profile else None, stored=stored or profile is None)
    opportunities, _ = _each(
        doc,
        "opportunities",
        "opportunity id",
        lambda v, p: _opportunity(v, p, problems, version, contacts),
    )
    achievements, _ = _each(
        doc, "achievements", "achievement id", lambda v, p: _achievement(v, p, problems)
    )
    decisions, _ = _each(
        doc,
        "decisions",
        "decision for action",
        lambda v, p: _action_decision(v, p, problems),
        id_key="action",
    )
    if problems or profile is None:
        return None, problems
    facts = Facts(
        profile=profile,
        opportunities=opportunities,
        achievements=achievements,
        decisions=decisions,
    )
    return facts, []


def _unsupported(version: object) -> Problem:
    versions = " or ".join(map(str, VERSIONS))
    message = f"{show(version)} is not supported (expected {versions})"
    if type(version) is int and version > VERSION:
        message += "; a newer followup wrote it: upgrade followup to import it"
    return Problem("version", message)


def _profile(p: Obj | None) -> Profile | None:
    if p is None:
        return None
    name = p.text("name", required=True)
    timezone = p.zone("timezone", required=True)
    country = p.country("country", required=True)
    weekly_target = p.integer("weekly_target", 0, MAX_WEEKLY_TARGET)
    if name is None or timezone is None or country is None:
        return None
    return Profile(name=name, timezone=timezone, country=country, weekly_target=weekly_target)


def _opportunity(
    value: object, path: str, problems: list[Problem], version: int, contacts: _Contacts
) -> Opportunity | None:
    known_fields: tuple[str, ...] = _OPPORTUNITY
    if version < 2:
        known_fields = _OPPORTUNITY_V1
        if isinstance(value, dict) and "recorded_at" in value:
            problems.append(
                Problem(
                    child(path, "recorded_at"),
                    "only a version 2 document says when an opportunity was recorded: set "
                    '"version": 2 at the top of the document',
                )
            )
            value = {k: v for k, v in value.items() if k != "recorded_at"}
    o = Obj.open(value, path, problems, known_fields)
    if o is None:
        return None
    oid = o.ident("id")
    company = o.text("company", required=True, nonblank=True)
    role = o.text("role", required=True, nonblank=True)
    applied = o.day("applied")
    recorded_at = o.moment("recorded_at")
    source = o.text("source")
    url = o.text("url")
    rank = o.integer("rank", 1, MAX_RANK)
    status = o.choice("status", OPPORTUNITY_STATUSES)
    decision = _decision(o.obj("decision", _DECISION))

    people, person_ids = _each(
        o, "people", "person id", lambda v, p: _person(v, p, problems, contacts)
    )
    known = _People(person_ids, o.data.get("id"), problems, version)
    interviews, _ = _each(o, "interviews", "interview id", lambda v, p: _interview(v, p, known))
    touches, _ = _each(o, "touches", "touch id", lambda v, p: _touch(v, p, known))
    _completed_once(o)
    offers, _ = _each(o, "offers", "offer id", lambda v, p: _offer(v, p, problems, version))

    if oid is None or company is None or role is None:
        return None
    return Opportunity(
        id=oid,
        company=company,
        role=role,
        applied=applied,
        source=source,
        url=url,
        rank=rank,
        status=status or "active",
        decision=decision,
        people=people,
        interviews=interviews,
        touches=touches,
        offers=offers,
        recorded_at=recorded_at,
    )


def _completed_once(o: Obj) -> None:
    """Each planned action is completed by one touch at most (`followup done` logs one)."""
    raw = o.data.get("touches")
    first: dict[str, str] = {}
    for n, touch in enumerate(raw if isinstance(raw, list) else []):
        completes = touch.get("completes") if isinstance(touch, dict) else None
        action = completes.get("action") if isinstance(completes, dict) else None
        if not isinstance(action, str):
            continue
        where = _problems.item(o.at("touches"), n)
        if action in first:
            o.problems.append(
                Problem(
                    child(where, "completes"),
                    f"action {show(action)} is completed already, by {first[action]}: a touch "
                    "completes an action once",
                )
            )
        else:
            first[action] = where


def _decision(d: Obj | None) -> Decision | None:
    if d is None:
        return None
    expected_by = d.when("expected_by")
    process = d.text("process")
    if expected_by is None and process is None:
        return None
    return Decision(expected_by=expected_by, process=process)


def _person(
    value: object, path: str, problems: list[Problem], contacts: _Contacts
) -> Person | None:
    p = Obj.open(value, path, problems, _PERSON)
    if p is None:
        return None
    pid = p.ident("id")
    name = p.text("name", required=True, nonblank=True)
    role = p.choice("role", ROLES, required=True)
    has_vote = p.boolean("has_vote")
    key = p.boolean("key")
    if contacts.stored:
        email, phone = p.text("email"), p.text("phone")
    else:
        email, phone = p.email("email"), p.phone("phone", contacts.region)
    timezone = p.zone("timezone")
    topics: list[str] = []
    for n, (topic_path, topic) in enumerate(p.items("topics")):
        problem = check_text(topic, topic_path, nonblank=True)
        if problem is None and n >= MAX_TOPICS:
            problem = Problem(
                topic_path, f"at most {MAX_TOPICS} topics: what one message can mention"
            )
        if problem is None and len(cast(str, topic)) > MAX_TOPIC_LENGTH:
            problem = Problem(
                topic_path, f"a topic is a few words (at most {MAX_TOPIC_LENGTH} characters)"
            )
        if problem:
            problems.append(problem)
        else:
            topics.append(cast(str, topic).strip())
    if pid is None or name is None or role is None:
        return None
    return Person(
        id=pid,
        name=name,
        role=cast(Role, role),
        has_vote=True if has_vote is None else has_vote,
        key=bool(key),
        email=email,
        phone=phone,
        timezone=timezone,
        topics=tuple(topics),
    )


def _interview(value: object, path: str, people: _People) -> Interview | None:
    i = Obj.open(value, path, people.problems, _INTERVIEW)
    if i is None:
        return None
    iid = i.ident("id")
    at = i.moment("at", required=True)
    duration = i.integer("duration_minutes", 1, MAX_DURATION_MINUTES)
    kind = i.text("kind")
    with_ = _attendees(i, people)
    notes = _notes(i, people)
    next_step = _next_step(i.obj("next_step", _NEXT_STEP), people)
    if iid is None or at is None or with_ is None:
        return None
    return Interview(
        id=iid,
        at=at,
        with_=with_,
        duration_minutes=60 if duration is None else duration,
        kind=kind,
        notes=notes,
        next_step=next_step,
    )


def _attendees(i: Obj, people: _People) -> tuple[str, ...] | None:
    """The ``with`` list: at least one person, each of this opportunity, none twice."""
    attendees: list[str] = []
    seen: set[str] = set()
    count = 0
    for item_path, item in i.items("with", required=True):
        count += 1
        pid = people.check(item, item_path)
        if pid is not None and pid in seen:
            people.problems.append(Problem(item_path, f"{show(pid)} is listed twice"))
        elif pid is not None:
            seen.add(pid)
            attendees.append(pid)
    if count == 0 and isinstance(i.data.get("with"), list):
        people.problems.append(Problem(i.at("with"), "must name at least one person"))
    return tuple(attendees) if count else None


def _notes(i: Obj, people: _People) -> dict[str, str]:
    """``notes``: what was discussed with each person, keyed by person id."""
    notes: dict[str, str] = {}
    if not i.given("notes"):
        return notes
    value = i.data["notes"]
    base = i.at("notes")
    if not isinstance(value, dict):
        people.problems.append(
            Problem(base, f"expected an object keyed by person id, got {describe(value)}")
        )
        return notes
    for key, text in value.items():
        key_path = child(base, str(key))
        pid = people.check(key, key_path)
        problem = check_text(text, key_path)
        if problem:
            people.problems.append(problem)
        elif pid is not None:
            notes[pid] = cast(str, text)
    return notes


def _next_step(n: Obj | None, people: _People) -> NextStep | None:
    if n is None:
        return None
    what = n.text("what", required=True, nonblank=True)
    when = n.when("when", required=True)
    who = people.field(n, "who", required=False)
    channel = n.choice("channel", CHANNELS)
    acts = n.choice("acts", ACTORS)
    if what is None or when is None:
        return None
    return NextStep(
        what=what,
        when=when,
        who=who,
        channel=cast("Channel | None", channel),
        acts=cast("Actor | None", acts),
    )


def _touch(value: object, path: str, people: _People) -> Touch | None:
    known: tuple[str, ...] = _TOUCH
    if people.version < 2:
        known = _TOUCH_V1
        if isinstance(value, dict) and "completes" in value:
            people.problems.append(
                Problem(
                    child(path, "completes"),
                    "only a version 2 document says which action a touch completed: set "
                    '"version": 2 at the top of the document',
                )
            )
            value = {k: v for k, v in value.items() if k != "completes"}
    t = Obj.open(value, path, people.problems, known)
    if t is None:
        return None
    tid = t.ident("id", required=False)
    at = t.moment("at", required=True)
    person = people.field(t, "person", required=True)
    channel = t.choice("channel", CHANNELS, required=True)
    direction = t.choice("direction", DIRECTIONS, required=True)
    kind = t.choice("kind", TOUCH_KINDS, required=True)
    summary = t.text("summary")
    body = t.text("body")
    states_date = t.when("states_date")
    acts = t.choice("acts", ACTORS)
    if acts is not None and not t.given("states_date"):
        people.problems.append(
            Problem(child(path, "acts"), "says who acts on a named date: give `states_date` too")
        )
    outcome = t.choice("outcome", TOUCH_OUTCOMES)
    completes = t.obj("completes", _COMPLETES)
    action = rule = None
    if completes is not None:
        action = completes.action_id("action", required=True)
        rule = completes.choice("rule", RULE_NAMES, required=True)
    if at is None or person is None or channel is None or direction is None or kind is None:
        return None
    return Touch(
        at=at,
        person=person,
        channel=cast(Channel, channel),
        direction=cast(Direction, direction),
        kind=kind,
        id=tid,
        summary=summary,
        body=body,
        states_date=states_date,
        completes=action,
        completes_rule=rule,
        acts=cast("Actor | None", acts),
        outcome=outcome,
    )


def _offer(value: object, path: str, problems: list[Problem], version: int) -> Offer | None:
    if version < 2 and isinstance(value, dict) and "decision" in value:
        problems.append(
            Problem(
                child(path, "decision"),
                "only a version 2 document holds your answer to an offer: set "
                '"version": 2 at the top of the document',
            )
        )
        value = {k: v for k, v in value.items() if k not in ("decision", "decided")}
    f = Obj.open(value, path, problems, _OFFER if version >= 2 else _OFFER_V1)
    if f is None:
        return None
    oid = f.ident("id")
    received = f.when("received", required=True)
    expires = f.when("expires")
    decision = f.choice("decision", OFFER_DECISIONS)
    decided = f.moment("decided", required=f.given("decision"))
    if f.given("decided") and not f.given("decision"):
        problems.append(
            Problem(f.at("decided"), "says when you answered the offer: give `decision` too")
        )
    if oid is None or received is None:
        return None
    return Offer(
        id=oid,
        received=received,
        expires=expires,
        decision=cast("Literal['accepted', 'declined'] | None", decision),
        decided=decided,
    )


def _achievement(value: object, path: str, problems: list[Problem]) -> Achievement | None:
    a = Obj.open(value, path, problems, _ACHIEVEMENT)
    if a is None:
        return None
    aid = a.ident("id", required=False)
    at = a.when("at", required=True)
    kind = a.text("kind", required=True, nonblank=True)
    title = a.text("title", required=True, nonblank=True)
    tags: list[str] = []
    for tag_path, tag in a.items("tags"):
        problem = check_text(tag, tag_path, nonblank=True)
        if problem:
            problems.append(problem)
        else:
            tags.append(cast(str, tag))
    if at is None or kind is None or title is None:
        return None
    return Achievement(at=at, kind=kind, title=title, id=aid, tags=tuple(tags))


def _action_decision(value: object, path: str, problems: list[Problem]) -> ActionDecision | None:
    d = Obj.open(value, path, problems, _ACTION_DECISION)
    if d is None:
        return None
    action = d.text("action", required=True, nonblank=True)
    decision = d.choice("decision", DECISIONS, required=True)
    until = None
    if decision == "snoozed":
        until = d.moment("until", required=True)
    elif decision is not None and d.given("until"):
        problems.append(
            Problem(d.at("until"), f"only a snoozed action has 'until' (this one is {decision})")
        )
    if action is None or decision is None or (decision == "snoozed" and until is None):
        return None
    return ActionDecision(
        action=action,
        decision=cast(Literal["skipped", "snoozed"], decision),
        until=until,
    )
