"""A long re-planning shows a progress bar on a terminal, and nothing when not on one."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from test_bench_generate import generate

NOW = datetime(2030, 3, 5, 15, 0, tzinfo=UTC)


def _followup(db: Path, *args: str, stderr_tty: bool) -> str:
    """Run followup as a process; return what it wrote to stderr."""
    command = [sys.executable, "-c", "from followup.cli import main; main()", "--db", str(db)]
    if not stderr_tty:
        done = subprocess.run([*command, *args], capture_output=True, text=True, check=True)
        return done.stderr
    main, child = pty.openpty()
    try:
        done = subprocess.run(
            [*command, *args], stdout=subprocess.DEVNULL, stderr=child, check=True, timeout=120
        )
        assert done.returncode == 0
        os.close(child)
        child = -1
        chunks = []
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the terminal closed: everything was read
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks).decode(errors="replace")
    finally:
        os.close(main)
        if child >= 0:
            os.close(child)


def test_a_new_playbook_re_plans_with_a_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    document = tmp_path / "search.json"
    document.write_text(json.dumps(generate(250, seed=4, now=NOW)), encoding="utf-8")
    db = tmp_path / "followup.db"
    _followup(db, "import", str(document), stderr_tty=False)
    config = Path(os.environ["FOLLOWUP_CONFIG_DIR"]) / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)

    config.write_text("[playbook]\nthank_you_hours = 12\n", encoding="utf-8")
    shown = _followup(db, "plan", "--all", "--json", stderr_tty=True)
    assert "Planning" in shown

    config.write_text("[playbook]\nthank_you_hours = 13\n", encoding="utf-8")
    assert "Planning" not in _followup(db, "plan", "--all", "--json", stderr_tty=False)
