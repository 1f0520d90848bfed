"""The server mode's measurements, in one command, on the local PostgreSQL.

    .venv/bin/python bench/server/run.py                  # 10,000 candidates x 20 opps, 60 s
    .venv/bin/python bench/server/run.py --small          # 200 candidates, 10 s: a smoke run
    .venv/bin/python bench/server/run.py --reuse          # the database seeded by an earlier run

1. ``seed.py``: a fresh database ``followup_bench`` (``--db``): 10,000 candidates in one
   organisation ("acme"), 20 opportunities each with their stored plans, 100 coaches each
   granted access by 100 candidates;
2. ``load.py``: `followup server run --workers 2` on 127.0.0.1; the coach's caseload and the
   admin's organisation view one request at a time (target p95 <= 1 s), then 100 users (80
   candidates, 20 coaches) for 60 s (target: no error, Today's p95 <= 100 ms);
3. ``replan.py``: every plan made stale and re-planned by `followup worker --once`
   processes: 1, 2 and 4 of them (on the first ``--replan-subset`` candidates, so that the
   series stays short), then all 200,000 opportunities by 4.

The table goes to stdout, progress to stderr, everything to bench/out/server.json. The
database is left in place for a look with psql (``--drop`` drops it at the end). Exit code 1
when a measurement could not run; with ``--strict``, also when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import traceback
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DEFAULT_DB, DEFAULT_PG, OUT, drop_database, say
from replan import replan
from seed import seed, table_counts

from load import TARGET_TODAY_P95_MS, TARGET_VIEW_P95_MS, load

VIEWS = (
    "GET /coach",
    "GET /api/coach/caseload",
    "GET /api/admin/organisation",
    "GET /admin",
)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=DEFAULT_PG, help=f"the PostgreSQL server ({DEFAULT_PG})")
    parser.add_argument("--db", help=f"the database ({DEFAULT_DB}; with --small: _small)")
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--opportunities-per-candidate", type=int, default=20)
    parser.add_argument("--touches-per-opportunity", type=int, default=10)
    parser.add_argument("--templates", type=int, default=100)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=1.0, help="a user's pause (s)")
    parser.add_argument("--requests", type=int, default=50, help="per view, in a row")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per view at most")
    parser.add_argument("--replan-workers", default="1,2,4", help="the scaling series")
    parser.add_argument(
        "--replan-subset",
        type=int,
        default=2000,
        help="candidates re-planned in the series (0: all); all by 4 workers after",
    )
    parser.add_argument("--small", action="store_true", help="200 candidates, 20 users, 10 s")
    parser.add_argument("--reuse", action="store_true", help="use the seeded database as is")
    parser.add_argument("--skip", default="", help="parts to leave out: load, replan")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.small:
        args.candidates, args.templates, args.users = 200, 20, 20
        args.seconds, args.requests, args.budget = 10.0, 10, 10.0
        args.replan_workers, args.replan_subset = "1,2,4", 50
    args.db = args.db or (DEFAULT_DB + "_small" if args.small else DEFAULT_DB)
    args.workers = [int(n) for n in args.replan_workers.split(",") if n.strip()]
    return args


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    skip = {part.strip() for part in args.skip.split(",") if part.strip()}
    found: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_1m_before": round(os.getloadavg()[0], 2),
        },
        "arguments": {k: v for k, v in vars(args).items() if k != "pg"},
    }
    failed = False
    try:
        if args.reuse:
            found["seed"] = {"reused": True, "rows": table_counts(args.pg, args.db)}
        else:
            found["seed"] = seed(
                args.pg,
                args.db,
                candidates=args.candidates,
                opportunities=args.opportunities_per_candidate,
                touches=args.touches_per_opportunity,
                templates=args.templates,
            )
    except Exception:
        traceback.print_exc()
        return 1
    if "load" not in skip:
        try:
            found["load"] = load(
                args.pg,
                args.db,
                users=args.users,
                seconds=args.seconds,
                think=args.think,
                requests=args.requests,
                budget=args.budget,
            )
        except Exception as exc:
            traceback.print_exc()
            found["load"] = {"error": f"{type(exc).__name__}: {exc}"}
            failed = True
    if "replan" not in skip:
        try:
            subset = args.replan_subset or None
            found["replan"] = replan(
                args.pg,
                args.db,
                workers=args.workers,
                subset=subset,
                full=max(args.workers) if subset else None,
            )
        except Exception as exc:
            traceback.print_exc()
            found["replan"] = {"error": f"{type(exc).__name__}: {exc}"}
            failed = True
    found["machine"]["load_average_1m_after"] = round(os.getloadavg()[0], 2)
    rows = table(found)
    found["table"] = rows
    print_table(rows, found)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / ("server-small.json" if args.small else "server.json")
    path.write_text(json.dumps(found, indent=2) + "\n")
    say(f"results in {path}")
    if args.drop:
        drop_database(args.pg, args.db)
        say(f"database {args.db} dropped")
    missed = any(r["verdict"] == "MISS" for r in rows)
    return 1 if failed or (args.strict and missed) else 0


def _verdict(value: float | None, target: float) -> str:
    if value is None:
        return "ERROR"
    return "PASS" if value <= target else "MISS"


def table(found: dict[str, Any]) -> list[dict[str, Any]]:
    """The lines of the table: what, the figure, the target, the verdict."""
    rows: list[dict[str, Any]] = []
    seeded = found.get("seed", {})
    counts = seeded.get("rows", {})
    rows.append(
        {
            "line": f"seed: {counts.get('candidate_accounts', 0):,} candidates, "
            f"{counts.get('opportunity', 0):,} opps, {counts.get('planned_action', 0):,} actions",
            "value": "reused" if seeded.get("reused") else f"{seeded['timings']['total_s']} s",
            "target": "",
            "verdict": "",
        }
    )
    loaded = found.get("load", {})
    if "error" in loaded:
        rows.append({"line": "load", "value": loaded["error"], "target": "", "verdict": "ERROR"})
    elif loaded:
        for route in VIEWS:
            view = loaded["views"].get(route, {})
            p95 = view.get("p95_ms")
            rows.append(
                {
                    "line": f"{route} p95 (median), {view.get('count')} in a row",
                    "value": f"{p95} ms ({view.get('median_ms')} ms)",
                    "target": f"<= {TARGET_VIEW_P95_MS:.0f} ms",
                    "verdict": _verdict(p95, TARGET_VIEW_P95_MS),
                }
            )
        users = loaded["concurrent"]
        rows.append(
            {
                "line": f"{users['users']} users, {users['seconds']} s: errors of "
                f"{users['requests']} requests ({users['requests_per_s']}/s)",
                "value": str(users["errors"]),
                "target": "0",
                "verdict": "PASS" if users["errors"] == 0 else "MISS",
            }
        )
        for route, figures in users["routes"].items():
            headline = route == "GET /"
            rows.append(
                {
                    "line": f"{'Today ' if headline else '  '}{route} p95 (p50, p99), "
                    f"{figures['count']} requests",
                    "value": f"{figures['p95_ms']} ms ({figures['median_ms']}, "
                    f"{figures['p99_ms']})",
                    "target": f"<= {TARGET_TODAY_P95_MS:.0f} ms" if headline else "",
                    "verdict": _verdict(figures["p95_ms"], TARGET_TODAY_P95_MS) if headline else "",
                }
            )
    replanned = found.get("replan", {})
    if "error" in replanned:
        rows.append(
            {"line": "re-planning", "value": replanned["error"], "target": "", "verdict": "ERROR"}
        )
    for run in replanned.get("runs", []):
        left = run["check"]["stale_opportunities"]
        rows.append(
            {
                "line": f"re-plan {run['opportunities']:,} opps ({run['scope']}), "
                f"{run['workers']} worker(s)",
                "value": f"{run['seconds']} s, {run['opportunities_per_s']:,} opp/s, "
                f"x{run['speedup_over_one'] or '-'}",
                "target": "0 left stale",
                "verdict": "PASS" if left == 0 else "MISS",
            }
        )
    return rows


def print_table(rows: list[dict[str, Any]], found: dict[str, Any]) -> None:
    width = max(len(r["line"]) for r in rows)
    value = max(len(str(r["value"])) for r in rows)
    print(f"{'what':<{width}}  {'figure':<{value}}  {'target':<14}  verdict")
    for r in rows:
        print(f"{r['line']:<{width}}  {r['value']!s:<{value}}  {r['target']:<14}  {r['verdict']}")
    machine = found["machine"]
    print(
        f"\n{machine['cores']} cores shared by PostgreSQL, the web or worker processes and the "
        f"simulated users; load average {machine['load_average_1m_before']} before, "
        f"{machine['load_average_1m_after']} after."
    )


if __name__ == "__main__":
    sys.exit(main())
