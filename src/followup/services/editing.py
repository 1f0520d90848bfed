"""Correcting the record: edit or remove any fact, and take back a "done".

An edit is a JSON merge patch (RFC 7386) over the fact as `followup export` writes it: the
interchange document's field names and values, ``null`` to clear a field, an object to change
part of one (``{"notes": {"dana": "pricing"}}``). The patched fact is read back with the
interchange document's own checks, so an edit accepts exactly what an import would, and its
problems name the field (``person.email``). A time without a UTC offset is read in the
profile's time zone, and e-mail addresses and phone numbers are stored normalised, as when
they are added. Ids never change: they key skips, snoozes and the undo journal.

A removal refuses (``Dependents``) when other facts name what it removes — a person named in
interviews or touches, an opportunity holding people, interviews, touches or offers — unless
``cascade``: then the person leaves those interviews (an interview left with nobody goes) and
their touches go, or the opportunity goes with everything in it.

Each call is one unit of work, so one `followup undo` takes it back whole.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, cast

from followup.core import problems as core
from followup.core.interchange import FIELDS, VERSION, dump_document, parse_document
from followup.core.model import Achievement, Facts, Interview, Opportunity, Profile
from followup.core.problems import Problem
from followup.errors import Conflict, Dependents, InvalidInput, NotFound, UsageError

if TYPE_CHECKING:
    from followup.services.workspace import Workspace
    from followup.store.uow import UnitOfWork

Json = dict[str, Any]

#: the kinds inside an opportunity, and the list of the interchange document that holds each
LISTS: Final = {
    "person": "people",
    "interview": "interviews",
    "touch": "touches",
    "offer": "offers",
}
#: every kind of fact that can be edited and removed (the profile is set, never removed)
KINDS: Final = ("opportunity", *LISTS, "achievement")
#: what an edit applies to: every kind, and the profile
EDITABLE: Final = (*KINDS, "profile")
#: fields an edit may not name: ids key everything else; the lists are facts of their own;
#: which action a touch completed is `followup done`'s to say (`undone` takes it back)
FIXED: Final = frozenset({"id", "people", "interviews", "touches", "offers", "completes"})
#: fields (at any depth) holding a day or a moment: a time written without an offset there is
#: read in the profile's zone
_TIMES: Final = frozenset(
    {"at", "received", "expires", "decided", "states_date", "expected_by", "when", "recorded_at"}
)


def editable(kind: str) -> tuple[str, ...]:
    """The fields of ``kind`` an edit may change, in the document's order."""
    return tuple(f for f in FIELDS[kind] if f not in FIXED)


# --- edit -----------------------------------------------------------------------------------------


def edit(ws: Workspace, kind: str, ids: Sequence[str], patch: object) -> Json:
    """Apply ``patch`` (a merge patch of interchange fields) to the fact ``ids`` name —
    (opportunity), (opportunity, person|interview|touch|offer) or (achievement) — and return
    the fact as it now reads. An edit that changes nothing writes nothing."""
    fields = _check_patch(kind, patch)
    _check_ids(kind, ids)
    with ws.unit_of_work() as uow:
        profile = uow.profile()
        fields, found = _prepared(fields, profile)
        if kind == "achievement":
            return _edit_achievement(uow, profile, ids[0], fields)
        opp = uow.opportunity(ids[0])
        doc = _dump_opportunity(profile, opp)
        if kind == "opportunity":
            prefix, target = "opportunities[0]", doc
        else:
            index = _index_of(doc, kind, opp, ids[1])
            prefix = f"opportunities[0].{LISTS[kind]}[{index}]"
            target = doc[LISTS[kind]][index]
        patched = merge(target, fields)
        if patched == target:
            return target
        if kind == "opportunity":
            doc = patched
        else:
            doc[LISTS[kind]][index] = patched
        changed = _read_opportunity(profile, doc, prefix, kind, found)
        uow.restore_opportunity(opp.id, changed, uow.place(opp.id))
        new_doc = _dump_opportunity(profile, changed)
        if kind == "opportunity":
            return {k: v for k, v in new_doc.items() if k not in LISTS.values()}
        return cast(Json, new_doc[LISTS[kind]][index])


def merge(target: object, patch: object) -> Any:
    """RFC 7386: ``patch`` applied to ``target`` (None removes a field; objects merge)."""
    if not isinstance(patch, Mapping):
        return patch
    out = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge(out.get(key), value)
    return out


def _check_patch(kind: str, patch: object) -> Json:
    if kind not in EDITABLE:
        raise UsageError(f"unknown kind of fact '{kind}' (known: {', '.join(EDITABLE)})")
    if not isinstance(patch, Mapping):
        raise InvalidInput(
            [Problem(kind, f"expected an object of fields, got {core.describe(patch)}")]
        )
    found = []
    for key in patch:
        if key in FIXED and key in FIELDS[kind]:
            why = "ids never change" if key == "id" else "it is not edited here"
            found.append(Problem(f"{kind}.{key}", f"cannot be edited ({why})"))
        elif key not in FIELDS[kind]:
            known = ", ".join(editable(kind))
            found.append(Problem(f"{kind}.{key}", f"unknown field (editable: {known})"))
    if found:
        raise InvalidInput(found)
    if not patch:
        raise UsageError(f"nothing to change: name at least one field of the {kind}")
    if _depth(patch) > _DEEPEST:
        raise InvalidInput([Problem(kind, f"nests deeper than any {kind} does")])
    return dict(patch)


#: no fact nests deeper than this (an interview's next step is an object in an object)
_DEEPEST: Final = 4


def _depth(value: object, level: int = 0) -> int:
    """How deep ``value`` nests, counted no further than just past ``_DEEPEST``."""
    if level > _DEEPEST or not isinstance(value, Mapping | list):
        return level
    items = value.values() if isinstance(value, Mapping) else value
    return max((_depth(v, level + 1) for v in items), default=level + 1)


def _check_ids(kind: str, ids: Sequence[str]) -> None:
    wanted = 2 if kind in LISTS else 1
    if len(ids) != wanted:
        shape = f"an opportunity's id and the {kind}'s id" if wanted == 2 else f"the {kind}'s id"
        raise UsageError(f"name the {kind} by {shape}")


def _prepared(patch: Json, profile: Profile) -> tuple[Json, list[Problem]]:
    """``patch`` with times written without an offset placed in the profile's zone, and an
    e-mail address or phone number normalised (checked here, so a bad one names its field)."""
    from followup.core.timewin import zone

    tz = zone(profile.timezone)
    found: list[Problem] = []

    def place(key: str, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {k: place(k, v) for k, v in value.items()}
        if key in _TIMES and isinstance(value, str):
            when = core.iso_when(value.strip())
            if isinstance(when, datetime) and when.tzinfo is None:
                return when.replace(tzinfo=tz).isoformat()
        return value

    out = {k: place(k, v) for k, v in patch.items()}
    for key, parse in (("email", core.parse_email), ("phone", None)):
        value = out.get(key)
        if not isinstance(value, str):
            continue
        if not value.strip():
            out[key] = None
            continue
        if parse is not None:
            normal, problem = parse(value, f"person.{key}")
        else:
            normal, problem = core.parse_phone(value, f"person.{key}", profile.country)
        if problem is not None:
            found.append(problem)  # the value stays as given: the other checks still run
        else:
            out[key] = normal
    return out, found


def _dump_opportunity(profile: Profile, opp: Opportunity) -> Json:
    document = dump_document(Facts(profile=profile, opportunities=(opp,)))
    return cast(Json, cast(list[Any], document["opportunities"])[0])


def _index_of(doc: Json, kind: str, opp: Opportunity, item_id: str) -> int:
    items = doc.get(LISTS[kind], [])
    for index, item in enumerate(items):
        if item.get("id") == item_id:
            return index
    known = ", ".join(str(i.get("id")) for i in items if i.get("id")) or "none yet"
    raise NotFound(
        f"unknown {kind} '{item_id}' in opportunity '{opp.id}' (known: {known})",
        hint=f"`followup opportunity show {opp.id}` lists what it holds",
    )


def _read_opportunity(
    profile: Profile, doc: Json, prefix: str, kind: str, found: list[Problem]
) -> Opportunity:
    """The opportunity ``doc`` describes, read with the interchange checks (values stored
    already are taken as they are); problems (and ``found`` already) are named from the
    edited fact."""
    document = {"version": VERSION, "profile": _profile_doc(profile), "opportunities": [doc]}
    facts, more = parse_document(document, stored=True)
    if facts is None or found:
        raise InvalidInput(found + [_renamed(p, prefix, kind) for p in more])
    return facts.opportunities[0]


def _renamed(problem: Problem, prefix: str, kind: str) -> Problem:
    """``opportunities[0].people[2].email`` as ``person.email``; elsewhere in the
    opportunity as ``opportunity.…``."""
    path = problem.path
    if path == prefix or path.startswith((prefix + ".", prefix + "[")):
        return Problem(kind + path[len(prefix) :], problem.message)
    if path.startswith("opportunities[0]"):
        return Problem("opportunity" + path[len("opportunities[0]") :], problem.message)
    return problem


def _profile_doc(profile: Profile) -> Json:
    return cast(Json, dump_document(Facts(profile=profile))["profile"])


def _edit_achievement(uow: UnitOfWork, profile: Profile, item_id: str, patch: Json) -> Json:
    achievements = list(uow.achievements())
    document = dump_document(Facts(profile=profile, achievements=tuple(achievements)))
    items = cast(list[Json], document.get("achievements", []))
    index = next((n for n, a in enumerate(items) if a.get("id") == item_id), None)
    if index is None:
        raise _unknown_achievement(item_id, achievements)
    patched = merge(items[index], patch)
    if patched == items[index]:
        return items[index]
    items[index] = patched
    document["achievements"] = items
    facts, found = parse_document(document, stored=True)
    if facts is None:
        prefix = f"achievements[{index}]"
        raise InvalidInput([_renamed(p, prefix, "achievement") for p in found])
    uow.restore_achievements(facts.achievements)
    again = dump_document(Facts(profile=profile, achievements=facts.achievements))
    return cast(list[Json], again["achievements"])[index]


def _unknown_achievement(item_id: str, achievements: Sequence[Achievement]) -> NotFound:
    known = ", ".join(a.id for a in achievements if a.id) or "none yet"
    return NotFound(
        f"unknown achievement '{item_id}' (known: {known})",
        hint="`followup profile show` lists your achievements",
    )


def profile(ws: Workspace) -> Json:
    """The profile as the interchange document writes it."""
    with ws.units.reading(ws.candidate_pk) as work:
        return _profile_doc(work.profile())


def edit_profile(ws: Workspace, patch: object) -> Json:
    """Apply a merge patch to the profile (name, timezone, country, weekly_target)."""
    fields = _check_patch("profile", patch)
    with ws.unit_of_work() as uow:
        before = _profile_doc(uow.profile())
        patched = merge(before, fields)
        if patched == before:
            return before
        document = {"version": VERSION, "profile": patched, "opportunities": []}
        facts, found = parse_document(document, stored=True)
        if facts is None:
            raise InvalidInput([_renamed(p, "profile", "profile") for p in found])
        uow.set_profile(facts.profile)
        return _profile_doc(facts.profile)


# --- remove ---------------------------------------------------------------------------------------


def remove(ws: Workspace, kind: str, ids: Sequence[str], *, cascade: bool = False) -> list[str]:
    """Remove facts, all in one unit of work: opportunities or achievements by their ids, or
    the people, interviews, touches or offers ``ids[1:]`` of opportunity ``ids[0]``.

    Returns what went, in words ("person 'dana' (Dana Lee)", then what went with it)."""
    if kind not in KINDS:
        raise UsageError(f"unknown kind of fact '{kind}' (known: {', '.join(KINDS)})")
    if len(ids) < (2 if kind in LISTS else 1):
        raise UsageError(
            f"name the {kind} to remove" + (" after its opportunity" if kind in LISTS else "")
        )
    with ws.unit_of_work() as uow:
        if kind == "achievement":
            return _remove_achievements(uow, ids)
        if kind == "opportunity":
            gone: list[str] = []
            for opp_id in dict.fromkeys(ids):
                gone += _remove_opportunity(uow, uow.opportunity(opp_id), cascade)
            return gone
        opp = uow.opportunity(ids[0])
        gone = []
        for item_id in dict.fromkeys(ids[1:]):
            opp, went = _without(opp, kind, item_id, cascade)
            gone += went
        uow.restore_opportunity(opp.id, opp, uow.place(opp.id))
        return gone


def _remove_opportunity(uow: UnitOfWork, opp: Opportunity, cascade: bool) -> list[str]:
    inside = [
        _count(len(opp.people), "person", "people"),
        _count(len(opp.interviews), "interview", "interviews"),
        _count(len(opp.touches), "touch", "touches"),
        _count(len(opp.offers), "offer", "offers"),
    ]
    held = [part for part in inside if part]
    if held and not cascade:
        raise Dependents(
            f"opportunity '{opp.id}' ({opp.company} — {opp.role}) holds {_and(held)}",
            dependents=held,
        )
    uow.restore_opportunity(opp.id, None, None)
    return [f"opportunity '{opp.id}' ({opp.company} — {opp.role})", *held]


def _without(
    opp: Opportunity, kind: str, item_id: str, cascade: bool
) -> tuple[Opportunity, list[str]]:
    """``opp`` without its ``kind`` ``item_id`` (and, with ``cascade``, what names it)."""
    if kind == "person":
        return _without_person(opp, item_id, cascade)
    if kind == "interview":
        kept_i = tuple(i for i in opp.interviews if i.id != item_id)
        found, changed = len(kept_i) < len(opp.interviews), replace(opp, interviews=kept_i)
        known = [i.id for i in opp.interviews]
    elif kind == "touch":
        kept_t = tuple(t for t in opp.touches if t.id != item_id)
        found, changed = len(kept_t) < len(opp.touches), replace(opp, touches=kept_t)
        known = [t.id for t in opp.touches if t.id]
    else:
        kept_o = tuple(o for o in opp.offers if o.id != item_id)
        found, changed = len(kept_o) < len(opp.offers), replace(opp, offers=kept_o)
        known = [o.id for o in opp.offers]
    if not found:
        raise NotFound(
            f"unknown {kind} '{item_id}' in opportunity '{opp.id}' "
            f"(known: {', '.join(known) or 'none yet'})",
            hint=f"`followup opportunity show {opp.id}` lists what it holds",
        )
    return changed, [f"{kind} '{item_id}'"]


def _without_person(
    opp: Opportunity, person_id: str, cascade: bool
) -> tuple[Opportunity, list[str]]:
    person = opp.person(person_id)
    if person is None:
        known = ", ".join(p.id for p in opp.people) or "none yet"
        raise NotFound(
            f"unknown person '{person_id}' in opportunity '{opp.id}' (known: {known})",
            hint=f"`followup opportunity show {opp.id}` lists its people",
        )
    named_in = [i for i in opp.interviews if _names(i, person_id)]
    touches = [t for t in opp.touches if t.person == person_id]
    dependents = [f"interview '{i.id}'" for i in named_in]
    dependents += [f"touch '{t.id}'" if t.id else f"the touch of {t.at:%Y-%m-%d}" for t in touches]
    if dependents and not cascade:
        raise Dependents(
            f"person '{person_id}' ({person.name}) of opportunity '{opp.id}' is named in "
            f"{_and(dependents)}",
            dependents=dependents,
        )
    interviews, gone = [], [f"person '{person_id}' ({person.name})"]
    for interview in opp.interviews:
        if not _names(interview, person_id):
            interviews.append(interview)
            continue
        left = _leave(interview, person_id)
        if left.with_:
            interviews.append(left)
            gone.append(f"{person.name} from interview '{interview.id}'")
        else:
            gone.append(f"interview '{interview.id}' (nobody else was in it)")
    gone += [f"touch '{t.id}'" for t in touches]
    changed = replace(
        opp,
        people=tuple(p for p in opp.people if p.id != person_id),
        interviews=tuple(interviews),
        touches=tuple(t for t in opp.touches if t.person != person_id),
    )
    return changed, gone


def _names(interview: Interview, person_id: str) -> bool:
    step = interview.next_step
    return (
        person_id in interview.with_
        or person_id in interview.notes
        or (step is not None and step.who == person_id)
    )


def _leave(interview: Interview, person_id: str) -> Interview:
    step = interview.next_step
    if step is not None and step.who == person_id:
        step = replace(step, who=None)
    return replace(
        interview,
        with_=tuple(p for p in interview.with_ if p != person_id),
        notes={k: v for k, v in interview.notes.items() if k != person_id},
        next_step=step,
    )


def _remove_achievements(uow: UnitOfWork, ids: Sequence[str]) -> list[str]:
    achievements = uow.achievements()
    for item_id in ids:
        if all(a.id != item_id for a in achievements):
            raise _unknown_achievement(item_id, achievements)
    kept = tuple(a for a in achievements if a.id not in ids)
    uow.restore_achievements(kept)
    return [f"achievement '{a.id}' ({a.title})" for a in achievements if a.id in ids]


def _count(n: int, one: str, many: str) -> str:
    return "" if n == 0 else f"1 {one}" if n == 1 else f"{n} {many}"


def _and(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


# --- take back a done -------------------------------------------------------------------------


def undone(ws: Workspace, action_id: str) -> str:
    """Take back `followup done ACTION`: remove the touch it logged, so the action is planned
    again (its skip or snooze, lifted by done, stays lifted). Returns the touch's id.

    An action completed some other way (a touch logged by hand, their call) is not undone
    here: the touch that did it is a fact of its own, removed with `followup touch rm`."""
    with ws.unit_of_work() as uow:
        row = uow.action(action_id)
        if row is None or not row.opportunity:
            raise NotFound(
                f"unknown action '{action_id}'",
                hint="`followup plan --all` lists every action with its id",
            )
        opp = uow.opportunity(row.opportunity)
        logged = [t for t in opp.touches if t.completes == action_id]
        if not logged:
            raise Conflict(
                f"action '{action_id}' was not marked done with `followup done`",
                hint=f"if a touch you logged did it, `followup opportunity show {opp.id}` lists "
                f"them and `followup touch rm {opp.id} TOUCH` removes one",
            )
        changed = replace(opp, touches=tuple(t for t in opp.touches if t.completes != action_id))
        uow.restore_opportunity(opp.id, changed, uow.place(opp.id))
        return ", ".join(str(t.id) for t in logged)
