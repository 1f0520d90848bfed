"""Stored plans: each opportunity's planned actions as raw values, and what they were made from.

A plan row is current while its opportunity's ``fact_revision``, the playbook's hash and the
planner version (``planver``) all equal those in ``opportunity_plan``. Writes plan again, in
their own transaction, exactly the opportunities whose facts they changed (`UnitOfWork`); a new
playbook or planner version makes every row stale, and the next reader plans them all again
(``refresh``), on every core when there are many.

Everything here speaks plain SQL through `followup.store.sql.Db`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from followup.core.model import Opportunity
from followup.core.planner import Context, Planned, plan_opportunity
from followup.core.playbook import Playbook
from followup.store.fastpath import Today, planned, read_groups
from followup.store.load import (
    collector_paused,
    load_achievements,
    load_decisions,
    load_opportunities,
    load_profile,
)
from followup.store.sql import among, chunks, read_day, read_day_or_moment, read_moment

if TYPE_CHECKING:
    from followup.store.sql import Db

#: plan on several cores from this many opportunities on
PARALLEL_FROM = 2000
#: (done, total): how far a long re-planning has got
Progress = Callable[[int, int], None]


class Planning(NamedTuple):
    """What a plan is made with besides the facts."""

    playbook: Playbook
    playbook_hash: str
    source: str  # the checksum of the playbook's source (cheap to compare; see config)
    planner: str  # ``planver.planner_version()``


_PLAN_STAMP = "SELECT plan_source, plan_planner FROM candidate WHERE pk = ?"

#: the candidate's opportunities whose plan is missing or not made from (fact revision,
#: playbook hash, planner version)
_STALE = """
SELECT o.pk FROM opportunity AS o LEFT JOIN opportunity_plan AS p ON p.opportunity_pk = o.pk
WHERE o.candidate_pk = ?
  AND (p.opportunity_pk IS NULL OR p.fact_revision != o.fact_revision
       OR p.playbook != ? OR p.planner != ?)
ORDER BY o.pk
"""

#: the two best ranked open opportunities (``top_of``)
_TOP = """
SELECT id, rank, status FROM opportunity
WHERE candidate_pk = ? AND rank IS NOT NULL AND rank > 0 AND status IN ('active', 'offer')
ORDER BY rank LIMIT 2
"""

#: the candidate's opportunities that hold offers, with those offers (``_rivals``)
_RIVALS = """
SELECT o.pk, o.id, o.company, o.role, o.rank, o.status,
       f.id, f.received, f.expires, f.decision, f.decided
FROM opportunity AS o JOIN offer AS f ON f.opportunity_pk = o.pk
WHERE o.candidate_pk = ?
ORDER BY o.position, o.pk, f.position, f.pk
"""


def plan_is_current(db: Db, candidate_pk: int, source: str, planner: str) -> bool:
    """Whether every opportunity of the candidate was planned with this playbook source and
    planner version (the candidate's stamp; see ``CandidateRow``)."""
    row = db.first(_PLAN_STAMP, (candidate_pk,))
    return row is not None and row == (source, planner)


def stale(db: Db, candidate_pk: int, planning: Planning) -> list[int]:
    """The candidate's opportunities whose stored plan is missing or out of date."""
    return db.column(_STALE, (candidate_pk, planning.playbook_hash, planning.planner))


def refresh(db: Db, candidate_pk: int, planning: Planning, progress: Progress | None = None) -> int:
    """Plan again every stale opportunity of the candidate, then stamp the candidate as
    current; returns how many were planned."""
    pks = stale(db, candidate_pk, planning)
    if pks:
        replan(db, candidate_pk, pks, planning, progress)
    db.update(
        "candidate",
        {
            "plan_source": planning.source,
            "plan_playbook": planning.playbook_hash,
            "plan_planner": planning.planner,
        },
        "pk = ?",
        (candidate_pk,),
    )
    return len(pks)


def replan(
    db: Db,
    candidate_pk: int,
    pks: Collection[int],
    planning: Planning,
    progress: Progress | None = None,
    known: Mapping[int, Opportunity] | None = None,
) -> None:
    """Plan these opportunities again from their facts and store their rows. ``known``: some
    of them as they stand now, already read (by pk), which are not read again."""
    if not pks:
        return
    profile = load_profile(db, candidate_pk)
    achievements = load_achievements(db, candidate_pk)
    decisions = {d.action: d for d in load_decisions(db, candidate_pk)}
    rivals = _rivals(db, candidate_pk)
    top = top_of(db, candidate_pk)
    done = 0
    for chunk in chunks(sorted(pks)):
        in_chunk = among(len(chunk))
        revisions: dict[int, int] = dict(
            db.rows(f"SELECT pk, fact_revision FROM opportunity WHERE pk IN {in_chunk}", chunk)
        )
        have = known or {}
        loaded = [(pk, have[pk]) for pk in chunk if pk in have]
        loaded += load_opportunities(db, candidate_pk, [pk for pk in chunk if pk not in have])
        jobs = [
            (
                pk,
                opp,
                Context(
                    profile,
                    achievements,
                    decisions,
                    tuple(r for r in rivals if r.id != opp.id),
                    top,
                ),
            )
            for pk, opp in loaded
        ]
        made = _plan_all(jobs, planning.playbook, len(pks))
        db.run(f"DELETE FROM planned_action WHERE opportunity_pk IN {in_chunk}", chunk)
        db.run(f"DELETE FROM opportunity_plan WHERE opportunity_pk IN {in_chunk}", chunk)
        db.insert("planned_action", [_row(candidate_pk, pk, r) for pk, rows in made for r in rows])
        db.insert(
            "opportunity_plan",
            [
                {
                    "opportunity_pk": pk,
                    "fact_revision": revisions[pk],
                    "playbook": planning.playbook_hash,
                    "planner": planning.planner,
                }
                for pk, _ in made
            ],
        )
        done += len(chunk)
        if progress is not None:
            progress(done, len(pks))


def context_for(db: Db, candidate_pk: int, opp: Opportunity) -> Context:
    """What planning ``opp`` reads beyond its own facts, with targeted queries."""
    return Context(
        load_profile(db, candidate_pk),
        load_achievements(db, candidate_pk),
        {d.action: d for d in load_decisions(db, candidate_pk)},
        tuple(r for r in _rivals(db, candidate_pk) if r.id != opp.id),
        top_of(db, candidate_pk),
    )


def top_of(db: Db, candidate_pk: int) -> str | None:
    """The top-ranked open opportunity (``rules.top_choice``), from the two best ranked."""
    from followup.core.rules import top_choice

    return top_choice((str(i), r, str(s)) for i, r, s in db.rows(_TOP, (candidate_pk,)))


Job = tuple[int, Opportunity, Context]


def _plan_one(job: Job, playbook: Playbook) -> tuple[int, list[Planned]]:
    pk, opp, ctx = job
    return pk, plan_opportunity(opp, ctx, playbook)


def _plan_many(jobs: list[Job], playbook: Playbook) -> list[tuple[int, list[Planned]]]:
    # Planning builds many short-lived acyclic objects: the cyclic collector would only walk
    # them again and again (see ``load.collector_paused``).
    with collector_paused():
        return [_plan_one(job, playbook) for job in jobs]


def _plan_all(jobs: list[Job], playbook: Playbook, total: int) -> list[tuple[int, list[Planned]]]:
    """Plan the jobs; on every core when the whole re-planning is large."""
    cores = _cores()
    if total < PARALLEL_FROM or cores < 2 or len(jobs) < 2 * cores:
        return _plan_many(jobs, playbook)
    from concurrent.futures import ProcessPoolExecutor

    size = -(-len(jobs) // cores)
    parts = [jobs[n : n + size] for n in range(0, len(jobs), size)]
    with ProcessPoolExecutor(max_workers=cores) as pool:
        results = pool.map(_plan_many, parts, [playbook] * len(parts))
        return [item for part in results for item in part]


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


def _rivals(db: Db, candidate_pk: int) -> list[Opportunity]:
    """The candidate's opportunities that hold offers: all a counter-offer reads of another
    opportunity (its offers, rank and status)."""
    from followup.core.model import OFFER_DECISIONS, Offer

    found: dict[int, tuple[tuple[Any, ...], list[Offer]]] = {}
    for pk, opp_id, company, role, rank, status, *offer in db.rows(_RIVALS, (candidate_pk,)):
        _, offers = found.setdefault(pk, ((opp_id, company, role, rank, status), []))
        offer_id, received, expires, decision, decided = offer
        answer = decision if decision in OFFER_DECISIONS else None
        offers.append(
            Offer(
                offer_id,
                read_day_or_moment(received),  # type: ignore[arg-type]  # never null
                read_day_or_moment(expires),
                answer,
                read_moment(decided),
            )
        )
    return [
        Opportunity(id=h[0], company=h[1], role=h[2], rank=h[3], status=h[4], offers=tuple(o))
        for h, o in found.values()
    ]


def _row(candidate_pk: int, opportunity_pk: int, r: Planned) -> dict[str, Any]:
    return {
        "candidate_pk": candidate_pk,
        "action": r.id,
        "opportunity_pk": opportunity_pk,
        "rule": r.rule,
        "person": r.person,
        "channel": r.channel,
        "start_ts": r.start,
        "end_ts": r.end,
        "anchor": r.anchor,
        "host": r.host,
        "done_at": r.done_at,
        "skipped": r.skipped,
        "snoozed_until": r.snoozed_until,
        "why": r.why,
        "params": json.dumps(r.params, ensure_ascii=False, separators=(",", ":")),
        "missed_ts": r.missed_at,
        "replaced": r.replaced,
    }


# -- reading ------------------------------------------------------------------------------------

#: a stored action's columns in the order ``fastpath.planned`` reads them
_PLANNED = """
a.action, a.rule, o.id, a.person, a.channel, a.start_ts, a.end_ts, a.anchor, a.host,
a.done_at, a.skipped, a.snoozed_until, a.why, a.params, a.missed_ts, a.replaced
"""
_ACTIONS = "planned_action AS a JOIN opportunity AS o ON o.pk = a.opportunity_pk"
#: the candidate's plan, in window order
_PLAN = f"SELECT {_PLANNED} FROM {_ACTIONS} WHERE a.candidate_pk = ?"
_PLAN_ORDER = "ORDER BY a.start_ts, a.action"
#: one action and its opportunity's pk
_ACTION = f"""
SELECT a.opportunity_pk, {_PLANNED} FROM {_ACTIONS}
WHERE a.candidate_pk = ? AND a.action = ?
"""
#: the actions an action's touch carries, in window order
_HOSTED = f"""
SELECT {_PLANNED} FROM {_ACTIONS}
WHERE a.opportunity_pk = ? AND a.host = ? {_PLAN_ORDER}
"""


def read_plan(db: Db, candidate_pk: int, opportunity: str | None = None) -> list[Planned]:
    """The candidate's stored plan (of one opportunity, by id), in window order."""
    if opportunity is None:
        found = db.rows(f"{_PLAN} {_PLAN_ORDER}", (candidate_pk,))
    else:
        found = db.rows(f"{_PLAN} AND o.id = ? {_PLAN_ORDER}", (candidate_pk, opportunity))
    return [planned(row) for row in found]


def read_action(db: Db, candidate_pk: int, action_id: str) -> tuple[int, Planned] | None:
    """One stored action and its opportunity's pk."""
    row = db.first(_ACTION, (candidate_pk, action_id))
    return None if row is None else (row[0], planned(row[1:]))


def read_today(db: Db, candidate_pk: int, now: float, limit: int | None) -> Today:
    """What `followup today` shows at ``now``, by the fast path's queries
    (``fastpath.read_groups``), on any database."""
    profile = load_profile(db, candidate_pk)
    return read_groups(db, candidate_pk, profile.timezone, profile.weekly_target, now, limit)


def read_hosted(db: Db, opportunity_pk: int, host: str) -> list[Planned]:
    """The stored actions folded into ``host``'s touch (always of its own opportunity)."""
    return [planned(row) for row in db.rows(_HOSTED, (opportunity_pk, host))]


#: (id, company, role, status, applied, recorded_at) of one opportunity
OpportunityLine = tuple[str, str, str, str, date | None, datetime | None]

_OPPORTUNITY_LINES = """
SELECT id, company, role, status, applied, recorded_at FROM opportunity
WHERE candidate_pk = ? ORDER BY position, pk
"""


def read_opportunities(db: Db, candidate_pk: int) -> list[OpportunityLine]:
    """(id, company, role, status, applied, recorded_at) of each of the candidate's
    opportunities, in stored order."""
    return [
        (opp_id, company, role, status, read_day(applied), read_moment(recorded_at))
        for opp_id, company, role, status, applied, recorded_at in db.rows(
            _OPPORTUNITY_LINES, (candidate_pk,)
        )
    ]
