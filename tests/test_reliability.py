"""Issue 8: a `kill -9` never corrupts the SQLite file nor leaves half a write, and the CLI and
the web server writing at once never surface "database is locked" nor lose a write.

A short form of ``bench/reliability.py`` (100 kills and 60 s there): 10 kills and 5 s of
concurrent writes, over a small generated job search, through the real `followup` command and
`followup serve` on 127.0.0.1. The last two tests show that the checks themselves can fail.
"""

from __future__ import annotations

import contextlib
import copy
import json
import sqlite3
from pathlib import Path
from typing import Any

import bench_scripts

reliability = bench_scripts.load("reliability")

KILLS = 10
SECONDS = 5.0
OPPORTUNITIES = 40


def test_kill_9_leaves_a_sound_file_and_every_write_whole_or_absent(tmp_path: Path) -> None:
    report = reliability.crash_safety(
        tmp_path / "crash", kills=KILLS, opportunities=OPPORTUNITIES, seed=8, loop=2
    )

    assert not report.problems, "\n".join(report.problems)
    assert report.kills == KILLS
    assert report.integrity_failures == 0
    assert report.partial_writes == 0
    assert report.failed_commands == 0
    assert report.lock_errors == 0
    # Two kills in five hit an import, the others a loop of writes; every second kill waits for
    # the write to reach the file (the WAL to grow) before it strikes.
    assert report.kills_by_kind["import"] == 4
    assert sum(report.kills_by_kind.values()) == KILLS
    assert report.kills_after_write_began >= KILLS // 2
    # Each kill was followed by a check that classified what it left: old or new, nothing else.
    assert sum(report.import_outcomes.values()) == 4
    assert sum(report.killed_write_outcomes.values()) == KILLS - 4
    assert set(report.import_outcomes) <= {"old", "new"}
    assert set(report.killed_write_outcomes) <= {"old", "new"}


def test_cli_and_web_server_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    report = reliability.concurrency(
        tmp_path / "concurrency", seconds=SECONDS, opportunities=OPPORTUNITIES
    )

    assert not report.problems, "\n".join(report.problems)
    assert report.lock_errors == 0
    assert report.server_errors == 0
    assert report.cli_failed == 0
    assert report.web_failed == 0
    # Both sides really wrote, at the same time.
    assert report.cli_ok >= 1
    assert report.web_ok >= 5
    assert report.seconds >= SECONDS
    assert report.final_touches == report.start_touches + report.cli_ok + report.web_ok
    assert report.lost_writes == report.duplicated_writes == report.unreported_writes == 0


def test_the_integrity_check_sees_a_damaged_file(tmp_path: Path) -> None:
    db = tmp_path / "damaged.db"
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, text TEXT)")
        conn.execute("CREATE INDEX t_text ON t (text)")
        conn.executemany(
            "INSERT INTO t (text) VALUES (?)", [(f"row {i} " * 20,) for i in range(2000)]
        )
        conn.commit()
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    assert reliability.integrity_problem(db) is None

    with db.open("r+b") as damaged:
        damaged.seek(page_size * 10 + 200)
        damaged.write(b"\xa5" * 600)

    assert reliability.integrity_problem(db) is not None


def _document(opportunities: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "version": 1,
        "profile": {"name": "Alex", "timezone": "Europe/Berlin"},
        "opportunities": opportunities,
        "achievements": [],
        "decisions": [],
    }


def _opportunity(opp_id: str, touches: int) -> dict[str, Any]:
    return {
        "id": opp_id,
        "company": opp_id.title(),
        "people": [{"id": "dana", "name": "Dana"}],
        "touches": [
            {"id": f"t{n}", "at": "2026-11-02T10:00+01:00", "person": "dana", "summary": f"s{n}"}
            for n in range(1, touches + 1)
        ],
    }


def _state(document: dict[str, Any]) -> Any:
    return reliability.state_of(json.dumps(document, indent=1).encode())


def test_the_comparison_tells_whole_writes_from_partial_ones() -> None:
    old = _document([_opportunity("acme", 2), _opportunity("blue", 1)])
    new = _document([_opportunity("cedar", 3), _opportunity("delta", 3)])
    half = _document([*old["opportunities"], new["opportunities"][0]])
    before = _state(old)

    # An import: the old bytes or the new ones, never a mix (even one with the same counts).
    assert _state(copy.deepcopy(old)).same_as(before)
    assert not _state(new).same_as(before)
    assert not any(_state(half).same_as(s) for s in (before, _state(new)))
    same_counts = _document([_opportunity("acme", 1), _opportunity("blue", 2)])
    assert not _state(same_counts).same_as(before)

    # A touch: exactly one more, with that summary, and nothing else changed.
    touched = copy.deepcopy(old)
    touched["opportunities"][1]["touches"].append(
        {"id": "t9", "at": "2026-11-29T10:00+01:00", "person": "dana", "summary": "rel-touch-1"}
    )
    expected = before.with_touch("rel-touch-1")
    assert _state(touched).same_as(expected)
    assert not before.same_as(expected)
    twice = copy.deepcopy(touched)
    twice["opportunities"][0]["touches"].append(
        {"id": "t8", "at": "2026-11-29T10:00+01:00", "person": "dana", "summary": "rel-touch-1"}
    )
    assert not _state(twice).same_as(expected)
    renamed = copy.deepcopy(touched)
    renamed["opportunities"][0]["company"] = "Acme Renamed"
    assert not _state(renamed).same_as(expected)

    # A snooze: the decision exactly as asked (the same instant in any offset).
    snoozed = copy.deepcopy(old)
    snoozed["decisions"] = [
        {"action": "cycle:acme:dana:1", "decision": "snoozed", "until": "2026-12-20T09:00-05:00"}
    ]
    asked = before.with_decision("cycle:acme:dana:1", "snoozed", "2026-12-20T14:00:00+00:00")
    assert _state(snoozed).same_as(asked)
    assert not _state(snoozed).same_as(before.with_decision("cycle:acme:dana:1", "skipped"))
