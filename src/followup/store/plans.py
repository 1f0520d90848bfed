"""Stored plans: each opportunity's planned actions as raw values, and what they were made from.

A plan row is current while its opportunity's ``fact_revision``, the playbook's hash and the
planner version (``planver``) all equal those in ``opportunity_plan``. Writes plan again, in
their own transaction, exactly the opportunities whose facts they changed (`UnitOfWork`); a new
playbook or planner version makes every row stale, and the next reader plans them all again
(``refresh``), on every core when there are many.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.engine import Connection

from followup.core.model import Opportunity
from followup.core.planner import Context, Planned, plan_opportunity
from followup.core.playbook import Playbook
from followup.store.bulk import insert_many
from followup.store.fastpath import Today, planned
from followup.store.load import (
    collector_paused,
    load_achievements,
    load_decisions,
    load_opportunities,
    load_profile,
)
from followup.store.schema import (
    CandidateRow,
    OfferRow,
    OpportunityPlanRow,
    OpportunityRow,
    PlannedActionRow,
)

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


def plan_is_current(conn: Connection, candidate_pk: int, source: str, planner: str) -> bool:
    """Whether every opportunity of the candidate was planned with this playbook source and
    planner version (the candidate's stamp; see ``CandidateRow``)."""
    row = conn.execute(
        select(CandidateRow.plan_source, CandidateRow.plan_planner).where(
            CandidateRow.pk == candidate_pk
        )
    ).first()
    return row is not None and tuple(row) == (source, planner)


def stale(conn: Connection, candidate_pk: int, planning: Planning) -> list[int]:
    """The candidate's opportunities whose stored plan is missing or out of date."""
    p = OpportunityPlanRow
    query = (
        select(OpportunityRow.pk)
        .outerjoin(p, p.opportunity_pk == OpportunityRow.pk)
        .where(
            OpportunityRow.candidate_pk == candidate_pk,
            or_(
                p.opportunity_pk.is_(None),
                p.fact_revision != OpportunityRow.fact_revision,
                p.playbook != planning.playbook_hash,
                p.planner != planning.planner,
            ),
        )
        .order_by(OpportunityRow.pk)
    )
    return list(conn.execute(query).scalars())


def refresh(
    conn: Connection, candidate_pk: int, planning: Planning, progress: Progress | None = None
) -> int:
    """Plan again every stale opportunity of the candidate, then stamp the candidate as
    current; returns how many were planned."""
    pks = stale(conn, candidate_pk, planning)
    if pks:
        replan(conn, candidate_pk, pks, planning, progress)
    conn.execute(
        update(CandidateRow)
        .where(CandidateRow.pk == candidate_pk)
        .values(
            plan_source=planning.source,
            plan_playbook=planning.playbook_hash,
            plan_planner=planning.planner,
        )
    )
    return len(pks)


def replan(
    conn: Connection,
    candidate_pk: int,
    pks: Collection[int],
    planning: Planning,
    progress: Progress | None = None,
) -> None:
    """Plan these opportunities again from their facts and store their rows."""
    if not pks:
        return
    profile = load_profile(conn, candidate_pk)
    achievements = load_achievements(conn, candidate_pk)
    decisions = {d.action: d for d in load_decisions(conn, candidate_pk)}
    rivals = _rivals(conn, candidate_pk)
    top = top_of(conn, candidate_pk)
    done = 0
    for chunk in _chunks(sorted(pks), 500):
        revisions = dict(
            conn.execute(
                select(OpportunityRow.pk, OpportunityRow.fact_revision).where(
                    OpportunityRow.pk.in_(chunk)
                )
            ).all()
        )
        loaded = load_opportunities(conn, candidate_pk, chunk)
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
        planned = _plan_all(jobs, planning.playbook, len(pks))
        conn.execute(delete(PlannedActionRow).where(PlannedActionRow.opportunity_pk.in_(chunk)))
        conn.execute(delete(OpportunityPlanRow).where(OpportunityPlanRow.opportunity_pk.in_(chunk)))
        insert_many(
            conn,
            PlannedActionRow,
            [_row(candidate_pk, pk, r) for pk, rows in planned for r in rows],
        )
        insert_many(
            conn,
            OpportunityPlanRow,
            [
                {
                    "opportunity_pk": pk,
                    "fact_revision": revisions[pk],
                    "playbook": planning.playbook_hash,
                    "planner": planning.planner,
                }
                for pk, _ in planned
            ],
        )
        done += len(chunk)
        if progress is not None:
            progress(done, len(pks))


def context_for(conn: Connection, candidate_pk: int, opp: Opportunity) -> Context:
    """What planning ``opp`` reads beyond its own facts, with targeted queries."""
    return Context(
        load_profile(conn, candidate_pk),
        load_achievements(conn, candidate_pk),
        {d.action: d for d in load_decisions(conn, candidate_pk)},
        tuple(r for r in _rivals(conn, candidate_pk) if r.id != opp.id),
        top_of(conn, candidate_pk),
    )


def top_of(conn: Connection, candidate_pk: int) -> str | None:
    """The top-ranked open opportunity (``rules.top_choice``), from the two best ranked."""
    from followup.core.rules import top_choice

    o = OpportunityRow
    query = (
        select(o.id, o.rank, o.status)
        .where(
            o.candidate_pk == candidate_pk,
            o.rank.is_not(None),
            o.rank > 0,
            o.status.in_(["active", "offer"]),
        )
        .order_by(o.rank)
        .limit(2)
    )
    return top_choice((str(i), r, str(s)) for i, r, s in conn.execute(query).all())


def _chunks(values: Sequence[int], size: int) -> Iterable[list[int]]:
    for n in range(0, len(values), size):
        yield list(values[n : n + size])


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


def _rivals(conn: Connection, candidate_pk: int) -> list[Opportunity]:
    """The candidate's opportunities that hold offers: all a counter-offer reads of another
    opportunity (its offers, rank and status)."""
    from followup.core.model import OFFER_DECISIONS, Offer

    query = (
        select(
            OpportunityRow.pk,
            OpportunityRow.id,
            OpportunityRow.company,
            OpportunityRow.role,
            OpportunityRow.rank,
            OpportunityRow.status,
            OfferRow.id,
            OfferRow.received,
            OfferRow.expires,
            OfferRow.decision,
            OfferRow.decided,
        )
        .join(OfferRow, OfferRow.opportunity_pk == OpportunityRow.pk)
        .where(OpportunityRow.candidate_pk == candidate_pk)
        .order_by(OpportunityRow.position, OpportunityRow.pk, OfferRow.position, OfferRow.pk)
    )
    found: dict[int, tuple[tuple[Any, ...], list[Offer]]] = {}
    for pk, opp_id, company, role, rank, status, *offer in conn.execute(query):
        _, offers = found.setdefault(pk, ((opp_id, company, role, rank, status), []))
        offer_id, received, expires, decision, decided = offer
        answer = decision if decision in OFFER_DECISIONS else None
        offers.append(Offer(offer_id, received, expires, answer, decided))
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

_COLUMNS = (
    PlannedActionRow.action,
    PlannedActionRow.rule,
    OpportunityRow.id,
    PlannedActionRow.person,
    PlannedActionRow.channel,
    PlannedActionRow.start_ts,
    PlannedActionRow.end_ts,
    PlannedActionRow.anchor,
    PlannedActionRow.host,
    PlannedActionRow.done_at,
    PlannedActionRow.skipped,
    PlannedActionRow.snoozed_until,
    PlannedActionRow.why,
    PlannedActionRow.params,
    PlannedActionRow.missed_ts,
    PlannedActionRow.replaced,
)


def read_plan(conn: Connection, candidate_pk: int, opportunity: str | None = None) -> list[Planned]:
    """The candidate's stored plan (of one opportunity, by id), in window order."""
    query = (
        select(*_COLUMNS)
        .join(OpportunityRow, OpportunityRow.pk == PlannedActionRow.opportunity_pk)
        .where(PlannedActionRow.candidate_pk == candidate_pk)
        .order_by(PlannedActionRow.start_ts, PlannedActionRow.action)
    )
    if opportunity is not None:
        query = query.where(OpportunityRow.id == opportunity)
    return [planned(row) for row in conn.execute(query).all()]


def read_action(conn: Connection, candidate_pk: int, action_id: str) -> tuple[int, Planned] | None:
    """One stored action and its opportunity's pk."""
    query = (
        select(PlannedActionRow.opportunity_pk, *_COLUMNS)
        .join(OpportunityRow, OpportunityRow.pk == PlannedActionRow.opportunity_pk)
        .where(
            PlannedActionRow.candidate_pk == candidate_pk,
            PlannedActionRow.action == action_id,
        )
    )
    row = conn.execute(query).first()
    return None if row is None else (row[0], planned(row[1:]))


def read_today(conn: Connection, candidate_pk: int, now: float, limit: int | None) -> Today:
    """What `followup today` shows at ``now``, by the same indexed queries as the SQLite fast
    path (``fastpath.read_today``), on any database."""
    from datetime import UTC

    from followup.core.applications import recent_bounds
    from followup.store.fastpath import MISSED_SHOWN_SECONDS, WEEK_SECONDS, Today
    from followup.store.load import load_decisions, load_profile

    a = PlannedActionRow
    found = Today()
    found.now = now
    profile = load_profile(conn, candidate_pk)
    found.timezone, found.weekly_target = profile.timezone, profile.weekly_target
    pending = [a.candidate_pk == candidate_pk, a.done_at.is_(None), a.skipped.is_(False)]
    open_ = [*pending, or_(a.snoozed_until.is_(None), a.snoozed_until <= now)]
    # those opening later include the snoozed ones, shown where they come back
    not_missed = or_(a.missed_ts.is_(None), a.missed_ts > now)
    missed = [a.missed_ts <= now, a.missed_ts > now - MISSED_SHOWN_SECONDS]
    groups: dict[str, tuple[list[Any], list[Any], list[Any]]] = {
        "overdue": (open_, [a.end_ts <= now, not_missed], [a.end_ts.desc(), a.action.desc()]),
        "missed": (open_, [a.end_ts <= now, *missed], [a.missed_ts.desc(), a.action.desc()]),
        "due": (open_, [a.start_ts <= now, a.end_ts > now], [a.end_ts, a.action]),
        "soon": (
            pending,
            [a.start_ts > now, a.start_ts < now + WEEK_SECONDS],
            [a.start_ts, a.end_ts, a.action],
        ),
        "next": (pending, [a.start_ts > now], [a.start_ts, a.end_ts, a.action]),
    }
    for name, (which, where, order) in groups.items():
        shown = 1 if name == "next" else limit
        query = (
            select(*_COLUMNS, OpportunityRow.company, OpportunityRow.role)
            .join(OpportunityRow, OpportunityRow.pk == a.opportunity_pk)
            .where(*which, *where)
            .order_by(*order)
        )
        if shown:
            query = query.limit(shown)
        found_rows = conn.execute(query).all()
        rows = [planned(r) for r in found_rows]
        found.labels.update((str(r[2]), f"{r[16]} — {r[17]}") for r in found_rows)
        total = len(rows)
        if shown and name != "next":
            counted = select(func.count()).select_from(a).where(*which, *where)
            total = int(conn.execute(counted).scalar_one())
        if name in ("overdue", "missed"):
            rows.reverse()
        found.groups[name] = (rows, total)
    o = OpportunityRow
    count, active, accepted = conn.execute(
        select(
            func.count(),
            func.count().filter(o.status.in_(["active", "offer"])),
            func.count().filter(o.status == "accepted"),
        ).where(o.candidate_pk == candidate_pk)
    ).one()
    found.has_opportunities = bool(count)
    found.active, found.searching = int(active), not accepted
    since_day, since = recent_bounds(datetime.fromtimestamp(now, UTC))
    found.applications = [
        (applied, recorded_at)
        for applied, recorded_at in conn.execute(
            select(o.applied, o.recorded_at).where(
                o.candidate_pk == candidate_pk,
                or_(o.applied >= since_day, o.applied.is_(None) & (o.recorded_at >= since)),
            )
        ).all()
    ]
    found.decisions = {
        d.action: (d.decision, d.until.timestamp() if d.until else None)
        for d in load_decisions(conn, candidate_pk)
    }
    return found


def read_hosted(conn: Connection, opportunity_pk: int, host: str) -> list[Planned]:
    """The stored actions folded into ``host``'s touch (always of its own opportunity)."""
    query = (
        select(*_COLUMNS)
        .join(OpportunityRow, OpportunityRow.pk == PlannedActionRow.opportunity_pk)
        .where(PlannedActionRow.opportunity_pk == opportunity_pk, PlannedActionRow.host == host)
        .order_by(PlannedActionRow.start_ts, PlannedActionRow.action)
    )
    return [planned(row) for row in conn.execute(query).all()]


#: (id, company, role, status, applied, recorded_at) of one opportunity
OpportunityLine = tuple[str, str, str, str, date | None, datetime | None]


def read_opportunities(conn: Connection, candidate_pk: int) -> list[OpportunityLine]:
    """(id, company, role, status, applied, recorded_at) of each of the candidate's
    opportunities, in stored order."""
    query = (
        select(
            OpportunityRow.id,
            OpportunityRow.company,
            OpportunityRow.role,
            OpportunityRow.status,
            OpportunityRow.applied,
            OpportunityRow.recorded_at,
        )
        .where(OpportunityRow.candidate_pk == candidate_pk)
        .order_by(OpportunityRow.position, OpportunityRow.pk)
    )
    return [tuple(row) for row in conn.execute(query).all()]  # type: ignore[misc]
