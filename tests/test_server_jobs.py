"""The server's background jobs: `followup server init` and `followup worker` on PostgreSQL.

Real processes on a real queue (procrastinate's tables in a schema of the test server): init
creates the queue once; after an upgrade makes plans stale, workers plan every candidate
again, each job exactly once, two workers at a time included.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

import bench_scripts
from followup.core.interchange import parse_document
from followup.server.jobs import _has_queue_tables
from followup.store import Store, open_store

pytestmark = pytest.mark.postgres

FOLLOWUP = Path(sys.executable).with_name("followup")
generate = bench_scripts.load("generate").generate


def followup(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(FOLLOWUP), "--db", url, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def candidates_with_stale_plans(url: str, names: list[str]) -> None:
    """Each candidate with a small job search, then an "upgrade": every plan made by an older
    planner (what a new release of followup, holidays or tzdata does)."""
    store = open_store(url)
    try:
        facts, problems = parse_document(generate(8, seed=5))
        assert facts is not None, problems
        for name in names:
            pk = store.add_candidate(name) if name != "me" else store.candidate_pk()
            with store.unit_of_work(pk) as work:
                work.replace_all(facts)
        with store._transaction("write to", write=True) as conn:
            conn.execute(sa.text("UPDATE candidate SET plan_planner = 'followup 0.1'"))
            conn.execute(sa.text("UPDATE opportunity_plan SET planner = 'followup 0.1'"))
        assert store.stale_candidates() == names
    finally:
        store.close()


def jobs(url: str) -> dict[tuple[str, str], int]:
    """(task, status) -> how many jobs."""
    import psycopg

    from followup.server.jobs import conninfo

    with psycopg.connect(conninfo(url)) as conn:
        rows = conn.execute(
            "SELECT task_name, status::text, count(*) FROM procrastinate_jobs GROUP BY 1, 2"
        ).fetchall()
    return {(task, status): n for task, status, n in rows}


def started_more_than_once(url: str) -> list[int]:
    """The jobs that a worker started more than once (none may be)."""
    import psycopg

    from followup.server.jobs import conninfo

    with psycopg.connect(conninfo(url)) as conn:
        rows = conn.execute(
            "SELECT job_id FROM procrastinate_events WHERE type = 'started' "
            "GROUP BY job_id HAVING count(*) > 1"
        ).fetchall()
    return [job for (job,) in rows]


def plans_of(store: Store, name: str) -> list[tuple[str, float, float]]:
    from followup.store.plans import read_plan
    from followup.store.sql import Db

    with store._transaction("read", write=False) as conn:
        rows = read_plan(Db.over(conn), store.candidate_pk(name))
    return [(r.id, r.start, r.end) for r in rows]


def test_init_makes_the_queue_once_and_a_worker_plans_each_stale_candidate(pg_url: str) -> None:
    admin = ("--org", "acme", "--admin", "root@acme.example")
    short = followup(pg_url, "server", "init", *admin, stdin="short\n")
    assert short.returncode == 2 and "too short" in short.stderr
    assert not _has_queue_tables(pg_url)  # refused before anything was made
    first = followup(pg_url, "server", "init", *admin, stdin="correct horse battery\n")
    assert first.returncode == 0, first.stderr
    assert "its job queue is created" in first.stdout
    assert "Added admin root@acme.example to acme." in first.stdout
    again = followup(pg_url, "server", "init", *admin, stdin="")
    assert again.returncode == 0, again.stderr
    assert "its job queue is already there" in again.stdout
    assert "root@acme.example has an account already: left as it is." in again.stdout
    half = followup(pg_url, "server", "init", "--org", "acme")
    assert half.returncode != 0 and "--org and --admin go together" in half.stderr

    names = ["me", "ada", "grace"]
    candidates_with_stale_plans(pg_url, names)
    assert followup(pg_url, "server", "init").returncode == 0  # after an upgrade: queues a check
    worked = followup(pg_url, "worker", "--once")

    assert worked.returncode == 0, worked.stderr
    store = open_store(pg_url)
    try:
        assert store.stale_candidates() == []
        assert all(plans_of(store, name) for name in names)
    finally:
        store.close()
    done = jobs(pg_url)
    assert done[("followup.replan", "succeeded")] >= len(names)
    assert not [key for key in done if key[1] != "succeeded"]
    assert started_more_than_once(pg_url) == []


def test_two_workers_share_the_queue_and_run_each_job_once(pg_url: str) -> None:
    assert followup(pg_url, "server", "init").returncode == 0
    names = [f"candidate-{n}" for n in range(8)]
    candidates_with_stale_plans(pg_url, ["me", *names])
    from followup.server.jobs import defer_replan, make_app

    app = make_app(pg_url)
    with app.open():
        assert all(defer_replan(app, name) for name in ["me", *names])
        assert not defer_replan(app, "me")  # one waiting replan per candidate, not two

    command = [str(FOLLOWUP), "--db", pg_url, "worker", "--once", "--concurrency", "2"]
    workers = [subprocess.Popen(command, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for w in workers:
        _, err = w.communicate(timeout=120)
        assert w.returncode == 0, err
    # a periodic check run meanwhile may have queued a replan of a candidate that was being
    # planned at that moment, after both workers found the queue empty: one more pass
    drain = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert drain.returncode == 0, drain.stderr

    done = jobs(pg_url)
    assert not [key for key in done if key[1] != "succeeded"]
    # the 9 deferred here, and those of a periodic check that may have run meanwhile
    assert done[("followup.replan", "succeeded")] >= len(names) + 1
    assert started_more_than_once(pg_url) == []
    store = open_store(pg_url)
    try:
        assert store.stale_candidates() == []
    finally:
        store.close()


def test_the_worker_says_what_it_needs(pg_url: str, tmp_path: Path) -> None:
    for command in (["worker", "--once"], ["server", "init"]):
        on_sqlite = followup(str(tmp_path / "local.db"), *command)
        assert on_sqlite.returncode != 0
        assert "background jobs need PostgreSQL" in on_sqlite.stderr
        assert "Traceback" not in on_sqlite.stderr
    assert not (tmp_path / "local.db").exists()  # nothing made on the way

    open_store(pg_url).close()  # migrated, but `server init` never ran
    no_queue = followup(pg_url, "worker", "--once")
    assert no_queue.returncode != 0
    assert "the database has no job queue yet" in no_queue.stderr
    assert "server init" in no_queue.stderr
    assert "Traceback" not in no_queue.stderr


def test_two_processes_planning_one_candidate_at_once_both_succeed(pg_url: str) -> None:
    """A web request and a worker may plan the same stale candidate at the same moment: the
    second waits for the first (the candidate's row is locked, as for a write) and finds
    nothing left to do, instead of failing on the first one's rows."""
    import threading

    candidates_with_stale_plans(pg_url, ["me", "ada"])
    stores = [open_store(pg_url) for _ in range(4)]
    start = threading.Barrier(len(stores))
    results: list[object] = []

    def plan(store: Store) -> None:
        start.wait()
        try:
            results.append(store.ensure_plans(None, store.candidate_pk("ada")))
        except Exception as exc:  # the test reports it
            results.append(exc)

    threads = [threading.Thread(target=plan, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    try:
        assert [r for r in results if isinstance(r, Exception)] == []
        assert sorted(results, key=str) == sorted([0, 0, 0, 8], key=str)  # planned once
        assert stores[0].stale_candidates() == ["me"]  # only Ada's were planned
        assert plans_of(stores[0], "ada")
    finally:
        for s in stores:
            s.close()
