"""Consent: what a candidate lets a coach see and do, and the record of every coach's look.

A candidate grants a coach of their organisation one level (`LEVELS`, each including the one
before it):

- **overview**: statuses and counts, what is overdue or missed; no notes, no message bodies;
- **full**: also the interview notes, the touches' texts and the drafts;
- **act**: also log touches on the candidate's behalf (the undo journal names the coach).

A grant takes effect, and a revocation ends it, with the next request: every coach request
checks the grant in force (`open_for`) and writes an `audit` row in the same transaction,
which the candidate reads on their account page (`audit_log`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Final, NamedTuple

from followup.core.problems import check_choice, parse_email
from followup.errors import InvalidInput, NotFound, UsageError

if TYPE_CHECKING:
    from followup.server.auth import Principal
    from followup.store.units import Units

LEVELS: Final = ("overview", "full", "act")
#: who can be granted access to a candidate
COACHING_ROLES: Final = ("coach", "admin")
_RANK: Final = {level: n for n, level in enumerate(LEVELS)}


def allows(level: str | None, needed: str) -> bool:
    """Whether a grant of ``level`` covers what ``needed`` asks (None: no grant)."""
    return level in _RANK and _RANK[level] >= _RANK[needed]


class Grant(NamedTuple):
    coach: str  # the coach's e-mail address
    level: str
    granted: datetime
    revoked: datetime | None


class Audited(NamedTuple):
    at: datetime
    actor: str
    action: str  # read | write
    what: str


class Opened(NamedTuple):
    """A candidate a coach may see now, and how far."""

    candidate_pk: int
    candidate: str
    level: str
    name: str


def _candidate_only(who: Principal) -> int:
    if who.role != "candidate" or who.candidate_pk is None:
        raise UsageError("only a candidate grants access to their own data")
    return who.candidate_pk


def grant(store: Units, who: Principal, coach: str, level: str, now: datetime) -> Grant:
    """Let the coach (or admin) at address ``coach``, in ``who``'s organisation, see ``who``'s
    data at ``level``; replaces the grant in force (the old one stays, as revoked)."""
    from followup.server.auth import principal

    candidate_pk = _candidate_only(who)
    email, problem = parse_email(coach, "coach")
    problems = [p for p in (problem, check_choice(level, LEVELS, "level")) if p is not None]
    if problems or email is None:
        raise InvalidInput(problems)
    with store.sql(write=True) as db:
        found = principal(db, email.lower())
        if (
            found is None
            or found.organisation_pk != who.organisation_pk
            or found.role not in COACHING_ROLES
        ):
            raise NotFound(
                f"{email.lower()} is not a coach of {who.organisation}",
                hint="ask your coach for the address they sign in with",
            )
        db.run(
            "UPDATE consent SET revoked = ? WHERE candidate_pk = ? AND coach_pk = ? "
            "AND revoked IS NULL",
            [db.moment(now), candidate_pk, found.pk],
        )
        row = {"candidate_pk": candidate_pk, "coach_pk": found.pk, "level": level}
        db.insert("consent", [row | {"granted": now, "revoked": None}])
    return Grant(found.email, level, now, None)


def revoke(store: Units, who: Principal, coach: str, now: datetime) -> None:
    """End the grant in force to the coach at ``coach`` (effective with their next request)."""
    candidate_pk = _candidate_only(who)
    with store.sql(write=True) as db:
        ended = db.run(
            "UPDATE consent SET revoked = ? WHERE candidate_pk = ? AND revoked IS NULL "
            "AND coach_pk = (SELECT pk FROM account WHERE email = ?)",
            [db.moment(now), candidate_pk, coach.strip().lower()],
        )
    if not ended:
        raise NotFound(f"{coach} has no access to your data")


def grants(store: Units, candidate_pk: int) -> list[Grant]:
    """Every grant of a candidate: those in force first, then past ones, newest first."""
    from followup.store.sql import read_moment

    with store.sql() as db:
        rows = db.rows(
            "SELECT a.email, g.level, g.granted, g.revoked FROM consent AS g "
            "JOIN account AS a ON a.pk = g.coach_pk WHERE g.candidate_pk = ? "
            "ORDER BY g.revoked IS NOT NULL, g.granted DESC, g.pk DESC",
            [candidate_pk],
        )
    return [
        Grant(str(e), str(lv), read_moment(g), read_moment(r))  # type: ignore[arg-type]
        for e, lv, g, r in rows
    ]


def open_for(
    store: Units,
    coach: Principal,
    candidate: str,
    needed: str,
    *,
    action: str,
    what: str,
    now: datetime,
) -> Opened | None:
    """The candidate ``candidate`` if ``coach`` holds a grant covering ``needed`` now; the
    look is written to the audit log in the same transaction. None: no such grant (nothing
    is written, and nothing tells an unknown candidate from one who did not consent)."""
    with store.sql(write=True) as db:
        row = db.first(
            "SELECT c.pk, c.id, g.level, coalesce(p.name, '') FROM consent AS g "
            "JOIN candidate AS c ON c.pk = g.candidate_pk "
            "LEFT JOIN profile AS p ON p.candidate_pk = c.pk "
            "WHERE g.coach_pk = ? AND c.id = ? AND g.revoked IS NULL",
            [coach.pk, candidate],
        )
        if row is None or not allows(str(row[2]), needed):
            return None
        entry = {"candidate_pk": row[0], "actor_pk": coach.pk, "actor": coach.email}
        db.insert("audit", [entry | {"at": now, "action": action, "what": what[:300]}])
    return Opened(int(row[0]), str(row[1]), str(row[2]), str(row[3]))


def audit_log(store: Units, candidate_pk: int, limit: int = 200) -> list[Audited]:
    """The newest coach reads and writes of a candidate's data."""
    from followup.store.sql import read_moment

    with store.sql() as db:
        rows = db.rows(
            "SELECT at, actor, action, what FROM audit WHERE candidate_pk = ? "
            f"ORDER BY at DESC, pk DESC LIMIT {int(limit)}",
            [candidate_pk],
        )
    return [Audited(read_moment(a), str(b), str(c), str(d)) for a, b, c, d in rows]  # type: ignore[arg-type]
