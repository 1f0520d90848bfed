"""The planner alone, in one command (issue 8): `python bench/planner.py`.

Times ``schedule(facts, Playbook())`` over a synthetic job search from `bench/generate.py`
(1,000 opportunities by default), in-process on one core, best of several runs, and prints the
throughput in opportunities per second next to the target (at least 5,000). Only the planner
is timed: generating and parsing the document come before the clock starts.

    python bench/planner.py [N] [--seed 1] [--runs 7] [--profile] [--strict]

``--profile`` also prints the 25 most expensive functions of one more run (cProfile, by
internal time); ``--strict`` exits with 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate

TARGET = 5000  # opportunities per second


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=1000, help="opportunities")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=7, help="take the best of this many")
    parser.add_argument("--profile", action="store_true", help="cProfile one more run")
    parser.add_argument("--strict", action="store_true", help="exit with 1 below the target")
    args = parser.parse_args(argv)

    from followup.core.interchange import parse_document
    from followup.core.planner import schedule
    from followup.core.playbook import Playbook

    facts, problems = parse_document(generate(args.n, seed=args.seed))
    if facts is None:
        print(f"the generated document has problems: {problems[:3]}", file=sys.stderr)
        return 1
    playbook = Playbook()
    schedule(facts, playbook)  # warm the caches (zones, holidays) as a long-lived process has
    best = float("inf")
    rows = 0
    for _ in range(args.runs):
        started = time.perf_counter()
        rows = len(schedule(facts, playbook))
        best = min(best, time.perf_counter() - started)
    rate = args.n / best
    print(
        f"planner: {rate:,.0f} opps/s  (schedule() of {args.n:,} opportunities, seed "
        f"{args.seed}, {rows:,} rows, best of {args.runs}: {best * 1000:.1f} ms)"
    )
    print(f"target:  {TARGET:,} opps/s  -> {'met' if rate >= TARGET else 'missed'}")

    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(schedule, facts, playbook)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return 1 if args.strict and rate < TARGET else 0


if __name__ == "__main__":
    raise SystemExit(main())
