"""The caseload: for a coach, every candidate who consented, and who is falling behind.

One row per candidate, read from the stored plans and facts by a few grouped queries (never a
candidate's whole plan): open follow-ups overdue now and missed in the last week (as the
candidate's Today page counts them), missed thank-yous, days since the last message or call to
any employer, applications this week against the weekly target (in the candidate's own week and
time zone), active opportunities, and offers waiting for an answer with the nearest deadline.

The same rows serve the admin's organisation view (every candidate of the organisation who
consented to one of its coaches) and the weekly report.

What a row is made of is remembered per store and candidate (``_Read``: raw values, keyed by
the candidate's revision and plan stamp, its counts valid until the next moment one of them
can change), so a coach's page or the organisation view reads the candidates' revisions and
profiles, and again only those whose data or counts may have moved.
"""

from __future__ import annotations

import math
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final
from weakref import WeakKeyDictionary

from followup.core.timewin import zone_or_utc
from followup.store.sql import CHUNK

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
        return _cases(store, db, who, [coach_pk], now)


def of_candidate(store: Units, candidate_pk: int, level: str, now: datetime) -> Case | None:
    """One candidate's case (a coach's view of them, at the ``level`` granted)."""
    who = "SELECT c.pk AS candidate_pk, CAST(? AS TEXT) AS level FROM candidate AS c WHERE c.pk = ?"
    with store.sql() as db:
        found = _cases(store, db, who, [level, candidate_pk], now)
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
        cases = _cases(store, db, who, [organisation_pk], now)
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


@dataclass(frozen=True)
class _Read:
    """What a candidate's case is made of beyond their profile, read at one moment of one
    revision: raw values (the case itself is worked out at each request's ``now``)."""

    #: (revision, plan playbook, plan planner): a write bumps the revision; a re-planning
    #: after an upgrade rewrites the rows without one, and changes the stamp
    stamp: tuple[Any, ...]
    #: the counts were read at ``read_at`` (epoch seconds) and stay the same until ``until``,
    #: the first moment a window, a miss, a snooze or the missed week's edge can change one
    read_at: float
    until: float
    overdue: int
    missed: int
    thank_you_missed: int
    last_touch: datetime | None
    active: int
    offers: tuple[date | None, ...]
    #: (applied, recorded_at) from the recent bound of ``read_at`` on: a superset of those
    #: that can count in any later week
    applied: tuple[tuple[date | None, datetime | None], ...]

    def serves(self, stamp: tuple[Any, ...], epoch: float) -> bool:
        return self.stamp == stamp and self.read_at <= epoch < self.until


#: Per store: candidate pk -> what was read of them. A caseload or the organisation view then
#: reads only its candidates' revisions and profiles, and again only those whose revision or
#: stamp changed or whose counts may have moved since: reading 10,000 candidates' plans takes
#: seconds, and a coach's page is asked for all day.
_MEMOS: Final[WeakKeyDictionary[Any, dict[int, _Read]]] = WeakKeyDictionary()
_MEMO_LOCK: Final = threading.Lock()
#: the most candidates remembered per store (beyond, the memo starts again)
KEPT: Final = 200_000


def _memo(store: Units) -> dict[int, _Read]:
    with _MEMO_LOCK:
        found = _MEMOS.get(store)
        if found is None:
            found = _MEMOS[store] = {}
        return found


def _cases(store: Units, db: Db, who: str, params: list[Any], now: datetime) -> list[Case]:
    from followup.core.applications import count_between
    from followup.core.playbook import Playbook

    if db.dialect == "postgresql":  # compiling the aggregates costs more than it saves
        db.run("SET LOCAL jit = off")
    epoch = now.timestamp()
    rows = db.rows(
        f"SELECT w.candidate_pk, w.level, c.id, p.name, p.timezone, p.weekly_target, "
        f"c.revision, c.plan_playbook, c.plan_planner FROM ({who}) AS w "
        "JOIN candidate AS c ON c.pk = w.candidate_pk "
        "LEFT JOIN profile AS p ON p.candidate_pk = c.pk",
        params,
    )
    if not rows:
        return []
    memo = _memo(store)
    stamps = {int(r[0]): (r[6], r[7], r[8]) for r in rows}
    reads: dict[int, _Read] = {}
    for pk, stamp in stamps.items():
        kept = memo.get(pk)
        if kept is not None and kept.serves(stamp, epoch):
            reads[pk] = kept
    stale = [pk for pk in stamps if pk not in reads]
    if stale:
        # the read transaction is one snapshot (REPEATABLE READ): the stamps above and the
        # rows read here agree
        # most of them (a first look): everyone at once, by a scan; else in parts of CHUNK
        every = len(stale) > CHUNK and 2 * len(stale) > len(stamps)
        fresh = _read(db, stamps, None if every else stale, who, params, epoch)
        with _MEMO_LOCK:
            if len(memo) + len(fresh) > KEPT:
                memo.clear()
            memo.update(fresh)
        reads.update(fresh)
    default_target = Playbook().weekly_target
    cases = []
    for pk, level, candidate, name, timezone, target, *_ in rows:
        tz = zone_or_utc(timezone)
        today = now.astimezone(tz).date()
        monday = today - timedelta(days=today.weekday())
        read = reads[int(pk)]
        last = read.last_touch
        deadlines = [_day(d, tz) for d in read.offers if d is not None]
        cases.append(
            Case(
                candidate=str(candidate),
                name=str(name or candidate),
                level=_level(level),
                overdue=read.overdue,
                missed=read.missed,
                thank_you_missed=read.thank_you_missed,
                last_touch=last,
                days_quiet=None if last is None else max(0, (now - last).days),
                applications=count_between(read.applied, tz, monday, today),
                weekly_target=int(target) if target is not None else default_target,
                active=read.active,
                offers=len(read.offers),
                next_offer_deadline=min(deadlines) if deadlines else None,
            )
        )
    return cases


def _read(
    db: Db,
    stamps: dict[int, tuple[Any, ...]],
    pks: list[int] | None,
    who: str,
    params: list[Any],
    epoch: float,
) -> dict[int, _Read]:
    """What the cases of ``pks`` (None: every candidate of ``who``) are made of, at ``epoch``.

    A few grouped queries, never a candidate's whole plan. The counts are of windows already
    closed (missed comes after the window): the ``end_ts`` bound lets the open-actions index
    skip what is still ahead, and the next window to close is one index probe per candidate.
    """
    from followup.core.applications import recent_bounds
    from followup.store.sql import among, chunks, read_day, read_day_or_moment, read_moment

    if pks is None:
        # the candidates again as a subquery, not a list of keys: a list of 10,000 would be
        # sent with every query below (and PostgreSQL takes 65,535 parameters at most)
        scopes = [(f"IN (SELECT w.candidate_pk FROM ({who}) AS w)", list(params))]
        wanted = list(stamps)
    else:
        scopes = [(f"IN {among(len(part))}", list(part)) for part in chunks(pks)]
        wanted = pks
    now = datetime.fromtimestamp(epoch, UTC)
    since_day, since = recent_bounds(now)
    counts: dict[int, tuple[Any, ...]] = {}
    ahead: dict[int, tuple[Any, ...]] = {}
    active: dict[int, int] = {}
    offers: dict[int, list[date | None]] = {}
    applied: dict[int, list[tuple[date | None, datetime | None]]] = {}
    week_ago = epoch - _WEEK
    # the parameters of the counts: overdue, missed this week, thank-yous missed, then when
    # the next snooze ends, the next miss comes and the first miss of the week leaves it
    counted = [epoch, epoch, epoch, epoch, week_ago, epoch, epoch, epoch, epoch, week_ago]
    for among_them, keys in scopes:
        for pk, *found in db.rows(
            f"SELECT a.candidate_pk, sum(CASE WHEN {_OPEN} "
            "AND (a.missed_ts IS NULL OR a.missed_ts > ?) THEN 1 ELSE 0 END), "
            f"sum(CASE WHEN {_OPEN} AND a.missed_ts <= ? AND a.missed_ts > ? "
            "THEN 1 ELSE 0 END), "
            f"sum(CASE WHEN {_OPEN} AND a.missed_ts <= ? AND a.rule = 'thank-you' "
            "THEN 1 ELSE 0 END), "
            # when a count can change next: a snooze ends, an action is missed, a miss
            # leaves the week
            "min(CASE WHEN a.snoozed_until > ? THEN a.snoozed_until END), "
            "min(CASE WHEN a.missed_ts > ? THEN a.missed_ts END), "
            "min(CASE WHEN a.missed_ts > ? THEN a.missed_ts END) "
            f"FROM planned_action AS a WHERE a.candidate_pk {among_them} "
            "AND a.done_at IS NULL AND NOT a.skipped AND a.end_ts <= ? "
            "GROUP BY a.candidate_pk",
            [*counted, *keys, epoch],
        ):
            counts[int(pk)] = tuple(found)
        for pk, *found in db.rows(
            # one index probe each: the next window to close, and the last message or call
            # (``ix_touch_candidate_out_at``)
            "SELECT c.pk, (SELECT min(a.end_ts) FROM planned_action AS a "
            "WHERE a.candidate_pk = c.pk AND a.done_at IS NULL AND NOT a.skipped "
            "AND a.end_ts > ?), (SELECT max(t.at) FROM touch AS t "
            "WHERE t.candidate_pk = c.pk AND t.direction = 'out') "
            f"FROM candidate AS c WHERE c.pk {among_them}",
            [epoch, *keys],
        ):
            ahead[int(pk)] = tuple(found)
        for pk, count in db.rows(
            "SELECT candidate_pk, sum(CASE WHEN status IN ('active', 'offer') THEN 1 ELSE 0 "
            f"END) FROM opportunity WHERE candidate_pk {among_them} GROUP BY candidate_pk",
            keys,
        ):
            active[int(pk)] = int(count or 0)
        for pk, expires in db.rows(
            "SELECT candidate_pk, expires FROM offer WHERE decision IS NULL "
            f"AND candidate_pk {among_them}",
            keys,
        ):
            offers.setdefault(int(pk), []).append(read_day_or_moment(expires))
        for pk, day, recorded in db.rows(
            "SELECT candidate_pk, applied, recorded_at FROM opportunity "
            f"WHERE candidate_pk {among_them} "
            "AND (applied >= ? OR (applied IS NULL AND recorded_at >= ?))",
            [*keys, db.day(since_day), db.moment(since)],
        ):
            applied.setdefault(int(pk), []).append((read_day(day), read_moment(recorded)))
    made: dict[int, _Read] = {}
    for pk in wanted:
        overdue, missed, thanks, snoozed, misses, leaves = counts.get(
            pk, (0, 0, 0, None, None, None)
        )
        closes, last = ahead.get(pk, (None, None))
        events = [float(t) for t in (closes, snoozed, misses) if t is not None]
        if leaves is not None:
            events.append(float(leaves) + _WEEK)
        made[pk] = _Read(
            stamp=stamps[pk],
            read_at=epoch,
            until=min(events, default=math.inf),
            overdue=int(overdue or 0),
            missed=int(missed or 0),
            thank_you_missed=int(thanks or 0),
            last_touch=read_moment(last),
            active=active.get(pk, 0),
            offers=tuple(offers.get(pk, ())),
            applied=tuple(applied.get(pk, ())),
        )
    return made


def _day(value: date, tz: Any) -> date:
    """A deadline's day on the candidate's clock (one given as a moment, or a day)."""
    return value.astimezone(tz).date() if isinstance(value, datetime) else value


def _level(value: object) -> str:
    from followup.server.consent import LEVELS

    if isinstance(value, int):  # the organisation view's highest grant
        return LEVELS[max(1, min(3, value)) - 1]
    return str(value)
