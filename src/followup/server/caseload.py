"""The caseload: for a coach, every candidate who consented, and who is falling behind.

One row per candidate, read from the stored plans and facts by a few grouped queries (never a
candidate's whole plan): open follow-ups overdue now and missed in the last week (as the
candidate's Today page counts them), missed thank-yous, days since the last message or call to
any employer, applications this week against the weekly target (in the candidate's own week and
time zone), active opportunities, and offers waiting for an answer with the nearest deadline.

The same rows serve the admin's organisation view (every candidate of the organisation who
consented to one of its coaches) and the weekly report.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from followup.store.sql import Db
    from followup.store.units import Units

#: what a caseload can be sorted by (the default first): each sorts the most urgent first
SORTS: Final = ("behind", "overdue", "missed", "quiet", "applications", "offers", "name")
#: a candidate is behind with anything overdue or missed, or a week with no touch at all
QUIET_DAYS: Final = 7
_WEEK: Final = 7 * 24 * 3600.0
_OPEN: Final = (
    "a.done_at IS NULL AND NOT a.skipped AND (a.snoozed_until IS NULL OR a.snoozed_until <= ?)"
)


@dataclass(frozen=True)
class Case:
    candidate: str
    name: str
    level: str  # the consent in force (the admin's view: the highest of any coach)
    overdue: int
    missed: int
    thank_you_missed: int
    last_touch: datetime | None
    days_quiet: int | None  # days since the last touch to an employer (None: never)
    applications: int  # this week, on the candidate's clock
    weekly_target: int
    active: int
    offers: int  # waiting for the candidate's answer
    next_offer_deadline: date | None

    @property
    def behind(self) -> bool:
        quiet = self.days_quiet is not None and self.days_quiet >= QUIET_DAYS
        return bool(self.overdue or self.missed or quiet)

    def as_json(self) -> dict[str, Any]:
        found = asdict(self)
        found["behind"] = self.behind
        found["last_touch"] = self.last_touch.isoformat() if self.last_touch else None
        deadline = self.next_offer_deadline
        found["next_offer_deadline"] = deadline.isoformat() if deadline else None
        return found


def of_coach(store: Units, coach_pk: int, now: datetime) -> list[Case]:
    """Every candidate with a grant in force to the coach ``coach_pk``."""
    who = (
        "SELECT g.candidate_pk AS candidate_pk, g.level AS level FROM consent AS g "
        "WHERE g.coach_pk = ? AND g.revoked IS NULL"
    )
    with store.sql() as db:
        return _cases(db, who, [coach_pk], now)


def of_candidate(store: Units, candidate_pk: int, level: str, now: datetime) -> Case | None:
    """One candidate's case (a coach's view of them, at the ``level`` granted)."""
    who = "SELECT c.pk AS candidate_pk, CAST(? AS TEXT) AS level FROM candidate AS c WHERE c.pk = ?"
    with store.sql() as db:
        found = _cases(db, who, [level, candidate_pk], now)
    return found[0] if found else None


def of_organisation(store: Units, organisation_pk: int, now: datetime) -> tuple[list[Case], int]:
    """The cases of every candidate of the organisation who consented to one of its coaches
    (at the highest level granted), and how many candidates it has in all."""
    who = (
        "SELECT g.candidate_pk AS candidate_pk, max(CASE g.level WHEN 'act' THEN 3 "
        "WHEN 'full' THEN 2 ELSE 1 END) AS level FROM consent AS g "
        "JOIN account AS a ON a.pk = g.coach_pk "
        "WHERE a.organisation_pk = ? AND g.revoked IS NULL GROUP BY g.candidate_pk"
    )
    with store.sql() as db:
        total = db.scalar(
            "SELECT count(*) FROM account WHERE organisation_pk = ? AND role = 'candidate'",
            [organisation_pk],
        )
        cases = _cases(db, who, [organisation_pk], now)
    return cases, int(total or 0)


def sort(cases: list[Case], by: str = "behind", reverse: bool = False) -> list[Case]:
    """The cases in order of ``by`` (most urgent first; the name breaks ties)."""

    def key(case: Case) -> tuple[Any, ...]:
        quiet = -(case.days_quiet if case.days_quiet is not None else 10**6)
        shortfall = case.applications - case.weekly_target
        deadline = case.next_offer_deadline or date.max
        keys: dict[str, tuple[Any, ...]] = {
            "behind": (not case.behind, -case.missed - case.overdue, quiet),
            "overdue": (-case.overdue,),
            "missed": (-case.missed, -case.thank_you_missed),
            "quiet": (quiet,),
            "applications": (shortfall,),
            "offers": (deadline, -case.offers),
            "name": (),
        }
        return (*keys.get(by, keys["behind"]), case.name.casefold(), case.candidate)

    ordered = sorted(cases, key=key)
    return ordered[::-1] if reverse else ordered


def _cases(db: Db, who: str, params: list[Any], now: datetime) -> list[Case]:
    from followup.core.applications import count_between, recent_bounds
    from followup.core.playbook import Playbook
    from followup.store.sql import read_day, read_day_or_moment, read_moment

    epoch = now.timestamp()
    rows = db.rows(
        f"SELECT w.candidate_pk, w.level, c.id, p.name, p.timezone, p.weekly_target FROM ({who}) "
        "AS w JOIN candidate AS c ON c.pk = w.candidate_pk "
        "LEFT JOIN profile AS p ON p.candidate_pk = c.pk",
        params,
    )
    if not rows:
        return []
    # the candidates again as a subquery, not a list of keys: a list of 10,000 would be sent
    # with every query below (and PostgreSQL takes 65,535 parameters at most)
    among = f"IN (SELECT w.candidate_pk FROM ({who}) AS w)"
    counts = {
        int(r[0]): r[1:]
        for r in db.rows(
            "SELECT a.candidate_pk, "
            "sum(CASE WHEN a.end_ts <= ? AND (a.missed_ts IS NULL OR a.missed_ts > ?) "
            "THEN 1 ELSE 0 END), "
            "sum(CASE WHEN a.missed_ts <= ? AND a.missed_ts > ? THEN 1 ELSE 0 END), "
            "sum(CASE WHEN a.missed_ts <= ? AND a.rule = 'thank-you' THEN 1 ELSE 0 END) "
            # every count is of windows already closed (missed comes after the window): the
            # bound lets the open-actions index skip what is still ahead
            f"FROM planned_action AS a WHERE a.candidate_pk {among} AND {_OPEN} "
            "AND a.end_ts <= ? GROUP BY a.candidate_pk",
            [epoch, epoch, epoch, epoch - _WEEK, epoch, *params, epoch, epoch],
        )
    }
    last_touch = {
        int(pk): read_moment(at)
        for pk, at in db.rows(
            "SELECT candidate_pk, max(at) FROM touch WHERE direction = 'out' "
            f"AND candidate_pk {among} GROUP BY candidate_pk",
            params,
        )
    }
    opportunities = {
        int(r[0]): r[1:]
        for r in db.rows(
            "SELECT candidate_pk, sum(CASE WHEN status IN ('active', 'offer') THEN 1 ELSE 0 END) "
            f"FROM opportunity WHERE candidate_pk {among} GROUP BY candidate_pk",
            params,
        )
    }
    offers: dict[int, list[date | None]] = {}
    for pk, expires in db.rows(
        f"SELECT candidate_pk, expires FROM offer WHERE decision IS NULL AND candidate_pk {among}",
        params,
    ):
        offers.setdefault(int(pk), []).append(read_day_or_moment(expires))
    since_day, since = recent_bounds(now)
    applied: dict[int, list[tuple[date | None, datetime | None]]] = {}
    for pk, day, recorded in db.rows(
        "SELECT candidate_pk, applied, recorded_at FROM opportunity "
        f"WHERE candidate_pk {among} "
        "AND (applied >= ? OR (applied IS NULL AND recorded_at >= ?))",
        [*params, db.day(since_day), db.moment(since)],
    ):
        applied.setdefault(int(pk), []).append((read_day(day), read_moment(recorded)))
    default_target = Playbook().weekly_target
    cases = []
    for pk, level, candidate, name, timezone, target in rows:
        tz = _zone(timezone)
        today = now.astimezone(tz).date()
        monday = today - timedelta(days=today.weekday())
        overdue, missed, thanks = counts.get(int(pk), (0, 0, 0))
        last = last_touch.get(int(pk))
        waiting = offers.get(int(pk), [])
        deadlines = [_day(d, tz) for d in waiting if d is not None]
        cases.append(
            Case(
                candidate=str(candidate),
                name=str(name or candidate),
                level=_level(level),
                overdue=int(overdue or 0),
                missed=int(missed or 0),
                thank_you_missed=int(thanks or 0),
                last_touch=last,
                days_quiet=None if last is None else max(0, (now - last).days),
                applications=count_between(applied.get(int(pk), []), tz, monday, today),
                weekly_target=int(target) if target is not None else default_target,
                active=int((opportunities.get(int(pk)) or (0,))[0] or 0),
                offers=len(waiting),
                next_offer_deadline=min(deadlines) if deadlines else None,
            )
        )
    return cases


def _day(value: date, tz: Any) -> date:
    """A deadline's day on the candidate's clock (one given as a moment, or a day)."""
    return value.astimezone(tz).date() if isinstance(value, datetime) else value


def _level(value: object) -> str:
    from followup.server.consent import LEVELS

    if isinstance(value, int):  # the organisation view's highest grant
        return LEVELS[max(1, min(3, value)) - 1]
    return str(value)


def _zone(name: object) -> Any:
    """The candidate's zone; UTC for a missing or unknown one (a stored value never fails)."""
    from datetime import UTC

    from followup.core.timewin import zone

    try:
        return zone(str(name)) if name else UTC
    except (ValueError, KeyError, OSError):
        return UTC
