"""A full re-planning of every opportunity by `followup worker` processes: 1, 2 and 4 of them.

    .venv/bin/python bench/server/replan.py --db followup_bench              # after seed.py
    .venv/bin/python bench/server/replan.py --db followup_bench --workers 1,2,4

For each count of workers, on the seeded database:

1. every stored plan is made stale as an upgrade of the planner makes it: ``opportunity_plan.
   planner`` set to another version, and each candidate's stamp (``candidate.plan_source``,
   ``plan_planner``) cleared, so that ``Units.stale_candidates`` lists them all and
   ``Units.ensure_plans`` plans every opportunity again;
2. the queue is emptied of what is left from earlier runs, then a ``followup.replan`` job is
   deferred for each stale candidate, with the product's own ``jobs.defer_replan`` (what the
   ``followup.replan_stale`` job does; timed apart, as "defer");
3. N processes of ``followup worker --once`` (one job at a time each) start together; the
   clock stops when the last one has exited (the queue is empty). Then the check: no
   opportunity's plan is stale, no candidate is, and every job succeeded.

Reported: seconds, opportunities per second, and the speed-up over one worker. The workers,
PostgreSQL and this script share the machine: on 2 cores, four workers cannot go twice as
fast as two.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    DEFAULT_DB,
    DEFAULT_PG,
    followup_command,
    followup_env,
    followup_url,
    libpq_url,
    say,
    step,
)


def make_stale(pg: str, database: str, candidates: int | None = None) -> int:
    """Every plan out of date (as after an upgrade of the planner), or only those of the first
    ``candidates`` candidates; how many opportunities."""
    import psycopg

    chosen = "SELECT pk FROM candidate ORDER BY pk" + (
        "" if candidates is None else f" LIMIT {int(candidates)}"
    )
    with psycopg.connect(libpq_url(pg, database)) as conn:
        conn.execute("DELETE FROM procrastinate_jobs WHERE status IN ('todo', 'doing')")
        done = conn.execute(
            "UPDATE opportunity_plan AS p SET planner = 'bench-old-planner' FROM opportunity AS o "
            f"WHERE o.pk = p.opportunity_pk AND o.candidate_pk IN ({chosen})"
        ).rowcount
        conn.execute(
            f"UPDATE candidate SET plan_source = NULL, plan_planner = NULL WHERE pk IN ({chosen})"
        )
    return int(done)


def defer_all(url: str) -> int:
    """A ``followup.replan`` job for each stale candidate (as ``followup.replan_stale`` does)."""
    from followup.server import jobs
    from followup.store import open_store

    store = open_store(url)
    try:
        stale = store.stale_candidates()
    finally:
        store.close()
    app = jobs.make_app(url)
    with app.open():
        return sum(jobs.defer_replan(app, candidate) for candidate in stale)


def check(pg: str, database: str) -> dict[str, Any]:
    """What is left stale, and the jobs by status."""
    import psycopg

    from followup.store.planver import planner_version

    with psycopg.connect(libpq_url(pg, database)) as conn:
        stale_plans = conn.execute(
            "SELECT count(*) FROM opportunity AS o LEFT JOIN opportunity_plan AS p "
            "ON p.opportunity_pk = o.pk WHERE p.opportunity_pk IS NULL OR p.planner <> %s",
            [planner_version()],
        ).fetchone()
        stale_candidates = conn.execute(
            "SELECT count(*) FROM candidate WHERE plan_planner IS NULL OR plan_planner <> %s",
            [planner_version()],
        ).fetchone()
        statuses = conn.execute(
            "SELECT task_name, status::text, count(*) FROM procrastinate_jobs GROUP BY 1, 2"
        ).fetchall()
    return {
        "stale_opportunities": int(stale_plans[0]) if stale_plans else None,
        "stale_candidates": int(stale_candidates[0]) if stale_candidates else None,
        "jobs": {f"{task} {status}": int(n) for task, status, n in statuses},
    }


def run_workers(url: str, count: int, timeout: float) -> float:
    """``count`` `followup worker --once` processes at once; seconds until the last exits."""
    command = [*followup_command(), "--db", url, "worker", "--once"]
    start = time.perf_counter()
    processes = [
        subprocess.Popen(
            command, env=followup_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        for _ in range(count)
    ]
    failures = []
    for process in processes:
        try:
            _, errors = process.communicate(
                timeout=max(1.0, timeout - (time.perf_counter() - start))
            )
        except subprocess.TimeoutExpired:
            process.kill()
            _, errors = process.communicate()
            failures.append(f"worker {process.pid} still running after {timeout:.0f} s")
            continue
        if process.returncode != 0:
            failures.append(f"worker {process.pid} exited {process.returncode}: {errors[-500:]!r}")
    seconds = time.perf_counter() - start
    if failures:
        raise RuntimeError("; ".join(failures))
    return seconds


def replan(
    pg: str,
    database: str,
    *,
    workers: list[int],
    subset: int | None = None,
    full: int | None = None,
    timeout: float = 1800.0,
) -> dict[str, Any]:
    """The re-planning with each count of ``workers``: of every candidate, or of the first
    ``subset`` candidates (the scaling series, shorter); then, with ``full``, of every
    candidate by that many workers."""
    url = followup_url(pg, database)
    runs: list[dict[str, Any]] = []
    plan = [(count, subset) for count in workers] + ([(full, None)] if full else [])
    for count, limit in plan:
        scope = "every candidate" if limit is None else f"the first {limit:,} candidates"
        with step(f"re-planning {scope} with {count} worker{'s' if count > 1 else ''}"):
            opportunities = make_stale(pg, database, limit)
            started = time.perf_counter()
            deferred = defer_all(url)
            defer_s = time.perf_counter() - started
            say(f"  {deferred:,} jobs deferred in {defer_s:.1f} s; {opportunities:,} opportunities")
            seconds = run_workers(url, count, timeout)
            found = check(pg, database)
        run = {
            "scope": "all" if limit is None else f"first {limit} candidates",
            "workers": count,
            "opportunities": opportunities,
            "jobs": deferred,
            "defer_s": round(defer_s, 1),
            "seconds": round(seconds, 1),
            "opportunities_per_s": round(opportunities / seconds, 1),
            "check": found,
        }
        say(
            f"  {count} worker(s): {seconds:.1f} s, {run['opportunities_per_s']:,} opp/s; "
            f"left stale: {found['stale_opportunities']} opportunities"
        )
        runs.append(run)
    for run in runs:
        one = next((r for r in runs if r["workers"] == 1 and r["scope"] == run["scope"]), None)
        run["speedup_over_one"] = (
            round(one["seconds"] / run["seconds"], 2) if one and run["seconds"] else None
        )
    return {"cores": os.cpu_count(), "runs": runs}


def _counts(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=DEFAULT_PG, help=f"the PostgreSQL server ({DEFAULT_PG})")
    parser.add_argument("--db", default=DEFAULT_DB, help="the seeded database (seed.py)")
    parser.add_argument("--workers", type=_counts, default=[1, 2, 4], help="e.g. 1,2,4")
    parser.add_argument(
        "--subset", type=int, help="the series on the first N candidates only (default: all)"
    )
    parser.add_argument("--full", type=int, help="then every candidate with this many workers")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per run at most")
    args = parser.parse_args(argv)
    found = replan(
        args.pg,
        args.db,
        workers=args.workers,
        subset=args.subset,
        full=args.full,
        timeout=args.timeout,
    )
    print(json.dumps(found, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
