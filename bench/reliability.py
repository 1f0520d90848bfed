"""Reliability checks (issue 8): `kill -9` never corrupts or half-writes, and two writers at once
never surface "database is locked" nor lose a write. SQLite files only; everything goes through
the `followup` command and its web server, as a user's data would.

1. Crash safety. A SQLite file holds a generated job search (``generate.py``). Steps alternate
   between ``followup import --force`` of another generated document and short loops of writes
   (``touch add``, ``skip``, ``snooze``, ``done``); each step is killed with SIGKILL at a random
   moment: every other kill anywhere in its run, the others a random moment after its first
   write reached the file (the WAL grew), before it would exit. After every kill:

   - ``PRAGMA integrity_check`` (and ``foreign_key_check``) over the file must be clean;
   - ``followup today`` and ``followup export`` must work;
   - the export must show each write whole or not at all: after a killed import, byte for byte
     the old content or the new document; after a killed ``touch add`` / ``done``, 0 or exactly 1
     touch with its summary and nothing else changed; after a killed ``skip`` / ``snooze``, the
     decision absent or exactly as asked. Writes that finished before the kill must all be there,
     and the first command after a kill must succeed.

2. Concurrency. For ``--seconds``, a loop of ``followup touch add`` runs against the file while
   ``followup serve`` (127.0.0.1, a free port) receives ``POST /api/opportunities/{id}/touches``
   from a client loop, all on one opportunity. No command may fail (exit status, or stderr
   mentioning a lock), no response may be an error (5xx, or anything but 201), the server may
   log no error, and afterwards the touch count must equal the start count plus the writes that
   succeeded, each of them present exactly once.

    python bench/reliability.py                   # 100 kills, 60 s of concurrency
    python bench/reliability.py --quick           # 10 kills, 5 s, a smaller job search
    python bench/reliability.py --kills 30 --seconds 20 --json bench/out/reliability.json

Prints a short report; exits 1 when anything failed, 0 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import importlib.util
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent

#: Summaries (and notes) of the touches this script writes start with this: they are told apart
#: from the generated history by it.
MARK = "rel-"
#: Rules whose overdue actions `followup done` completes with one touch and nothing else.
DONE_RULES = frozenset({"phone-call", "value-add", "continued-interest", "next-step"})
#: Rules never used as targets: they span opportunities (or none).
CROSS_RULES = frozenset({"counter-offer", "keep-searching"})
#: Opportunities (at the start of each document) that receive `touch add`.
TOUCH_OPPORTUNITIES = 5
#: Any command taking longer than this is a failure (a hang), and is killed.
COMMAND_TIMEOUT = 120.0
#: The crash run stops when this many writes in a row fail by themselves (the CLI is broken).
MAX_FAILURES_IN_A_ROW = 5
#: Out of every five kills, these land on an import; the others on loops of writes.
IMPORT_SLOTS = frozenset({0, 2})
WRITE_KINDS = ("touch", "skip", "snooze", "done")


# -- running followup ---------------------------------------------------------------------------


def followup_executable() -> str:
    beside = Path(sys.executable).parent / "followup"
    if beside.exists():
        return str(beside)
    found = shutil.which("followup")
    if found is None:
        raise RuntimeError("the followup command is not installed (pip install -e .)")
    return found


@dataclass(frozen=True)
class Ran:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def describe(self) -> str:
        err = self.stderr.strip().replace("\n", " | ")
        return f"`followup {' '.join(self.args)}` exited {self.returncode}: {err[:400]}"


class Followup:
    """The `followup` command on one SQLite file, with its own data and config folders."""

    def __init__(self, work: Path, db: Path) -> None:
        self.exe = followup_executable()
        self.db = db
        self.wal = db.with_name(db.name + "-wal")
        env = {k: v for k, v in os.environ.items() if k != "FOLLOWUP_DATABASE_URL"}
        env.update(
            FOLLOWUP_DATA_DIR=str(work / "data"),
            FOLLOWUP_CONFIG_DIR=str(work / "config"),
            NO_COLOR="1",
        )
        self.env = env

    def argv(self, *args: str) -> list[str]:
        return [self.exe, "--db", str(self.db), *args]

    def run(self, *args: str) -> Ran:
        start = time.monotonic()
        try:
            done = subprocess.run(
                self.argv(*args),
                env=self.env,
                capture_output=True,
                text=True,
                timeout=COMMAND_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            return Ran(args, -1, "", f"timed out after {exc.timeout} s", COMMAND_TIMEOUT)
        return Ran(args, done.returncode, done.stdout, done.stderr, time.monotonic() - start)

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.argv(*args),
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    def export(self) -> tuple[Ran, bytes]:
        ran = self.run("export")
        return ran, ran.stdout.encode()


def mentions_lock(text: str) -> bool:
    return "locked" in text.lower() or "busy" in text.lower()


def load_generator() -> ModuleType:
    """bench/generate.py, whether this file runs as a script or is imported by the tests."""
    name = "bench_generate"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, HERE / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def write_document(path: Path, n: int, seed: int) -> None:
    now = datetime.now(UTC)
    document = load_generator().generate(n, seed=seed, now=now)
    # the document says when each opportunity was recorded, so that importing it twice gives
    # the same export byte for byte (without it, each import records its own moment)
    recorded = now.replace(microsecond=0).isoformat()
    for opp in document["opportunities"]:
        opp.setdefault("recorded_at", recorded)
    document["version"] = max(int(document.get("version", 1)), 2)
    path.write_text(json.dumps(document), encoding="utf-8")


# -- what an export says ------------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    """What the checks compare, read from `followup export` (not from the tables).

    ``base`` digests everything but this script's touches and the decisions: no write of a
    loop may change it. ``whole`` digests the export's bytes: an import must give the old or the
    new bytes exactly. ``marked`` counts this script's touches by summary.
    """

    whole: str
    base: str
    opportunities: int
    touches: int
    marked: tuple[tuple[str, int], ...]
    decisions: tuple[tuple[str, str, str], ...]

    def counts(self) -> str:
        return f"{self.opportunities} opportunities, {self.touches} touches"

    def with_touch(self, summary: str) -> State:
        marked = Counter(dict(self.marked))
        marked[summary] += 1
        return replace(
            self, whole="", touches=self.touches + 1, marked=tuple(sorted(marked.items()))
        )

    def with_decision(self, action: str, decision: str, until: str = "") -> State:
        rest = [d for d in self.decisions if d[0] != action]
        decisions = tuple(sorted([*rest, (action, decision, until)]))
        return replace(self, whole="", decisions=decisions)

    def same_as(self, other: State) -> bool:
        """Equal; an empty ``whole`` on either side (a state derived by a write) is not compared."""
        if self.whole and other.whole and self.whole != other.whole:
            return False
        return replace(self, whole="") == replace(other, whole="")


def _instant(text: str) -> str:
    return datetime.fromisoformat(text).astimezone(UTC).isoformat()


def state_of(raw: bytes) -> State:
    document = json.loads(raw)
    marked: Counter[str] = Counter()
    touches = 0
    for opp in document["opportunities"]:
        kept = []
        for touch in opp.get("touches", []):
            touches += 1
            summary = touch.get("summary") or ""
            if summary.startswith(MARK):
                marked[summary] += 1
            else:
                kept.append(touch)
        opp["touches"] = kept
    decisions = tuple(
        sorted(
            (d["action"], d["decision"], _instant(d["until"]) if d.get("until") else "")
            for d in document.get("decisions", [])
        )
    )
    document["decisions"] = []
    base = hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()
    return State(
        whole=hashlib.sha256(raw).hexdigest(),
        base=base,
        opportunities=len(document["opportunities"]),
        touches=touches,
        marked=tuple(sorted(marked.items())),
        decisions=decisions,
    )


def integrity_problem(db: Path) -> str | None:
    """None when SQLite finds the file sound and its references whole, else what it found."""
    try:
        with contextlib.closing(sqlite3.connect(db, timeout=30)) as conn:
            rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
            if rows != ["ok"]:
                return "integrity_check: " + "; ".join(str(r) for r in rows[:5])
            dangling = conn.execute("PRAGMA foreign_key_check").fetchall()
            if dangling:
                return f"foreign_key_check: {len(dangling)} rows, e.g. {dangling[0]}"
    except sqlite3.Error as exc:
        return f"sqlite3: {exc}"
    return None


# -- crash safety -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    """One command of a step, and the state it leaves when it is applied whole."""

    kind: str  # import, touch, skip, snooze, done
    args: tuple[str, ...]
    doc: str = ""  # the document an import loads

    def applied(self, before: State, documents: dict[str, Document]) -> State:
        if self.kind == "import":
            return documents[self.doc].state
        if self.kind == "touch":
            return before.with_touch(self.args[self.args.index("--summary") + 1])
        if self.kind == "done":
            return before.with_touch(self.args[self.args.index("--note") + 1])
        if self.kind == "skip":
            return before.with_decision(self.args[1], "skipped")
        until = _instant(self.args[self.args.index("--until") + 1])
        return before.with_decision(self.args[1], "snoozed", until)


@dataclass
class Document:
    """A generated document: its file, its state once imported, and targets for writes."""

    name: str
    path: Path
    state: State
    touch_targets: list[tuple[str, str]]
    pools: dict[str, list[str]]  # skip / snooze / done -> unused action ids


@dataclass
class CrashReport:
    kills: int = 0
    kills_by_kind: Counter[str] = field(default_factory=Counter)
    kills_after_write_began: int = 0
    import_outcomes: Counter[str] = field(default_factory=Counter)
    killed_write_outcomes: Counter[str] = field(default_factory=Counter)
    completed_writes: int = 0
    missed: int = 0  # steps that finished before their kill moment
    integrity_failures: int = 0
    partial_writes: int = 0
    failed_commands: int = 0
    lock_errors: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    def fail(self, text: str) -> None:
        self.problems.append(text)


class Timings:
    """Typical run time of each kind of command, and time from its first write to its exit."""

    def __init__(self) -> None:
        self.total: dict[str, list[float]] = {}
        self.after_write: dict[str, list[float]] = {}

    def add(self, kind: str, total: float, after_write: float | None) -> None:
        self.total.setdefault(kind, []).append(total)
        if after_write is not None:
            self.after_write.setdefault(kind, []).append(after_write)

    def run_time(self, kind: str) -> float:
        """Until a kind has run, the writes take the times of `touch add` (run in setup)."""
        return statistics.median(self.total.get(kind) or self.total.get("touch") or [1.0])

    def write_time(self, kind: str) -> float:
        times = self.after_write.get(kind) or self.after_write.get("touch") or [0.05]
        return statistics.median(times)


@dataclass
class Outcome:
    """How one started command ended: exited by itself, or killed."""

    killed: bool
    returncode: int
    stderr: str
    seconds: float
    wrote_at: float | None  # seconds from start to the first growth of the WAL


def _wal_mark(wal: Path) -> tuple[int, int]:
    """The WAL's size and modification time; (0, 0) while it does not exist."""
    try:
        info = wal.stat()
    except FileNotFoundError:
        return 0, 0
    return info.st_size, info.st_mtime_ns


def run_until(
    cli: Followup, args: tuple[str, ...], kill_at: float | None, delay_after_write: float | None
) -> Outcome:
    """Run ``followup args``; SIGKILL it at monotonic time ``kill_at``, or ``delay_after_write``
    seconds after its first write reached the WAL, whichever is set and comes first."""
    start = time.monotonic()
    initial = _wal_mark(cli.wal)
    process = cli.start(*args)
    wrote_at: float | None = None
    killed = False
    try:
        while process.poll() is None:
            now = time.monotonic()
            if wrote_at is None:
                mark = _wal_mark(cli.wal)
                if mark[0] > 0 and mark != initial:  # opening creates it empty; writing fills it
                    wrote_at = now - start
            due = kill_at is not None and now >= kill_at
            if delay_after_write is not None and wrote_at is not None:
                due = due or now - start >= wrote_at + delay_after_write
            hung = now - start > COMMAND_TIMEOUT  # a failure, not one of the kills
            if due or hung:
                os.kill(process.pid, signal.SIGKILL)
                killed = due
                break
            time.sleep(0.001)
    finally:
        _, stderr = process.communicate()
    seconds = time.monotonic() - start
    # A process that exited just before the signal keeps its own exit status: not a kill.
    return Outcome(
        killed=killed and process.returncode == -signal.SIGKILL,
        returncode=process.returncode,
        stderr=stderr or "",
        seconds=seconds,
        wrote_at=wrote_at,
    )


class CrashSafety:
    def __init__(
        self,
        work: Path,
        *,
        kills: int,
        opportunities: int,
        seed: int,
        loop: int,
        log: Callable[[str], None],
    ) -> None:
        self.work = work
        self.kills = kills
        self.loop = loop
        self.opportunities = opportunities
        self.rng = random.Random(seed)
        self.seed = seed
        self.log = log
        self.cli = Followup(work, work / "crash.db")
        self.report = CrashReport()
        self.timings = Timings()
        self.documents: dict[str, Document] = {}
        self.serial = 0
        self.failures_in_a_row = 0  # writes that failed by themselves, without a kill

    def fail(self, text: str) -> None:
        self.report.fail(text)
        self.log(f"FAILURE: {text}")

    # setup

    def prepare(self) -> tuple[State, str]:
        """Import each of two generated documents once (learning their exported state and the
        actions to act on); returns the state and name of the one left in the file."""
        for name, n, seed in (
            ("A", self.opportunities, self.seed * 2 + 1),
            ("B", max(1, self.opportunities * 4 // 5), self.seed * 2 + 2),
        ):
            path = self.work / f"document-{name}.json"
            write_document(path, n, seed)
            outcome = run_until(self.cli, ("import", "--force", str(path)), None, None)
            if outcome.returncode != 0:
                raise RuntimeError(f"setup: `followup import --force {path}`: {outcome.stderr}")
            self.timings.add("import", outcome.seconds, _after_write(outcome))
            ran, raw = self.cli.export()
            self._must(ran)
            plan = self._must(self.cli.run("plan", "--json"))
            self.documents[name] = _document(name, path, state_of(raw), json.loads(raw), plan)
        # Learn how long a write runs (and check that writes work at all).
        state = self.documents["B"].state
        for kind in ("touch",):
            write = self._write(kind, "B")
            if write is None:
                raise RuntimeError(f"document B offers no target for {kind}")
            outcome = run_until(self.cli, write.args, None, None)
            if outcome.returncode != 0:
                raise RuntimeError(f"setup: `followup {' '.join(write.args)}`: {outcome.stderr}")
            self.timings.add(kind, outcome.seconds, _after_write(outcome))
            state = write.applied(state, self.documents)
        ran, raw = self.cli.export()
        self._must(ran)
        actual = state_of(raw)
        if not actual.same_as(state):
            raise RuntimeError("setup: the export does not show the writes just made")
        return actual, "B"

    @staticmethod
    def _must(ran: Ran) -> str:
        if not ran.ok:
            raise RuntimeError(f"setup failed: {ran.describe()}")
        return ran.stdout

    def _write(self, kind: str, doc: str) -> Write | None:
        self.serial += 1
        summary = f"{MARK}{kind}-{self.serial}"
        document = self.documents[doc]
        if kind == "touch":
            opp, person = self.rng.choice(document.touch_targets)
            args = ("touch", "add", opp, "--person", person, "--summary", summary)
            return Write(kind, args)
        pool = document.pools[kind]
        if not pool:
            return None
        action = pool.pop()
        if kind == "skip":
            return Write(kind, ("skip", action))
        if kind == "snooze":
            until = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30 + self.serial)
            return Write(kind, ("snooze", action, "--until", until.isoformat()))
        return Write(kind, ("done", action, "--note", summary))

    # the run

    def run(self) -> CrashReport:
        started = time.monotonic()
        state, current = self.prepare()
        report = self.report
        attempts = 0
        while report.kills < self.kills and attempts < self.kills * 4:
            if self.failures_in_a_row >= MAX_FAILURES_IN_A_ROW:
                self.fail(
                    f"stopped: {self.failures_in_a_row} writes in a row failed without a kill"
                )
                break
            attempts += 1
            if report.kills % 5 in IMPORT_SLOTS:
                other = "A" if current == "B" else "B"
                steps = [
                    Write("import", ("import", "--force", str(self.documents[other].path)), other)
                ]
            else:
                steps = []
                for _ in range(self.rng.randint(1, self.loop)):
                    write = self._write(self.rng.choice(WRITE_KINDS), current)
                    if write is None:  # that pool is used up
                        write = self._write("touch", current)
                    assert write is not None
                    steps.append(write)
            state, current = self._step(steps, state, current)
        if report.kills < self.kills:
            self.fail(f"only {report.kills} of {self.kills} kills landed in {attempts} attempts")
        report.seconds = time.monotonic() - started
        return report

    def _step(self, steps: list[Write], before: State, current: str) -> tuple[State, str]:
        report = self.report
        if report.kills % 2 == 0:
            # Anywhere in the run of the whole loop.
            span = sum(self.timings.run_time(w.kind) for w in steps)
            kill_at: float | None = time.monotonic() + self.rng.uniform(0, span)
            victim = None
        else:
            # Every second kill: just after the last command's first write reached the file.
            kill_at = None
            victim = len(steps) - 1
        # Each candidate outcome: its label, the state, and the document then in the file.
        expected = before
        candidates: list[tuple[str, State, str]] = []
        killed: Write | None = None
        failed = False
        for index, write in enumerate(steps):
            delay = None
            if index == victim:
                delay = self.rng.uniform(0, self.timings.write_time(write.kind))
            outcome = run_until(self.cli, write.args, kill_at, delay)
            if outcome.killed:
                killed = write
                report.kills += 1
                report.kills_by_kind[write.kind] += 1
                if outcome.wrote_at is not None:
                    report.kills_after_write_began += 1
                candidates = [
                    ("old", expected, current),
                    ("new", write.applied(expected, self.documents), write.doc or current),
                ]
                break
            self.timings.add(write.kind, outcome.seconds, _after_write(outcome))
            report.completed_writes += 1
            if outcome.returncode != 0 or mentions_lock(outcome.stderr):
                report.failed_commands += 1
                report.lock_errors += int(mentions_lock(outcome.stderr))
                ran = Ran(write.args, outcome.returncode, "", outcome.stderr, outcome.seconds)
                self.fail(f"a write failed (no kill): {ran.describe()}")
                self.failures_in_a_row += 1
                # Accept either outcome from here: the failure itself is reported.
                candidates = [
                    ("old", expected, current),
                    ("new", write.applied(expected, self.documents), write.doc or current),
                ]
                failed = True
                break
            self.failures_in_a_row = 0
            expected = write.applied(expected, self.documents)
            current = write.doc or current
        if killed is None and not failed:
            report.missed += 1
            candidates = [("done", expected, current)]
        return self._verify(killed, candidates)

    def _verify(
        self, killed: Write | None, candidates: list[tuple[str, State, str]]
    ) -> tuple[State, str]:
        """Check the file after a step; returns its state and which document it holds."""
        report = self.report
        what = f"after kill {report.kills} ({killed.kind if killed else 'none'})"
        problem = integrity_problem(self.cli.db)
        if problem:
            report.integrity_failures += 1
            self.fail(f"{what}: {problem}")
        ran = self.cli.run("today")
        if not ran.ok or mentions_lock(ran.stderr):
            report.failed_commands += 1
            report.lock_errors += int(mentions_lock(ran.stderr))
            self.fail(f"{what}: the next command failed: {ran.describe()}")
        ran, raw = self.cli.export()
        if not ran.ok:
            report.failed_commands += 1
            report.lock_errors += int(mentions_lock(ran.stderr))
            self.fail(f"{what}: cannot read the database back: {ran.describe()}")
            return candidates[0][1], candidates[0][2]
        actual = state_of(raw)
        match = next((c for c in candidates if actual.same_as(c[1])), None)
        matched = match[0] if match else None
        current = match[2] if match else candidates[0][2]
        if matched is None:
            report.partial_writes += 1
            expected = " or ".join(f"{label}: {s.counts()}" for label, s, _ in candidates)
            command = f"`followup {' '.join(killed.args)}`" if killed else "the loop"
            self.fail(f"{what}: {command} left {actual.counts()}; expected {expected}")
        elif killed is not None and killed.kind == "import":
            report.import_outcomes[matched] += 1
        elif killed is not None:
            report.killed_write_outcomes[matched] += 1
        if killed is not None:
            self.log(f"kill {report.kills}/{self.kills}: {killed.kind} -> {matched or 'PARTIAL'}")
        return actual, current


def _after_write(outcome: Outcome) -> float | None:
    return None if outcome.wrote_at is None else outcome.seconds - outcome.wrote_at


def _document(name: str, path: Path, state: State, exported: Any, plan_json: str) -> Document:
    """Targets for writes in one document, chosen so that no write changes another's target:
    touches go to the first few opportunities; each other opportunity gives at most one action,
    to one of the pools."""
    opportunities = exported["opportunities"]
    touch_opps = opportunities[:TOUCH_OPPORTUNITIES]
    touch_targets = [(o["id"], p["id"]) for o in touch_opps for p in o["people"]]
    taken = {o["id"] for o in touch_opps}
    pools: dict[str, list[str]] = {"skip": [], "snooze": [], "done": []}
    order = ["done", "skip", "snooze"]
    for action in json.loads(plan_json):
        opp = action.get("opportunity")
        if opp is None or opp in taken or action["rule"] in CROSS_RULES:
            continue
        if action["rule"] in DONE_RULES and action["status"] == "overdue" and order[0] == "done":
            pool = "done"
        elif order[0] != "done":
            pool = order[0]
        else:
            continue
        pools[pool].append(action["id"])
        taken.add(opp)
        order = [*order[1:], order[0]]
    return Document(name, path, state, touch_targets, pools)


def crash_safety(
    work: Path,
    *,
    kills: int,
    opportunities: int = 300,
    seed: int = 8,
    loop: int = 3,
    log: Callable[[str], None] = lambda _text: None,
) -> CrashReport:
    """Kill ``kills`` runs (imports, and loops of 1 to ``loop`` writes); see the module doc."""
    work.mkdir(parents=True, exist_ok=True)
    safety = CrashSafety(
        work, kills=kills, opportunities=opportunities, seed=seed, loop=loop, log=log
    )
    return safety.run()


# -- concurrency --------------------------------------------------------------------------------


@dataclass
class ConcurrencyReport:
    seconds: float = 0.0
    cli_ok: int = 0
    cli_failed: int = 0
    web_ok: int = 0
    web_failed: int = 0
    lock_errors: int = 0
    server_errors: int = 0
    start_touches: int = 0
    final_touches: int = 0
    lost_writes: int = 0
    duplicated_writes: int = 0
    unreported_writes: int = 0
    cli_seconds_max: float = 0.0
    web_seconds_max: float = 0.0
    problems: list[str] = field(default_factory=list)

    def fail(self, text: str) -> None:
        self.problems.append(text)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Web:
    """An HTTP/1.1 client of the server on 127.0.0.1 (never through a proxy)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, str]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            return response.status, response.read().decode(errors="replace")
        except (OSError, http.client.HTTPException):
            self.close()
            raise

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


@contextlib.contextmanager
def serving(cli: Followup, log_path: Path) -> Iterator[int]:
    port = free_port()
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            cli.argv("serve", "--host", "127.0.0.1", "--port", str(port)),
            env=cli.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            web = Web(port)
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"the server exited: {log_path.read_text()[-2000:]}")
                try:
                    status, _ = web.request("GET", "/api/openapi.json")
                    if status == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not answer within 60 s")
                time.sleep(0.1)
            web.close()
            yield port
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class Concurrency:
    """A loop of `followup touch add` and an HTTP client of `followup serve`, writing at once to
    the same opportunity of one SQLite file."""

    def __init__(
        self,
        work: Path,
        *,
        seconds: float,
        opportunities: int,
        seed: int,
        cli_loops: int = 1,
        clients: int = 1,
    ) -> None:
        self.work = work
        self.seconds = seconds
        self.cli_loops = cli_loops
        self.clients = clients
        self.opportunities = opportunities
        self.seed = seed
        self.cli = Followup(work, work / "concurrent.db")
        self.report = ConcurrencyReport()
        self.results: dict[str, list[tuple[str, bool]]] = {"cli": [], "web": []}
        self.guard = threading.Lock()  # over the report and results, which both loops update
        self.opp_id = self.person = ""

    def run(self, log: Callable[[str], None]) -> ConcurrencyReport:
        start = self._setup()
        report = self.report
        server_log = self.work / "server.log"
        with serving(self.cli, server_log) as port:
            log(f"concurrency: server on 127.0.0.1:{port}, writers for {self.seconds:g} s")
            began = time.monotonic()
            deadline = began + self.seconds
            threads = [
                *(
                    threading.Thread(target=self._cli_loop, args=(deadline, f"cli{n}-"))
                    for n in range(1, self.cli_loops + 1)
                ),
                *(
                    threading.Thread(target=self._web_loop, args=(deadline, port, f"web{n}-"))
                    for n in range(1, self.clients + 1)
                ),
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            report.seconds = time.monotonic() - began
        report.cli_ok = sum(good for _, good in self.results["cli"])
        report.cli_failed = len(self.results["cli"]) - report.cli_ok
        report.web_ok = sum(good for _, good in self.results["web"])
        report.web_failed = len(self.results["web"]) - report.web_ok
        self._read_server_log(server_log)
        self._tally(start)
        return report

    def _setup(self) -> State:
        path = self.work / "document.json"
        write_document(path, self.opportunities, self.seed)
        for args in (("import", "--force", str(path)), ("today",)):
            ran = self.cli.run(*args)
            if not ran.ok:
                raise RuntimeError(f"setup failed: {ran.describe()}")
        ran, raw = self.cli.export()
        if not ran.ok:
            raise RuntimeError(f"setup failed: {ran.describe()}")
        opp = json.loads(raw)["opportunities"][0]
        self.opp_id, self.person = opp["id"], opp["people"][0]["id"]
        start = state_of(raw)
        self.report.start_touches = start.touches
        return start

    def _cli_loop(self, deadline: float, name: str) -> None:
        report = self.report
        number = 0
        while time.monotonic() < deadline:
            number += 1
            summary = f"{MARK}{name}{number}"
            ran = self.cli.run(
                "touch", "add", self.opp_id, "--person", self.person, "--summary", summary
            )
            good = ran.ok and not mentions_lock(ran.stderr)
            with self.guard:
                report.cli_seconds_max = max(report.cli_seconds_max, ran.seconds)
                self.results["cli"].append((summary, good))
                if not good:
                    report.lock_errors += int(mentions_lock(ran.stderr))
                    report.fail(f"CLI: {ran.describe()}")

    def _web_loop(self, deadline: float, port: int, name: str) -> None:
        report = self.report
        web = Web(port)
        path = f"/api/opportunities/{self.opp_id}/touches"
        number = 0
        try:
            while time.monotonic() < deadline:
                number += 1
                summary = f"{MARK}{name}{number}"
                body = {
                    "at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "person": self.person,
                    "channel": "email",
                    "direction": "out",
                    "kind": "other",
                    "summary": summary,
                }
                began = time.monotonic()
                try:
                    status, text = web.request("POST", path, body)
                except (OSError, http.client.HTTPException) as exc:
                    status, text = 0, f"{type(exc).__name__}: {exc}"
                took = time.monotonic() - began
                good = status == 201 and not mentions_lock(text)
                with self.guard:
                    report.web_seconds_max = max(report.web_seconds_max, took)
                    self.results["web"].append((summary, good))
                    if not good:
                        report.lock_errors += int(mentions_lock(text))
                        report.fail(f"HTTP POST {path} -> {status}: {text[:300]}")
        finally:
            web.close()

    def _read_server_log(self, server_log: Path) -> None:
        report = self.report
        for line in server_log.read_text(encoding="utf-8", errors="replace").splitlines():
            lowered = line.lower()
            if "locked" in lowered or "traceback" in lowered or "error" in lowered:
                report.server_errors += 1
                report.lock_errors += int("locked" in lowered)
                if report.server_errors <= 5:
                    report.fail(f"server log: {line.strip()[:300]}")

    def _tally(self, start: State) -> None:
        report = self.report
        ran, raw = self.cli.export()
        if not ran.ok:
            report.fail(f"cannot read the database back: {ran.describe()}")
            return
        final = state_of(raw)
        report.final_touches = final.touches
        marked = dict(final.marked)
        for summary, good in self.results["cli"] + self.results["web"]:
            present = marked.get(summary, 0)
            if good and present == 0:
                report.lost_writes += 1
                report.fail(f"lost: {summary} was reported written but is not in the database")
            elif present > 1:
                report.duplicated_writes += 1
                report.fail(f"duplicated: {summary} is in the database {present} times")
            elif not good and present:
                report.unreported_writes += 1
                report.fail(f"unreported: {summary} failed for the user but was written")
        expected = report.start_touches + report.cli_ok + report.web_ok
        if report.final_touches != expected:
            report.fail(
                f"touch count {report.final_touches}, expected {expected} "
                f"(start {report.start_touches} + CLI {report.cli_ok} + HTTP {report.web_ok})"
            )
        if final.base != start.base:
            report.fail("something besides the new touches changed during the concurrent writes")
        problem = integrity_problem(self.cli.db)
        if problem:
            report.fail(f"after the concurrent writes: {problem}")


def concurrency(
    work: Path,
    *,
    seconds: float,
    opportunities: int = 300,
    seed: int = 8,
    cli_loops: int = 1,
    clients: int = 1,
    log: Callable[[str], None] = lambda _text: None,
) -> ConcurrencyReport:
    """``cli_loops`` loops of `touch add` and ``clients`` HTTP clients of one server, writing
    for ``seconds``; see the module doc."""
    work.mkdir(parents=True, exist_ok=True)
    runner = Concurrency(
        work,
        seconds=seconds,
        opportunities=opportunities,
        seed=seed,
        cli_loops=cli_loops,
        clients=clients,
    )
    return runner.run(log)


# -- the command --------------------------------------------------------------------------------


def render(crash: CrashReport | None, conc: ConcurrencyReport | None) -> str:
    lines = []
    if crash is not None:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(crash.kills_by_kind.items()))
        imports = ", ".join(f"{k} {n}" for k, n in sorted(crash.import_outcomes.items()))
        writes = ", ".join(f"{k} {n}" for k, n in sorted(crash.killed_write_outcomes.items()))
        lines += [
            f"crash safety ({crash.seconds:.0f} s): {crash.kills} kills -9 ({kinds}); "
            f"{crash.kills_after_write_began} after the write began",
            f"  after a killed import: {imports or '-'}; after a killed write: {writes or '-'}",
            f"  writes completed between kills {crash.completed_writes}, "
            f"steps that ended before their kill {crash.missed}",
            f"  integrity failures {crash.integrity_failures}, partial writes "
            f"{crash.partial_writes}, failed commands {crash.failed_commands}, "
            f"lock errors {crash.lock_errors}",
        ]
    if conc is not None:
        lines += [
            f"concurrency ({conc.seconds:.0f} s): CLI touch add {conc.cli_ok} ok, "
            f"{conc.cli_failed} failed (slowest {conc.cli_seconds_max:.2f} s); HTTP POST "
            f"{conc.web_ok} ok, {conc.web_failed} failed (slowest {conc.web_seconds_max:.2f} s)",
            f"  touches {conc.start_touches} -> {conc.final_touches} (expected "
            f"{conc.start_touches + conc.cli_ok + conc.web_ok}); lock errors {conc.lock_errors}, "
            f"server errors {conc.server_errors}, lost writes {conc.lost_writes}, "
            f"duplicated {conc.duplicated_writes}, reported failed but written "
            f"{conc.unreported_writes}",
        ]
    problems = (crash.problems if crash else []) + (conc.problems if conc else [])
    if problems:
        lines.append(f"FAILED: {len(problems)} problems")
        lines += [f"  - {p}" for p in problems[:30]]
        if len(problems) > 30:
            lines.append(f"  ... and {len(problems) - 30} more")
    else:
        lines.append("OK: no corruption, no partial write, no lock error, no lost write")
    return "\n".join(lines)


def _plain(report: CrashReport | ConcurrencyReport) -> dict[str, Any]:
    """A report's figures for JSON (``asdict`` would rebuild each Counter from pairs, wrongly)."""
    figures = {f.name: getattr(report, f.name) for f in fields(report)}
    return {k: dict(v) if isinstance(v, Counter) else v for k, v in figures.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Reliability checks (issue 8): kill -9 during writes, and two writers at "
        "once. Exits 1 on any corruption, partial write, lock error or lost write."
    )
    parser.add_argument("--kills", type=int, help="kill -9 this many runs (default 100)")
    parser.add_argument("--seconds", type=float, help="concurrent writes for this long (60)")
    parser.add_argument("--quick", action="store_true", help="10 kills, 5 s, 120 opportunities")
    parser.add_argument("--opportunities", type=int, help="size of the job search (300)")
    parser.add_argument("--seed", type=int, default=8, help="random seed (kill moments, data)")
    parser.add_argument("--only", choices=("crash", "concurrency"), help="run one of the two")
    parser.add_argument(
        "--cli-loops", type=int, default=1, help="concurrent loops of `touch add` (1)"
    )
    parser.add_argument(
        "--clients", type=int, default=1, help="concurrent HTTP clients of the server (1)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args(argv)
    kills = args.kills if args.kills is not None else 10 if args.quick else 100
    seconds = args.seconds if args.seconds is not None else 5.0 if args.quick else 60.0
    size = args.opportunities or (120 if args.quick else 300)
    if kills < 0 or seconds < 0 or size < TOUCH_OPPORTUNITIES:
        parser.error(
            f"--kills and --seconds must be >= 0, --opportunities >= {TOUCH_OPPORTUNITIES}"
        )

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    with contextlib.ExitStack() as stack:
        if args.keep:
            work = args.keep
            work.mkdir(parents=True, exist_ok=True)
        else:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="followup-rel-")))
        crash = conc = None
        if args.only != "concurrency" and kills:
            log(f"crash safety: {kills} kills over {size} opportunities ...")
            crash = crash_safety(
                work / "crash", kills=kills, opportunities=size, seed=args.seed, log=log
            )
        if args.only != "crash" and seconds:
            log(f"concurrency: {seconds:g} s ...")
            conc = concurrency(
                work / "concurrency",
                seconds=seconds,
                opportunities=size,
                seed=args.seed,
                cli_loops=args.cli_loops,
                clients=args.clients,
                log=log,
            )
    print(render(crash, conc))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        figures = {
            "crash": _plain(crash) if crash else None,
            "concurrency": _plain(conc) if conc else None,
        }
        args.json.write_text(json.dumps(figures, indent=1, default=str) + "\n", encoding="utf-8")
    failed = (crash is not None and crash.problems) or (conc is not None and conc.problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
