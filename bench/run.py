"""The benchmarks of issue 8, in one command: `make bench` (or `python bench/run.py`).

Synthetic job searches from `bench/generate.py` (1,000 and 10,000 opportunities by default)
are each imported once into a throw-away SQLite database, then measured side by side:

1. a write, end to end through the CLI: `followup done`, `skip`, `snooze` and
   `touch add`, each run on another pending action: median and p95. Target: a median of at
   most 150 ms on 1,000 opportunities, and at most 20 % more on 10,000;
2. `followup today`: median, next to Taskwarrior's `task next` over 10,000 tasks measured in
   the same run (`bench/taskwarrior.py`; skipped with a note when `task` is not installed).
   Target: at most 0.35 x `task next`;
3. `followup import FILE` of 1,000 opportunities into an empty database: median of 3.
   Target: at most 3 s;
4. the planner alone, in-process on one core: `schedule(facts, playbook)`, the planned rows the
   store keeps for every opportunity, with the cyclic garbage collector paused as the store
   does while it plans; best of 3, in opportunities per second. Target: at least 5,000;
5. `followup --help`: median. Target: at most 120 ms;
and, for context, the form-letter guard on 1,000 drafts (`bench/guard.py`).

The data and config folders are throw-away too (FOLLOWUP_DATA_DIR, FOLLOWUP_CONFIG_DIR), so the
user's data and playbook settings are never touched or used. Progress goes to stderr, the table
to stdout and the results to bench/out/results.json. The exit code is 1 when a benchmark could
not run (and, with --strict, when a target is missed).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from generate import generate

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "results.json"

SIZES = (1000, 10_000)
QUICK_SIZES = (100, 300)
RUNS = 20
QUICK_RUNS = 3
IMPORT_RUNS = 3
PLANNER_RUNS = 3
MIN_RUNS = 3
BUDGET = 300.0

# The targets of issue 8.
WRITE_MS = 150.0
WRITE_GROWTH = 1.20  # the largest size against the smallest
TODAY_VS_TASK = 0.35
IMPORT_SECONDS = 3.0
PLANNER_OPPS_PER_SECOND = 5000.0
HELP_MS = 120.0

#: The exit code of a command refused for that action (followup.errors.UsageError), such as a
#: thank-you that cannot be done yet: the run moves on to another action and is not counted.
REFUSED = 2
PENDING = ("overdue", "due", "upcoming")
#: The writes, each given a pending action (from `followup plan --json`) and the moment.
WRITES: dict[str, Callable[[dict[str, Any], datetime], list[str]]] = {
    "done": lambda action, _now: ["done", action["id"]],
    "skip": lambda action, _now: ["skip", action["id"]],
    "snooze": lambda action, now: [
        "snooze", action["id"], "--until", (now + timedelta(days=14)).date().isoformat()
    ],
    "touch add": lambda action, _now: [
        "touch", "add", action["opportunity"], "--person", action["person"],
        "--channel", "email", "--kind", "other", "--summary", "Checking in (benchmark)",
    ],
}  # fmt: skip


@dataclass(frozen=True)
class Runs:
    """How often to repeat a measurement: ``count`` times, or fewer (but at least
    :data:`MIN_RUNS`) once the runs have taken ``budget`` seconds, so slow code cannot keep the
    benchmark going for hours."""

    count: int
    budget: float

    def __iter__(self) -> Iterator[int]:
        started = time.perf_counter()
        for k in range(self.count):
            if k >= MIN_RUNS and time.perf_counter() - started > self.budget:
                return
            yield k


@dataclass
class Timing:
    """The wall times (seconds) of one measurement's runs, or why it could not run."""

    times: list[float] = field(default_factory=list)
    error: str | None = None
    note: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times and self.error is None else None

    @property
    def p95(self) -> float | None:
        """Nearest rank: the smallest time at or above 95 % of the runs."""
        if self.median is None:
            return None
        ordered = sorted(self.times)
        return ordered[max(math.ceil(0.95 * len(ordered)), 1) - 1]


@dataclass
class Size:
    """Everything measured on one data size."""

    n: int
    planner: Timing
    imports: Timing
    today: Timing
    writes: dict[str, Timing]
    today_after_writes: Timing


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
    p95: float | None = None

    @property
    def verdict(self) -> str:
        if self.error is not None:
            return "ERROR"
        if self.target is None:
            return ""
        if self.value is None:
            return "SKIP"
        met = self.value >= self.target if self.higher_is_better else self.value <= self.target
        return "PASS" if met else "MISS"


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    # `followup today` reads the real clock, so the data is generated relative to it.
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    load = os.getloadavg()[0]
    runs = Runs(args.runs, args.budget)
    with tempfile.TemporaryDirectory(prefix="followup-bench-") as folder:
        cli = Cli.make(Path(folder), timeout=args.budget)
        with step(f"followup --help, {_runs(args.runs)}"):
            help_ = attempt(lambda: command_timing(cli, None, ["--help"], runs))
        with step(f"bare python start-up, {_runs(args.runs)}"):
            python = attempt(lambda: Timing([_tick(_seconds(_bare_python)) for _ in runs]))
        with step(f"task next over 10,000 tasks, {_runs(args.runs)}"):
            task = attempt(lambda: taskwarrior_timing(args.runs, now))
        sizes = [measure_size(cli, n, args, now) for n in args.sizes]
    with step("form-letter guard, 1,000 drafts"):
        guard = guard_result()

    results = [
        *write_rows(sizes),
        *today_rows(sizes, task),
        *import_rows(sizes),
        *planner_rows(sizes),
        time_row("help", "followup --help", help_, HELP_MS),
        time_row("python.startup", "  bare python start-up (the floor)", python),
        guard,
    ]
    notes = _notes(args.sizes, load)
    print_table(results, notes)
    write_results(args.output, results, notes, args, now, load)
    if any(r.error for r in results):
        return 1
    return 1 if args.strict and any(r.verdict == "MISS" for r in results) else 0


def _notes(sizes: list[int], load: float) -> list[str]:
    notes = []
    if load > (os.cpu_count() or 1) / 2:
        notes.append(
            f"The load average was {load:.1f} on {os.cpu_count()} CPUs when the run began: "
            "other work was running, so the timings are likely inflated."
        )
    if tuple(sizes) != SIZES:
        notes.append(
            "The targets are set for 1,000 and 10,000 opportunities: at these sizes "
            "the verdicts are only indicative."
        )
    return notes


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        type=_sizes,
        metavar="N,N",
        help="numbers of opportunities, comma-separated, smallest first (default 1000,10000)",
    )
    parser.add_argument(
        "--runs", type=int, metavar="N", help=f"runs per command timing (default {RUNS})"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"a smoke check: sizes {','.join(map(str, QUICK_SIZES))} and {QUICK_RUNS} runs "
        "(--sizes and --runs still win)",
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=BUDGET,
        metavar="SECONDS",
        help=f"seconds a measurement may take before it stops repeating (at least {MIN_RUNS} "
        f"runs) and that one command may take at most (default {BUDGET:.0f})",
    )
    parser.add_argument(
        "--seed", type=int, default=1, metavar="N", help="seed of the synthetic data (1)"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--output", type=Path, default=OUT, metavar="PATH", help=f"results file ({OUT})"
    )
    args = parser.parse_args(argv)
    if args.sizes is None:
        args.sizes = list(QUICK_SIZES if args.quick else SIZES)
    if args.runs is None:
        args.runs = QUICK_RUNS if args.quick else RUNS
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.budget <= 0:
        parser.error("--budget must be more than 0 seconds")
    return args


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a comma-separated list of numbers: {text!r}"
        ) from None
    if not sizes or min(sizes) < 1 or sizes != sorted(set(sizes)):
        raise argparse.ArgumentTypeError(f"sizes must be positive and increasing: {text!r}")
    return sizes


# --- measuring ------------------------------------------------------------------------------


@dataclass
class Cli:
    """The installed `followup` command, run with throw-away data and config folders."""

    executable: Path
    env: dict[str, str]
    work: Path
    timeout: float

    @classmethod
    def make(cls, work: Path, timeout: float) -> Cli:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWUP_")}
        env |= {
            "FOLLOWUP_DATA_DIR": str(work / "data"),
            "FOLLOWUP_CONFIG_DIR": str(work / "config"),
            "NO_COLOR": "1",
        }
        executable = Path(sys.executable).with_name("followup")
        if not executable.exists():
            raise SystemExit(f"{executable} not found: run `make bench` (it installs it)")
        return cls(executable, env, work, timeout)

    def run(
        self, db: Path | None, args: Sequence[str]
    ) -> tuple[float, subprocess.CompletedProcess[str]]:
        """The wall time of one run, and its outcome."""
        command = [str(self.executable), *(["--db", str(db)] if db else []), *args]
        started = time.perf_counter()
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                env=self.env,
                stdin=subprocess.DEVNULL,
                check=False,
                timeout=self.timeout,
            )
        except subprocess.TimeoutExpired:
            shown = " ".join(["followup", *args])
            raise RuntimeError(f"`{shown}` took over {self.timeout:g} s (--budget)") from None
        return time.perf_counter() - started, done

    def timed(self, db: Path | None, args: Sequence[str]) -> float:
        """The wall time of a run that must succeed."""
        seconds, done = self.run(db, args)
        _check(done, args)
        return seconds


def measure_size(cli: Cli, n: int, args: argparse.Namespace, now: datetime) -> Size:
    """Generate ``n`` opportunities, import them, and time every command on that database."""
    runs = Runs(args.runs, args.budget)
    with step(f"[{n:,}] generating {n:,} opportunities"):
        document = generate(n, seed=args.seed, now=now)
        data = cli.work / f"opportunities-{n}.json"
        data.write_text(json.dumps(document), encoding="utf-8")
    with step(f"[{n:,}] planner in-process, best of {PLANNER_RUNS}"):
        planner = attempt(partial(planner_timing, document, now, args.budget))
    del document  # a large object: let the commands timed next have the memory
    imports = Runs(1 if n != args.sizes[0] else min(IMPORT_RUNS, args.runs), args.budget)
    with step(f"[{n:,}] followup import into an empty database, {_runs(imports.count)}"):
        db = cli.work / f"opportunities-{n}.db"
        imported = attempt(lambda: import_timing(cli, data, db, imports))
    if imported.error is not None:
        failed = Timing(error="no database: the import failed")
        return Size(n, planner, imported, failed, dict.fromkeys(WRITES, failed), failed)

    with step(f"[{n:,}] followup today, {_runs(runs.count)}"):
        today = attempt(lambda: command_timing(cli, db, ["today"], runs))
    writes = write_timings(cli, db, n, args, now)
    with step(f"[{n:,}] followup today after the writes"):
        after = attempt(lambda: Timing([_tick(cli.timed(db, ["today"]))]))
    return Size(n, planner, imported, today, writes, after)


def command_timing(cli: Cli, db: Path | None, args: list[str], runs: Runs) -> Timing:
    cli.timed(db, args)  # warms up: compiles the bytecode, fills the plan cache
    return Timing([_tick(cli.timed(db, args)) for _ in runs])


def import_timing(cli: Cli, data: Path, db: Path, runs: Runs) -> Timing:
    """Imports into empty databases; the first is kept as ``db``, the others deleted."""
    times = []
    for k in runs:
        target = db if k == 0 else db.with_suffix(f".{k}.db")
        times.append(_tick(cli.timed(target, ["import", str(data)])))
        if target != db:
            target.unlink()
    return Timing(times)


def write_timings(
    cli: Cli, db: Path, n: int, args: argparse.Namespace, now: datetime
) -> dict[str, Timing]:
    """Every write of :data:`WRITES`, each on actions of its own."""
    try:
        actions = pending_actions(cli, db, args.seed)
    except Exception as exc:
        return dict.fromkeys(WRITES, Timing(error=_describe(exc)))
    writes = {}
    for command, arguments in WRITES.items():
        with step(f"[{n:,}] followup {command}, {_runs(args.runs)}"):
            runs = Runs(args.runs, args.budget)
            work = partial(write_timing, cli, db, actions, arguments, now, runs)
            writes[command] = attempt(work)
    return writes


def pending_actions(cli: Cli, db: Path, seed: int) -> Iterator[dict[str, Any]]:
    """Pending actions to act on, one per opportunity (acting on one changes that opportunity's
    plan, so each write meets the plan as imported), in a random but reproducible order."""
    _, listed = cli.run(db, ["plan", "--json"])
    _check(listed, ["plan", "--json"])
    actions = [
        a
        for a in json.loads(listed.stdout)
        if a["status"] in PENDING and a["opportunity"] and a["person"]
    ]
    random.Random(seed).shuffle(actions)
    return iter({a["opportunity"]: a for a in actions}.values())


def write_timing(
    cli: Cli,
    db: Path,
    actions: Iterator[dict[str, Any]],
    arguments: Callable[[dict[str, Any], datetime], list[str]],
    now: datetime,
    runs: Runs,
) -> Timing:
    """Writes, each on the next action; refused ones (at most ``runs.count``) are not timed."""
    refused = 0

    def write() -> float:
        nonlocal refused
        while (action := next(actions, None)) is not None:
            args = arguments(action, now)
            seconds, done = cli.run(db, args)
            if done.returncode == REFUSED and refused < runs.count:
                refused += 1
                continue
            _check(done, args)
            return seconds
        raise RuntimeError("ran out of pending actions: use a larger size or fewer --runs")

    times = [_tick(write()) for _ in runs]
    return Timing(times, note=f"{refused} refused actions not counted" if refused else "")


def planner_timing(document: dict[str, Any], now: datetime, budget: float) -> Timing:
    from followup.core.interchange import parse_document
    from followup.core.planner import schedule
    from followup.core.playbook import Playbook
    from followup.store.load import collector_paused

    facts, problems = parse_document(document)
    if facts is None:
        raise RuntimeError(f"the generated document has problems: {problems[:3]}")
    playbook = Playbook()
    times: list[float] = []
    try:
        with _deadline(budget):
            for _ in range(PLANNER_RUNS):
                started = time.perf_counter()
                with collector_paused():
                    actions = schedule(facts, playbook)
                times.append(_tick(time.perf_counter() - started))
    except TimeoutError:
        if not times:  # the throughput is at most n / budget
            return Timing(
                [budget], note=f"at most: one schedule() took over {budget:g} s (--budget)"
            )
        return Timing(times, note=f"a further schedule() went over {budget:g} s (--budget)")
    return Timing(times, note=f"{len(actions):,} planned actions")


def taskwarrior_timing(runs: int, now: datetime) -> Timing:
    from taskwarrior import task_next_times

    times = task_next_times(runs, now)
    if times is None:
        return Timing(note="skipped: Taskwarrior is not installed (apt-get install taskwarrior)")
    return Timing(times)


def guard_result() -> Result:
    """For context: the form-letter guard checking 1,000 drafts (see ``bench/guard.py``)."""
    key = ("guard.check", "form-letter guard, 1,000 drafts")
    try:
        from guard import PLANTED, TARGET_SECONDS, best_time

        seconds, found, others = best_time()
        if found != PLANTED:
            raise RuntimeError(f"found {found} of {PLANTED} planted form letters")
    except Exception as exc:  # a benchmark that cannot run is reported, not raised
        return Result(*key, None, "ms", error=_describe(exc))
    detail = f"best of 5; {found} planted found, {others} other pairs"
    return Result(*key, seconds * 1000, "ms", TARGET_SECONDS * 1000, False, detail)


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raises TimeoutError in the block after ``seconds``: in-process work cannot be killed."""

    def expire(_signal: int, _frame: object) -> None:
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def attempt(work: Callable[[], Timing]) -> Timing:
    """The timing, or the reason it could not be taken: one failure does not stop the others."""
    try:
        return work()
    except Exception as exc:
        return Timing(error=_describe(exc))


def _check(done: subprocess.CompletedProcess[str], args: Sequence[str]) -> None:
    if done.returncode != 0:
        command = " ".join(["followup", *args])
        message = _error_line(done.stderr or done.stdout)
        raise RuntimeError(f"`{command}` exited {done.returncode}: {message}")


def _bare_python() -> None:
    subprocess.run([sys.executable, "-c", "pass"], check=True)


def _seconds(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


# --- the table's lines ----------------------------------------------------------------------


def write_rows(sizes: list[Size]) -> list[Result]:
    base = sizes[0]
    rows = []
    for command in WRITES:
        key = f"write.{command.replace(' ', '_')}"
        target = WRITE_MS
        for size in sizes:
            label = f"followup {command}, {size.n:,} opps"
            rows.append(time_row(f"{key}.{size.n}", label, size.writes[command], target))
            target = None  # the larger sizes have a target relative to the smallest
        for size in sizes[1:]:
            rows.append(
                ratio_row(
                    f"{key}.growth.{size.n}",
                    f"  {size.n:,} / {base.n:,} opps",
                    size.writes[command],
                    base.writes[command],
                    WRITE_GROWTH,
                )
            )
    return rows


def today_rows(sizes: list[Size], task: Timing) -> list[Result]:
    rows = [time_row(f"today.{s.n}", f"followup today, {s.n:,} opps", s.today) for s in sizes]
    rows += [
        time_row(
            f"today.{s.n}.after_writes",
            f"  first after the writes, {s.n:,} opps",
            s.today_after_writes,
        )
        for s in sizes
    ]
    rows.append(time_row("taskwarrior.next", "task next, 10,000 tasks (reference)", task))
    rows += [
        ratio_row(
            f"today.{s.n}.vs_task_next",
            f"  today {s.n:,} opps / task next",
            s.today,
            task,
            TODAY_VS_TASK,
        )
        for s in sizes
    ]
    return rows


def import_rows(sizes: list[Size]) -> list[Result]:
    base = sizes[0]
    label = f"followup import, {base.n:,} opps"
    rows = [time_row(f"import.{base.n}", label, base.imports, IMPORT_SECONDS, unit="s")]
    rows += [
        time_row(f"import.{s.n}", f"  {s.n:,} opps (for context)", s.imports, unit="s")
        for s in sizes[1:]
    ]
    return rows


def planner_rows(sizes: list[Size]) -> list[Result]:
    rows = []
    for s in sizes:
        best = min(s.planner.times) if s.planner.median is not None else None
        rows.append(
            Result(
                f"planner.{s.n}",
                f"planner alone, {s.n:,} opps",
                None if best is None else s.n / best,
                "opp/s",
                PLANNER_OPPS_PER_SECOND,
                higher_is_better=True,
                detail=f"schedule(), one core, best of {len(s.planner.times)}; {s.planner.note}",
                error=s.planner.error,
            )
        )
    return rows


def time_row(
    key: str, label: str, timing: Timing, target: float | None = None, unit: str = "ms"
) -> Result:
    """A median (in ``unit``: ms or s), with the p95 and the number of runs as its detail."""
    detail = timing.note
    if timing.median is not None:
        runs = len(timing.times)
        detail = f"median of {runs}, p95 {_in(timing.p95, unit)}" if runs > 1 else "one run"
        detail += f"; {timing.note}" if timing.note else ""
    value, p95 = (None if t is None else t * _SCALE[unit] for t in (timing.median, timing.p95))
    return Result(key, label, value, unit, target, False, detail, timing.error, p95)


def ratio_row(key: str, label: str, top: Timing, bottom: Timing, target: float) -> Result:
    error = top.error or bottom.error
    if top.median is None or bottom.median is None:
        detail = bottom.note if bottom.note.startswith("skipped") else ""
        return Result(key, label, None, "x", target, detail=detail, error=error and "see above")
    return Result(key, label, top.median / bottom.median, "x", target, detail="of the medians")


# --- reporting ------------------------------------------------------------------------------


def print_table(results: list[Result], notes: list[str]) -> None:
    width = max(len(r.label) for r in results) + 2
    print(f"\n{'benchmark':<{width}}{'result':>14}  {'target':>14}  verdict  detail")
    for r in results:
        value = "—" if r.value is None else f"{_number(r.value, r.unit)} {r.unit}"
        target = ""
        if r.target is not None:
            target = f"{'>=' if r.higher_is_better else '<='} {_number(r.target, r.unit)} {r.unit}"
        detail = r.error or r.detail
        print(f"{r.label:<{width}}{value:>14}  {target:>14}  {r.verdict:<7}  {detail}".rstrip())
    if notes:
        print()
    for note in notes:
        print(f"note: {note}")


def write_results(
    path: Path,
    results: list[Result],
    notes: list[str],
    args: argparse.Namespace,
    now: datetime,
    load: float,
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "measured_at": now.isoformat(),
        "sizes": args.sizes,
        "runs": args.runs,
        "seed": args.seed,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_at_start": load,
        },
        "notes": notes,
        "results": [asdict(r) | {"verdict": r.verdict} for r in results],
    }
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten to {path}")


@contextmanager
def step(what: str) -> Iterator[None]:
    """Progress on stderr: what is being measured, a dot per run, then how long it took."""
    print(f"{what} ", end="", file=sys.stderr, flush=True)
    started = time.perf_counter()
    try:
        yield
    finally:
        print(f" {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)


def _runs(count: int) -> str:
    return "1 run" if count == 1 else f"{count} runs"


def _tick(seconds: float) -> float:
    print(".", end="", file=sys.stderr, flush=True)
    return seconds


_SCALE = {"ms": 1000, "s": 1}


def _in(seconds: float | None, unit: str) -> str:
    return "—" if seconds is None else f"{_number(seconds * _SCALE[unit], unit)} {unit}"


def _number(value: float, unit: str) -> str:
    if unit in ("x", "s"):
        return f"{value:.2f}"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def _describe(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {_last_line(text)}"


def _error_line(text: str) -> str:
    """The command's `error: ...` line, else its last line."""
    errors = [line for line in text.splitlines() if line.startswith("error")]
    return errors[0][:160] if errors else _last_line(text)


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:160] if lines else "(no output)"


if __name__ == "__main__":
    sys.exit(main())
