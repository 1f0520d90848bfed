"""For reference: Taskwarrior's `task next` over 10,000 pending tasks, timed like `followup today`.

Only when Taskwarrior is installed (`apt-get install taskwarrior`); the data lives in a
throw-away folder (TASKRC and TASKDATA point there), so the user's own tasks are never read.
The tasks were entered a month ago and fall due from two weeks ago to four weeks ahead, so that
`task next` ranks a realistic mix of overdue and coming tasks.

    python bench/taskwarrior.py      # prints the median; `bench/run.py` includes it
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

TASKS = 10_000


def task_next_times(runs: int = 20, now: datetime | None = None) -> list[float] | None:
    """Seconds of each of ``runs`` runs of `task next` over ``TASKS`` tasks (after one to warm
    up), or None without Taskwarrior."""
    task = shutil.which("task")
    if task is None:
        return None
    with tempfile.TemporaryDirectory(prefix="followup-bench-task-") as folder:
        home = Path(folder)
        (home / "data").mkdir()
        (home / "taskrc").write_text(
            f"data.location={home / 'data'}\nconfirmation=off\nverbose=nothing\n"
        )
        env = {**os.environ, "TASKRC": str(home / "taskrc"), "TASKDATA": str(home / "data")}
        rng = random.Random(1)
        now = (now or datetime.now(UTC)).astimezone(UTC)
        lines = [
            json.dumps({
                "uuid": f"{n:08x}-0000-4000-8000-{n:012x}",
                "description": f"Follow up {n}",
                "status": "pending",
                "entry": _stamp(now - timedelta(days=30)),
                "due": _stamp(now + timedelta(hours=rng.randint(-14 * 24, 28 * 24))),
                "project": f"p{n % 100}",
            })
            for n in range(TASKS)
        ]  # fmt: skip
        (home / "tasks.json").write_text("\n".join(lines))
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
        subprocess.run([task, "import", str(home / "tasks.json")], check=True, **quiet)  # type: ignore[call-overload]
        subprocess.run([task, "next"], check=True, **quiet)  # type: ignore[call-overload]
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run([task, "next"], check=True, **quiet)  # type: ignore[call-overload]
            times.append(time.perf_counter() - started)
        return times


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


if __name__ == "__main__":
    times = task_next_times()
    print(
        "Taskwarrior is not installed"
        if times is None
        else f"task next, {TASKS:,} tasks: median {statistics.median(times) * 1000:.1f} ms"
    )
