"""The benchmarks, in one command: ``make bench`` (or ``python bench/run.py``).

What is timed, on synthetic data from ``bench/generate.py`` (1,000 opportunities by default):

(a) ``followup today`` end to end, as a separate process on a SQLite database: the median and
    p95 of 20 runs, and on their own a write (``followup skip``, which plans again before it
    exits) and the first ``today`` after it;
(b) the planner in-process: ``schedule(facts, playbook).at(now)``, best of 5, in opportunities
    per second, with ``schedule`` and ``at`` also shown apart;
(c) ``followup --help``, median of 20;
(d) the form-letter guard checking 1,000 drafts in-process (``bench/guard.py``), best of 5;
and, for reference when Taskwarrior is installed, `task next` over 10,000 tasks
(``bench/taskwarrior.py``).

Every run uses a throw-away data folder, config folder and database, so neither the user's data
nor their playbook settings are touched or used. Results are printed as a table and written to
``bench/out/results.json``. The exit code is 1 when a benchmark could not run (and, with
``--strict``, when a target is missed).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from generate import generate

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "results.json"


@dataclass
class Result:
    """One line of the table. ``target`` is None for figures shown for context only.

    ``key`` is stable (for comparing results files); ``label`` is what the table shows, indented
    when the line details the one above it.
    """

    key: str
    label: str
    value: float | None
    unit: str
    target: float | None = None
    higher_is_better: bool = False
    detail: str = ""
    error: str | None = None

    @property
    def verdict(self) -> str:
        if self.error is not None:
            return "ERROR"
        if self.target is None or self.value is None:
            return ""
        met = self.value >= self.target if self.higher_is_better else self.value <= self.target
        return "PASS" if met else "MISS"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opportunities", type=int, default=1000, help="data size (1000)")
    parser.add_argument("--runs", type=int, default=20, help="runs per command timing (20)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic data (1)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--output", type=Path, default=OUT, help=f"results file ({OUT})")
    args = parser.parse_args(argv)

    # `followup today` reads the real clock, so the data is generated relative to it.
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    document = generate(args.opportunities, seed=args.seed, now=now)
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="followup-bench-") as folder:
        work = Path(folder)
        data_file = work / "document.json"
        data_file.write_text(json.dumps(document), encoding="utf-8")
        results += planner_benchmarks(document, now, args.opportunities)
        cli = Cli.find(work)
        results += today_benchmarks(cli, data_file, args.runs, args.opportunities)
        results += help_benchmarks(cli, args.runs)
        results += guard_benchmarks()
        results += reference_benchmarks(args.runs)

    print_table(results)
    write_results(args.output, results, args, now)
    if any(r.error for r in results):
        return 1
    return 1 if args.strict and any(r.verdict == "MISS" for r in results) else 0


# --- (b) the planner, in-process -------------------------------------------------------------


def planner_benchmarks(document: dict[str, Any], now: datetime, n: int) -> list[Result]:
    try:
        from followup.core.interchange import parse_document
        from followup.core.planner import schedule
        from followup.core.playbook import Playbook
        from followup.services.agenda import compile_schedule, decode, encode

        facts, problems = parse_document(document)
        if facts is None:
            raise RuntimeError(f"the generated document has problems: {problems[:3]}")
        playbook = Playbook()
        best_total = best_schedule = best_at = math.inf
        actions = 0
        for _ in range(5):
            started = time.perf_counter()
            planned = schedule(facts, playbook)
            scheduled = time.perf_counter()
            actions = len(planned.at(now))
            finished = time.perf_counter()
            best_total = min(best_total, finished - started)
            best_schedule = min(best_schedule, scheduled - started)
            best_at = min(best_at, finished - scheduled)
        text = encode(compile_schedule(planned, {}, now))
        best_decode = min(_seconds(lambda: decode(text)) for _ in range(5))
    except Exception as exc:  # a benchmark that cannot run is reported, not raised
        return [Result(*_THROUGHPUT, None, "opp/s", 20_000, True, error=_describe(exc))]
    return [
        Result(
            *_THROUGHPUT, n / best_total, "opp/s", 20_000, True, f"{actions:,} actions; best of 5"
        ),
        Result("planner.schedule", "  schedule()", best_schedule * 1000, "ms", detail="best of 5"),
        Result("planner.at", "  .at(now)", best_at * 1000, "ms", detail="best of 5"),
        Result(
            "planner.cache_decode",
            "  reading the cached plan",
            best_decode * 1000,
            "ms",
            detail=f"the plan cache: {len(text):,} characters",
        ),
    ]


_THROUGHPUT = ("planner.throughput", "planner throughput")


# --- (a) and (c): the command, as a process --------------------------------------------------


@dataclass
class Cli:
    """The installed `followup` command, run with a throw-away data folder and database."""

    executable: Path
    env: dict[str, str]

    @classmethod
    def find(cls, work: Path) -> Cli:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWUP_")}
        env |= {
            "FOLLOWUP_DATA_DIR": str(work / "data"),
            "FOLLOWUP_CONFIG_DIR": str(work / "config"),
            "FOLLOWUP_DATABASE_URL": f"sqlite:///{work / 'bench.db'}",
            "NO_COLOR": "1",
        }
        return cls(Path(sys.executable).with_name("followup"), env)

    def run(self, *args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
        """Wall time of one run, and its outcome."""
        started = time.perf_counter()
        done = subprocess.run(
            [str(self.executable), *args],
            capture_output=True,
            text=True,
            env=self.env,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        return time.perf_counter() - started, done

    def timed(self, *args: str) -> float:
        """Wall time of a run that must succeed and print something."""
        seconds, done = self.run(*args)
        if done.returncode != 0 or not done.stdout.strip():
            command = " ".join(["followup", *args])
            raise RuntimeError(
                f"`{command}` exited {done.returncode}: {_last_line(done.stderr or done.stdout)}"
            )
        return seconds


def today_benchmarks(cli: Cli, data_file: Path, runs: int, n: int) -> list[Result]:
    label = f"followup today, {n:,} opps (median)"
    try:
        _require(cli)
        imported = cli.timed("import", str(data_file))  # also plans, and caches the plan
        cli.timed("today")
        wrote, cold = _after_a_change(cli)
        times = sorted(cli.timed("today") for _ in range(runs))
    except Exception as exc:  # a benchmark that cannot run is reported, not raised
        return [Result("today.median", label, None, "ms", 100, error=_describe(exc))]
    return [
        Result(
            "today.median", label, statistics.median(times) * 1000, "ms", 100, False, f"{runs} runs"
        ),
        Result("today.p95", "  p95", _percentile(times, 95) * 1000, "ms", detail=f"{runs} runs"),
        Result(
            "today.after_change",
            "  first run after a change",
            cold * 1000,
            "ms",
            detail="after `followup skip`, which planned again",
        ),
        Result(
            "skip",
            "  followup skip (a write)",
            wrote * 1000,
            "ms",
            detail="stores the decision, then plans again",
        ),
        Result("import", "  followup import", imported * 1000, "ms", detail="once, for context"),
    ]


def help_benchmarks(cli: Cli, runs: int) -> list[Result]:
    try:
        _require(cli)
        cli.timed("--help")  # compiles and caches the bytecode
        times = [cli.timed("--help") for _ in range(runs)]
        python = [_seconds(_bare_python) for _ in range(runs)]
    except Exception as exc:  # a benchmark that cannot run is reported, not raised
        return [Result(*_HELP, None, "ms", 120, error=_describe(exc))]
    return [
        Result(*_HELP, statistics.median(times) * 1000, "ms", 120, False, f"{runs} runs"),
        Result(
            "python.startup",
            "  bare python start-up",
            statistics.median(python) * 1000,
            "ms",
            detail="the floor for any command",
        ),
    ]


def guard_benchmarks() -> list[Result]:
    """(d) the form-letter guard: 1,000 drafts checked (see ``bench/guard.py``)."""
    key = ("guard.check", "form-letter guard, 1,000 drafts")
    try:
        from guard import PLANTED, best_time

        seconds, found, others = best_time()
        if found != PLANTED:
            raise RuntimeError(f"found {found} of {PLANTED} planted form letters")
    except Exception as exc:  # a benchmark that cannot run is reported, not raised
        return [Result(*key, None, "ms", 500, error=_describe(exc))]
    detail = f"best of 5; {found} planted found, {others} other pairs"
    return [Result(*key, seconds * 1000, "ms", 500, False, detail)]


def reference_benchmarks(runs: int) -> list[Result]:
    """For comparison, when installed: Taskwarrior's `task next` over 10,000 tasks."""
    from taskwarrior import TASKS, task_next_median

    try:
        seconds = task_next_median(runs)
    except Exception as exc:  # a benchmark that cannot run is reported, not raised
        return [Result("taskwarrior.next", "task next (reference)", None, "ms", error=str(exc))]
    if seconds is None:
        return []
    label = "task next, 10,000 tasks (reference)"
    return [Result("taskwarrior.next", label, seconds * 1000, "ms", detail=f"{TASKS:,} tasks")]


def _after_a_change(cli: Cli) -> tuple[float, float]:
    """Times of a write and of the first `followup today` after it.

    The write is what a person does between two looks at the plan: skip an action. A command
    that writes plans again before it exits, so the write carries the planning and the look
    after it is answered from the cache.
    """
    _, listed = cli.run("today", "--json")
    actions = json.loads(listed.stdout) if listed.returncode == 0 else []
    pending = [a["id"] for a in actions if a["status"] in ("overdue", "due", "upcoming")]
    if not pending:
        raise RuntimeError(f"`followup today --json` listed nothing to skip: {listed.stderr!r}")
    wrote = cli.timed("skip", pending[0])
    return wrote, cli.timed("today")


_HELP = ("help.median", "followup --help (median)")


def _require(cli: Cli) -> None:
    if not cli.executable.exists():
        raise RuntimeError(f"{cli.executable} not found: run `make bench` (it installs it)")


def _bare_python() -> None:
    subprocess.run([sys.executable, "-c", "pass"], check=True)


# --- reporting -------------------------------------------------------------------------------


def print_table(results: list[Result]) -> None:
    width = max(len(r.label) for r in results) + 2
    print(f"{'benchmark':<{width}}{'result':>14}  {'target':>16}  verdict  detail")
    for r in results:
        value = "—" if r.value is None else f"{_number(r.value)} {r.unit}"
        target = ""
        if r.target is not None:
            target = f"{'>=' if r.higher_is_better else '<='} {_number(r.target)} {r.unit}"
        detail = r.error or r.detail
        print(f"{r.label:<{width}}{value:>14}  {target:>16}  {r.verdict:<7}  {detail}")


def write_results(
    path: Path, results: list[Result], args: argparse.Namespace, now: datetime
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "measured_at": now.isoformat(),
        "opportunities": args.opportunities,
        "runs": args.runs,
        "seed": args.seed,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "results": [asdict(r) | {"verdict": r.verdict} for r in results],
    }
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten to {path}")


def _percentile(sorted_values: list[float], percent: int) -> float:
    """Nearest-rank percentile: the smallest value at or above ``percent`` % of the runs."""
    rank = math.ceil(percent / 100 * len(sorted_values))
    return sorted_values[max(rank, 1) - 1]


def _seconds(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def _describe(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {_last_line(text)}"


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:160] if lines else "(no output)"


if __name__ == "__main__":
    sys.exit(main())
