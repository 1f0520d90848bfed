"""The read path of ``followup today``: the stored plan, with nothing but the stdlib ``sqlite3``.

Importing SQLAlchemy alone takes longer than the whole command may, so this module reads the
stored plan directly, three small indexed queries (overdue, due, opening within 7 days). It
answers only when the answer is certainly current: the file exists, its schema is at
`HEAD_REVISION`, and the candidate's plan is stamped with this playbook source and planner
version. In every other case (missing, old, locked, damaged, stale) it returns None and the
caller takes the full path, which opens the store, migrates and plans again if needed. The
queries themselves (`read_groups`) are the store's too, on any database (``plans.read_today``).
"""

from __future__ import annotations

import os
import sqlite3

from followup.store.version import HEAD_REVISION

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date, datetime

    from followup.core.actions import Planned
    from followup.store.sql import Db

#: Seconds to wait for a lock; WAL readers rarely wait at all, and the full path can wait longer.
_TIMEOUT = 0.1
WEEK_SECONDS = 7 * 24 * 3600.0
#: an action shows in `today`'s Missed section for a week after it became missed
MISSED_SHOWN_SECONDS = WEEK_SECONDS

_HEAD = """
SELECT c.pk, c.plan_source, c.plan_planner, p.timezone, p.weekly_target
FROM candidate AS c LEFT JOIN profile AS p ON p.candidate_pk = c.pk
WHERE c.id = ? AND (SELECT version_num FROM alembic_version) = ?
"""
_COLUMNS = """
SELECT a.action, a.rule, o.id, a.person, a.channel, a.start_ts, a.end_ts, a.anchor, a.host,
       a.done_at, a.skipped, a.snoozed_until, a.why, a.params, a.missed_ts, a.replaced,
       o.company, o.role
FROM planned_action AS a {hint} JOIN opportunity AS o ON o.pk = a.opportunity_pk
"""
#: pending: neither done nor skipped (spelled as the partial indexes' condition, so that SQLite
#: uses them); parameter: the candidate pk
_PENDING = "a.candidate_pk = ? AND a.done_at IS NULL AND NOT a.skipped"
#: open at now: pending and not snoozed; parameters: the candidate pk, now
_OPEN = f"{_PENDING} AND (a.snoozed_until IS NULL OR a.snoozed_until <= ?)"
#: how many opportunities the candidate has, how many are open, how many accepted
_COUNTS = """
SELECT count(*),
       coalesce(sum(CASE WHEN status IN ('active', 'offer') THEN 1 ELSE 0 END), 0),
       coalesce(sum(CASE WHEN status = 'accepted' THEN 1 ELSE 0 END), 0)
FROM opportunity WHERE candidate_pk = ?
"""
#: the opportunities that may count toward this week's target (``core.applications`` decides)
_APPLICATIONS = """
SELECT applied, recorded_at FROM opportunity
WHERE candidate_pk = ? AND (applied >= ? OR (applied IS NULL AND recorded_at >= ?))
"""
_DECISIONS = "SELECT action, decision, until FROM action_decision WHERE candidate_pk = ?"
#: name -> (open, or only pending; condition; the names of its parameters; order; the index
#: that answers it, see ``schema.PlannedActionRow``). Those opening later include the snoozed
#: ones, shown where they come back.
_GROUPS: dict[str, tuple[bool, str, tuple[str, ...], str, str]] = {
    "overdue": (
        True,
        "a.end_ts <= ? AND (a.missed_ts IS NULL OR a.missed_ts > ?)",
        ("now", "now"),
        "a.end_ts DESC, a.action DESC",
        "ix_planned_action_open",
    ),
    "missed": (
        True,
        "a.end_ts <= ? AND a.missed_ts <= ? AND a.missed_ts > ?",
        ("now", "now", "missed_since"),
        "a.missed_ts DESC, a.action DESC",
        "ix_planned_action_open",
    ),
    "due": (
        True,
        "a.start_ts <= ? AND a.end_ts > ?",
        ("now", "now"),
        "a.end_ts, a.action",
        "ix_planned_action_open",
    ),
    "soon": (
        False,
        "a.start_ts > ? AND a.start_ts < ?",
        ("now", "horizon"),
        "a.start_ts, a.end_ts, a.action",
        "ix_planned_action_opens",
    ),
    "next": (
        False,
        "a.start_ts > ?",
        ("now",),
        "a.start_ts, a.end_ts, a.action",
        "ix_planned_action_opens",
    ),
}


class Today:
    """What `followup today` shows, read from the stored plan."""

    def __init__(self) -> None:
        self.timezone = "UTC"
        self.weekly_target: int | None = None
        self.groups: dict[str, tuple[list[Planned], int]] = {}
        #: "Company — Role" of the opportunities of the rows read
        self.labels: dict[str, str] = {}
        self.has_opportunities = False
        #: (applied, recorded_at) of the opportunities that may count this week
        self.applications: list[tuple[date | None, datetime | None]] = []
        self.active = 0
        self.searching = True
        self.decisions: dict[str, tuple[str, float | None]] = {}
        self.now = 0.0


def sqlite_path_from_url(url: str) -> str | None:
    """The file path of a SQLite URL (as SQLAlchemy reads it); None for other databases and
    for in-memory SQLite."""
    scheme, separator, rest = url.partition("://")
    if not separator or scheme.split("+", 1)[0] != "sqlite":
        return None
    if not rest.startswith("/"):  # "sqlite://" (memory) or a host part, which SQLite lacks
        return None
    path = rest[1:].split("?", 1)[0]
    if "%" in path:
        from urllib.parse import unquote

        path = unquote(path)
    if path in ("", ":memory:"):
        return None
    return path


def read_today(
    path: str,
    candidate: str,
    source: str,
    planner: str,
    now: float | Callable[[str], float],
    limit: int | None,
) -> Today | None:
    """The groups of `followup today` at ``now`` (epoch seconds; or a function of the
    profile's time zone that gives it), if the stored plan in the SQLite file at ``path`` is
    current for this playbook source and planner version."""
    if not os.path.isfile(path):
        return None
    # mode=ro: never create a file; a URI needs '%', '?' and '#' escaped.
    escaped = os.path.abspath(path).replace("%", "%25").replace("?", "%3F").replace("#", "%23")
    try:
        conn = sqlite3.connect(f"file:{escaped}?mode=ro", uri=True, timeout=_TIMEOUT)
    except sqlite3.Error:
        return None
    try:
        conn.execute("BEGIN")  # one snapshot for every query below
        return _read(conn, candidate, source, planner, now, limit)
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def _read(
    conn: sqlite3.Connection,
    candidate: str,
    source: str,
    planner: str,
    when: float | Callable[[str], float],
    limit: int | None,
) -> Today | None:
    head = conn.execute(_HEAD, (candidate, HEAD_REVISION)).fetchone()
    if head is None or head[1] != source or head[2] != planner:
        return None
    from followup.store.sql import Db

    timezone = head[3] or "UTC"
    now = when if isinstance(when, float | int) else when(timezone)
    return read_groups(Db(conn, "sqlite"), head[0], timezone, head[4], now, limit)


def read_groups(
    db: Db,
    candidate_pk: int,
    timezone: str,
    weekly_target: int | None,
    now: float,
    limit: int | None,
) -> Today:
    """What `followup today` shows at ``now`` (epoch seconds), by indexed queries: this fast
    path's, and the store's on any database (``plans.read_today``)."""
    from datetime import UTC, datetime

    from followup.core.applications import recent_bounds
    from followup.store.sql import read_day, read_moment

    found = Today()
    found.timezone, found.weekly_target, found.now = timezone, weekly_target, now
    values = {"now": now, "horizon": now + WEEK_SECONDS, "missed_since": now - MISSED_SHOWN_SECONDS}
    for name, (is_open, where, names, order, index) in _GROUPS.items():
        shown = 1 if name == "next" else limit
        which = _OPEN if is_open else _PENDING
        params = [candidate_pk, *([now] if is_open else []), *(values[n] for n in names)]
        hint = f"INDEXED BY {index}" if db.dialect == "sqlite" else ""
        query = f"{_COLUMNS.format(hint=hint)} WHERE {which} AND {where} ORDER BY {order}"
        if shown:
            query += f" LIMIT {int(shown)}"
        found_rows = db.rows(query, params)
        rows = [planned(r) for r in found_rows]
        found.labels.update((str(r[2]), f"{r[16]} — {r[17]}") for r in found_rows)
        total = len(rows)
        if shown and name != "next":
            counted = f"SELECT count(*) FROM planned_action AS a {hint} WHERE {which} AND {where}"
            total = int(db.scalar(counted, params))
        if name in ("overdue", "missed"):
            rows.reverse()
        found.groups[name] = (rows, total)
    count, active, accepted = db.first(_COUNTS, (candidate_pk,)) or (0, 0, 0)
    found.has_opportunities = bool(count)
    found.active, found.searching = int(active), not accepted
    since_day, since = recent_bounds(datetime.fromtimestamp(now, UTC))
    found.applications = [
        (read_day(applied), read_moment(recorded_at))
        for applied, recorded_at in db.rows(
            _APPLICATIONS, (candidate_pk, db.day(since_day), db.moment(since))
        )
    ]
    for action, decision, until in db.rows(_DECISIONS, (candidate_pk,)):
        moment = read_moment(until)
        found.decisions[str(action)] = (str(decision), moment.timestamp() if moment else None)
    return found


def planned(row: tuple[object, ...] | list[object]) -> Planned:
    """A stored row as the planner made it; params that cannot be read are left empty (the
    reason then says less, and nothing fails)."""
    import json

    from followup.core.actions import Planned

    try:
        params = json.loads(str(row[13]))
    except (TypeError, ValueError):
        params = {}
    done, until, missed = row[9], row[11], row[14]
    return Planned(
        str(row[0]),
        str(row[1]),
        str(row[2]),
        None if row[3] is None else str(row[3]),
        None if row[4] is None else str(row[4]),
        float(row[5]),  # type: ignore[arg-type]
        float(row[6]),  # type: ignore[arg-type]
        str(row[7]),
        None if row[8] is None else str(row[8]),
        None if done is None else float(done),  # type: ignore[arg-type]
        bool(row[10]),
        None if until is None else float(until),  # type: ignore[arg-type]
        str(row[12]),
        params if isinstance(params, dict) else {},
        None if missed is None else float(missed),  # type: ignore[arg-type]
        bool(row[15]),
    )
