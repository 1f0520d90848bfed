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
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, cast

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection

from followup.core.interchange import VERSION, dump_document, parse_document
from followup.core.model import ActionDecision, Facts
from followup.errors import NotFound
from followup.store.load import load_achievements, load_opportunities, load_profile
from followup.store.schema import ActionDecisionRow, JournalRow, OpportunityRow

if TYPE_CHECKING:
    from followup.store.uow import UnitOfWork

#: The writes kept per candidate (older ones can no longer be undone).
KEEP: Final = 100

#: A part of a candidate's facts: ("opportunity", id), ("profile", ""), ("achievements", ""),
#: or ("decision", action id).
Part = tuple[str, str]


class Recorder:
    """What one unit of work changed, part by part, as it was before its first write."""

    def __init__(self, conn: Connection, candidate_pk: int) -> None:
        self._conn = conn
        self._candidate_pk = candidate_pk
        self.before: dict[Part, Any] = {}
        self.positions: dict[str, int] = {}  # opportunity id -> its place in the list

    def remember(self, part: Part) -> None:
        if part not in self.before:
            self.before[part] = read_part(self._conn, self._candidate_pk, part, self.positions)

    def remember_opportunity_pk(self, opportunity_pk: int) -> None:
        found = self._conn.execute(
            select(OpportunityRow.id).where(OpportunityRow.pk == opportunity_pk)
        ).scalar()
        if found is not None:
            self.remember(("opportunity", found))

    def remember_everything(self) -> None:
        """Before a whole import: every part there is."""
        conn, pk = self._conn, self._candidate_pk
        for opp_id in conn.execute(
            select(OpportunityRow.id).where(OpportunityRow.candidate_pk == pk)
        ).scalars():
            self.remember(("opportunity", opp_id))
        for action in conn.execute(
            select(ActionDecisionRow.action).where(ActionDecisionRow.candidate_pk == pk)
        ).scalars():
            self.remember(("decision", action))
        self.remember(("profile", ""))
        self.remember(("achievements", ""))

    def entry(self, label: str, now: datetime) -> dict[str, Any] | None:
        """The journal row of this work (None when it changed nothing journalled)."""
        if not self.before:
            return None
        after = {p: read_part(self._conn, self._candidate_pk, p, {}) for p in self.before}
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


def read_part(conn: Connection, candidate_pk: int, part: Part, positions: dict[str, int]) -> Any:
    """One part as plain JSON values (None: absent)."""
    kind, key = part
    if kind == "opportunity":
        found = conn.execute(
            select(OpportunityRow.pk, OpportunityRow.position).where(
                OpportunityRow.candidate_pk == candidate_pk, OpportunityRow.id == key
            )
        ).first()
        if found is None:
            return None
        positions.setdefault(key, found[1])
        [(_, opp)] = load_opportunities(conn, candidate_pk, [found[0]])
        opps = cast("list[Any]", dump_document(Facts(opportunities=(opp,)))["opportunities"])
        return opps[0]
    if kind == "profile":
        return dump_document(Facts(profile=load_profile(conn, candidate_pk)))["profile"]
    if kind == "achievements":
        facts = Facts(achievements=load_achievements(conn, candidate_pk))
        return dump_document(facts).get("achievements", [])
    row = conn.execute(
        select(ActionDecisionRow.decision, ActionDecisionRow.until).where(
            ActionDecisionRow.candidate_pk == candidate_pk, ActionDecisionRow.action == key
        )
    ).first()
    if row is None:
        return None
    return [row[0], row[1].astimezone(UTC).isoformat() if row[1] is not None else None]


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


def append(conn: Connection, candidate_pk: int, entry: dict[str, Any]) -> None:
    """Keep ``entry``; what was undone can no longer be redone, and the oldest go."""
    conn.execute(
        delete(JournalRow).where(JournalRow.candidate_pk == candidate_pk, JournalRow.undone)
    )
    last = conn.execute(
        select(func.max(JournalRow.seq)).where(JournalRow.candidate_pk == candidate_pk)
    ).scalar()
    seq = (last or 0) + 1
    conn.execute(
        insert(JournalRow).values(candidate_pk=candidate_pk, seq=seq, undone=False, **entry)
    )
    conn.execute(
        delete(JournalRow).where(
            JournalRow.candidate_pk == candidate_pk, JournalRow.seq <= seq - KEEP
        )
    )


class Entry:
    """One journalled write, as `followup history` shows it."""

    def __init__(self, seq: int, at: datetime, label: str, lines: list[str], undone: bool) -> None:
        self.seq, self.at, self.label, self.lines, self.undone = seq, at, label, lines, undone


def history(conn: Connection, candidate_pk: int, limit: int | None = None) -> list[Entry]:
    """The journalled writes, newest first (undone ones included, marked)."""
    query = (
        select(
            JournalRow.seq, JournalRow.at, JournalRow.label, JournalRow.summary, JournalRow.undone
        )
        .where(JournalRow.candidate_pk == candidate_pk)
        .order_by(JournalRow.seq.desc())
    )
    if limit:
        query = query.limit(limit)
    return [
        Entry(seq, at, label, _lines(text), bool(undone))
        for seq, at, label, text, undone in conn.execute(query).all()
    ]


def _lines(text: str) -> list[str]:
    """A row's summary (a JSON list of lines); nothing when it does not read."""
    try:
        return [str(x) for x in json.loads(text)]
    except (TypeError, ValueError):
        return []


def step(work: UnitOfWork, *, back: bool) -> Entry:
    """Undo the newest write not undone yet (``back``), or redo the oldest undone one."""
    conn, pk = work.connection_for_journal(), work.candidate_pk
    where = [JournalRow.candidate_pk == pk, JournalRow.undone.is_(not back)]
    order = JournalRow.seq.desc() if back else JournalRow.seq.asc()
    row = conn.execute(
        select(JournalRow.seq, JournalRow.at, JournalRow.label, JournalRow.summary)
        .add_columns(JournalRow.before if back else JournalRow.after)
        .where(*where)
        .order_by(order)
        .limit(1)
    ).first()
    if row is None:
        raise NotFound("nothing to undo" if back else "nothing to redo")
    seq, at, label, text, parts = row
    restore(work, json.loads(parts))
    conn.execute(
        update(JournalRow)
        .where(JournalRow.candidate_pk == pk, JournalRow.seq == seq)
        .values(undone=back)
    )
    return Entry(seq, at, label, _lines(text), back)


def restore(work: UnitOfWork, parts: list[dict[str, Any]]) -> None:
    """Write each part back as it is given (None: absent)."""
    profile = None
    for part in parts:
        kind, key, value = part["kind"], part["key"], part["value"]
        if kind == "opportunity":
            opp = None
            if value is not None:
                if profile is None:
                    profile = read_part(
                        work.connection_for_journal(), work.candidate_pk, ("profile", ""), {}
                    )
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
