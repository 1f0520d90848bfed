"""The undo journal: each committed write of a candidate's facts, with the parts it changed as
they were before and after.

A unit of work remembers each part of the candidate's facts just before its first write to it:
an opportunity (as its interchange JSON, with everything in it, or absent), the profile, the
achievements, the user's decision on one action. At commit the same parts are read again, and
one journal row keeps both states. `undo` writes the "before" parts back, `redo` the "after"
ones. Ids are the user's own and are kept, so action ids, and the skips and snoozes keyed by
them, stay as they were. A new write after an undo drops what could have been redone.

Only facts are journalled (what `followup export` holds); the reading list, draft edits, mail
and calendar settings are not. The journal keeps the last ``KEEP`` writes of each candidate.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, cast

from followup.core.model import ActionDecision, Facts, Opportunity
from followup.errors import NotFound
from followup.store.load import load_achievements, load_opportunities, load_profile
from followup.store.sql import among, chunks, read_moment

if TYPE_CHECKING:
    from followup.core.interchange import Json
    from followup.store.sql import Db
    from followup.store.uow import UnitOfWork

#: The writes kept per candidate (older ones can no longer be undone).
KEEP: Final = 100

#: A part of a candidate's facts: ("opportunity", id), ("profile", ""), ("achievements", ""),
#: or ("decision", action id).
Part = tuple[str, str]

# -- the statements (``undone`` is a boolean: 0 and 1 on SQLite) -------------------------------

_OPPORTUNITY_ID = "SELECT id FROM opportunity WHERE pk = ?"
_OPPORTUNITY_IDS = "SELECT id FROM opportunity WHERE candidate_pk = ?"
_OPPORTUNITY_PLACES = "SELECT id, pk, position FROM opportunity WHERE candidate_pk = ? AND id IN"
_DECISION_ACTIONS = "SELECT action FROM action_decision WHERE candidate_pk = ?"
_DECISION = "SELECT decision, until FROM action_decision WHERE candidate_pk = ? AND action = ?"

#: a new write drops what could have been redone
_DROP_UNDONE = "DELETE FROM journal WHERE candidate_pk = ? AND undone"
_LAST_SEQ = "SELECT max(seq) FROM journal WHERE candidate_pk = ?"
#: the writes older than the last ``KEEP``
_DROP_OLDEST = "DELETE FROM journal WHERE candidate_pk = ? AND seq <= ?"
_HISTORY = """
SELECT seq, at, label, summary, undone FROM journal WHERE candidate_pk = ? ORDER BY seq DESC
"""
#: the write to undo (the newest not undone) and to redo (the oldest undone), with its parts
_TO_UNDO = """
SELECT seq, at, label, summary, before FROM journal WHERE candidate_pk = ? AND NOT undone
ORDER BY seq DESC LIMIT 1
"""
_TO_REDO = """
SELECT seq, at, label, summary, after FROM journal WHERE candidate_pk = ? AND undone
ORDER BY seq ASC LIMIT 1
"""


class Recorder:
    """What one unit of work changed, part by part, as it was before its first write."""

    def __init__(self, db: Db, candidate_pk: int) -> None:
        self._db = db
        self._candidate_pk = candidate_pk
        self.before: dict[Part, Any] = {}
        self.positions: dict[str, int] = {}  # opportunity id -> its place in the list
        #: the opportunities as `entry` read them after the work's writes, by pk: planning
        #: them before commit need not read them again
        self.after: dict[int, Opportunity] = {}

    def remember(self, part: Part) -> None:
        self.remember_all([part])

    def remember_all(self, parts: list[Part]) -> None:
        """`remember` for many parts, the opportunities read together."""
        new = [p for p in dict.fromkeys(parts) if p not in self.before]
        self.before.update(read_parts(self._db, self._candidate_pk, new, self.positions))

    def remember_opportunity_pk(self, opportunity_pk: int) -> None:
        found = self._db.scalar(_OPPORTUNITY_ID, (opportunity_pk,))
        if found is not None:
            self.remember(("opportunity", found))

    def remember_everything(self) -> None:
        """Before a whole import: every part there is."""
        db, pk = self._db, self._candidate_pk
        parts = [("opportunity", opp_id) for opp_id in db.column(_OPPORTUNITY_IDS, (pk,))]
        parts += [("decision", action) for action in db.column(_DECISION_ACTIONS, (pk,))]
        self.remember_all([*parts, ("profile", ""), ("achievements", "")])

    def entry(self, label: str, now: datetime) -> dict[str, Any] | None:
        """The journal row of this work (None when it changed nothing journalled)."""
        if not self.before:
            return None
        after = read_parts(self._db, self._candidate_pk, list(self.before), {}, self.after)
        changed = [p for p in self.before if self.before[p] != after[p]]
        if not changed:
            return None
        return {
            "at": now,
            "label": label,
            "summary": json.dumps(summary(changed, self.before, after)),
            "before": _dumps({p: self.before[p] for p in changed}, self.positions),
            "after": _dumps({p: after[p] for p in changed}, self.positions),
        }


def read_parts(
    db: Db,
    candidate_pk: int,
    parts: list[Part],
    positions: dict[str, int],
    loaded_into: dict[int, Opportunity] | None = None,
) -> dict[Part, Any]:
    """Parts as plain JSON values (None: absent); the opportunities with a few queries in all
    (an import journals a thousand of them), also kept by pk in ``loaded_into``."""
    found = {p: read_part(db, candidate_pk, p) for p in parts if p[0] != "opportunity"}
    wanted = [key for kind, key in parts if kind == "opportunity"]
    if not wanted:  # a skip or a snooze: no opportunity to read (nor the interchange to import)
        return found
    places: dict[str, tuple[int, int]] = {}
    for chunk in chunks(wanted):
        query = f"{_OPPORTUNITY_PLACES} {among(len(chunk))}"
        places.update((i, (pk, at)) for i, pk, at in db.rows(query, (candidate_pk, *chunk)))
    loaded = load_opportunities(db, candidate_pk, [pk for pk, _ in places.values()])
    if loaded_into is not None:
        loaded_into.update(loaded)
    document = _document(Facts(opportunities=tuple(o for _, o in loaded)))
    dumped = cast("list[Any]", document.get("opportunities", []))
    as_json = {opp.id: doc for (_, opp), doc in zip(loaded, dumped, strict=True)}
    for key in wanted:
        if key in places:
            positions.setdefault(key, places[key][1])
        found["opportunity", key] = as_json.get(key)
    return {p: found[p] for p in parts}


def read_part(db: Db, candidate_pk: int, part: Part) -> Any:
    """One part other than an opportunity (`read_parts` reads those) as plain JSON values
    (None: absent)."""
    kind, key = part
    if kind == "profile":
        return _document(Facts(profile=load_profile(db, candidate_pk)))["profile"]
    if kind == "achievements":
        facts = Facts(achievements=load_achievements(db, candidate_pk))
        return _document(facts).get("achievements", [])
    row = db.first(_DECISION, (candidate_pk, key))
    if row is None:
        return None
    until = read_moment(row[1])  # in UTC
    return [row[0], until.isoformat() if until is not None else None]


def _document(facts: Facts) -> Json:
    """The interchange document of ``facts``. ``core.interchange`` is imported here, not with
    this module: importing it takes ~60 ms, which a write that journals only a decision (a
    skip, a snooze) need not pay."""
    from followup.core.interchange import dump_document

    return dump_document(facts)


def summary(changed: list[Part], before: dict[Part, Any], after: dict[Part, Any]) -> list[str]:
    """What a write changed, in words: one line per part."""
    lines = []
    for part in changed:
        kind, key = part
        was, now = before[part], after[part]
        verb = "added" if was is None else "removed" if now is None else "changed"
        if kind == "opportunity":
            lines.append(f"opportunity {key} {verb}" + _inside(was, now))
        elif kind == "decision":
            lines.append(f"{key}: " + (now[0] if now else "no longer " + str(was[0])))
        else:
            lines.append(f"{kind} {verb}")
    return lines


def _inside(was: dict[str, Any] | None, now: dict[str, Any] | None) -> str:
    """' (1 touch added, status changed)': what changed inside an opportunity."""
    if was is None or now is None:
        return ""
    notes = []
    for field in ("people", "interviews", "touches", "offers"):
        a, b = len(was.get(field, [])), len(now.get(field, []))
        if a != b:
            diff = b - a
            noun = _ONE[field] if abs(diff) == 1 else field
            notes.append(f"{abs(diff)} {noun} {'added' if diff > 0 else 'removed'}")
        elif was.get(field) != now.get(field):
            notes.append(f"{field} changed")
    for field in sorted((set(was) | set(now)) - {"people", "interviews", "touches", "offers"}):
        if was.get(field) != now.get(field):
            notes.append(f"{field} changed")
    return f" ({', '.join(notes)})" if notes else ""


_ONE: Final = {"people": "person", "interviews": "interview", "touches": "touch", "offers": "offer"}


def _dumps(parts: dict[Part, Any], positions: dict[str, int]) -> str:
    return json.dumps(
        [
            {"kind": k, "key": key, "value": v, "position": positions.get(key)}
            for (k, key), v in parts.items()
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )


# -- the journal rows ---------------------------------------------------------------------------


def append(db: Db, candidate_pk: int, entry: dict[str, Any]) -> None:
    """Keep ``entry`` (as `Recorder.entry` makes it); what was undone can no longer be redone,
    and the oldest go."""
    db.run(_DROP_UNDONE, (candidate_pk,))
    seq = (db.scalar(_LAST_SEQ, (candidate_pk,)) or 0) + 1
    db.insert("journal", [{"candidate_pk": candidate_pk, "seq": seq, "undone": False, **entry}])
    db.run(_DROP_OLDEST, (candidate_pk, seq - KEEP))


class Entry:
    """One journalled write, as `followup history` shows it."""

    def __init__(self, seq: int, at: datetime, label: str, lines: list[str], undone: bool) -> None:
        self.seq, self.at, self.label, self.lines, self.undone = seq, at, label, lines, undone


def history(db: Db, candidate_pk: int, limit: int | None = None) -> list[Entry]:
    """The journalled writes, newest first (undone ones included, marked)."""
    sql, params = _HISTORY, [candidate_pk]
    if limit:
        sql, params = f"{sql} LIMIT ?", [candidate_pk, limit]
    return [
        Entry(seq, _moment(at), label, _lines(text), bool(undone))
        for seq, at, label, text, undone in db.rows(sql, params)
    ]


def _moment(value: Any) -> datetime:
    """A journal row's ``at`` (never null)."""
    return cast("datetime", read_moment(value))


def _lines(text: str) -> list[str]:
    """A row's summary (a JSON list of lines); nothing when it does not read."""
    try:
        return [str(x) for x in json.loads(text)]
    except (TypeError, ValueError):
        return []


def step(work: UnitOfWork, *, back: bool) -> Entry:
    """Undo the newest write not undone yet (``back``), or redo the oldest undone one."""
    db, pk = work.db, work.candidate_pk
    row = db.first(_TO_UNDO if back else _TO_REDO, (pk,))
    if row is None:
        raise NotFound("nothing to undo" if back else "nothing to redo")
    seq, at, label, text, parts = row
    restore(work, json.loads(parts))
    db.update("journal", {"undone": back}, "candidate_pk = ? AND seq = ?", (pk, seq))
    return Entry(seq, _moment(at), label, _lines(text), back)


def restore(work: UnitOfWork, parts: list[dict[str, Any]]) -> None:
    """Write each part back as it is given (None: absent)."""
    from followup.core.interchange import VERSION, parse_document

    profile = None
    for part in parts:
        kind, key, value = part["kind"], part["key"], part["value"]
        if kind == "opportunity":
            opp = None
            if value is not None:
                if profile is None:
                    profile = read_part(work.db, work.candidate_pk, ("profile", ""))
                document = {"version": VERSION, "profile": profile, "opportunities": [value]}
                facts, problems = parse_document(document, stored=True)
                if facts is None:
                    raise ValueError(
                        f"the journal holds an opportunity that no longer reads: {problems}"
                    )
                opp = facts.opportunities[0]
            work.restore_opportunity(key, opp, part.get("position"))
        elif kind == "profile":
            facts, _ = parse_document(
                {"version": VERSION, "profile": value, "opportunities": []}, stored=True
            )
            if facts is not None:
                work.set_profile(facts.profile)
        elif kind == "achievements":
            document = {
                "version": VERSION,
                "profile": {"name": "", "timezone": "UTC", "country": "US"},
            }
            facts, _ = parse_document(
                document | {"opportunities": [], "achievements": value}, stored=True
            )
            if facts is not None:
                work.restore_achievements(facts.achievements)
        elif kind == "decision":
            if value is None:
                work.clear_decision(key, missing_ok=True)
            else:
                until = datetime.fromisoformat(value[1]) if value[1] else None
                work.set_decision(ActionDecision(key, value[0], until))
