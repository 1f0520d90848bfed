"""For reference: Taskwarrior's `task next` over 10,000 pending tasks, timed like `followup today`.

Only when Taskwarrior is installed (`apt-get install taskwarrior`); the data lives in a
throw-away folder (TASKRC and TASKDATA point there), so the user's own tasks are never read.
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
from pathlib import Path

TASKS = 10_000


def task_next_median(runs: int = 20) -> float | None:
    """Median seconds of `task next` over ``TASKS`` tasks, or None without Taskwarrior."""
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
        lines = [
            json.dumps({
                "uuid": f"{n:08x}-0000-4000-8000-{n:012x}",
                "description": f"Follow up {n}",
                "status": "pending",
                "entry": "20261101T000000Z",
                "due": f"202612{rng.randint(1, 28):02d}T120000Z",
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
        return statistics.median(times)


if __name__ == "__main__":
    seconds = task_next_median()
    print(
        "Taskwarrior is not installed" if seconds is None else f"task next: {seconds * 1000:.1f} ms"
    )
