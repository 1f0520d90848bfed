"""Background jobs on PostgreSQL, queued and worked with ``procrastinate``.

The queue lives in the same database as the facts (procrastinate's tables beside ours), so a
job is deferred in the transaction that asks for it and survives any process; `followup
worker` processes, on as many machines as the load needs, take jobs with row locks (each job
runs once) and LISTEN for new ones. No queue or scheduler of our own.

Jobs (queue ``plans``):

- ``followup.replan`` — plan again whatever is stale for one candidate (after an upgrade of
  the planner, the ``holidays`` library or tzdata, or a change of playbook). A queueing lock
  per candidate keeps at most one waiting per candidate.
- ``followup.replan_stale`` — defer ``followup.replan`` for every candidate whose plans were
  made with another planner or playbook. Periodic (every ``REPLAN_EVERY_MINUTES``, whichever
  worker's scheduler comes first), and deferred by `followup server init` after a migration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from followup.errors import UsageError

if TYPE_CHECKING:
    import procrastinate

    from followup.store import Store

QUEUE: Final = "plans"
REPLAN_EVERY_MINUTES: Final = 10


def conninfo(url: str) -> str:
    """The libpq connection string of a PostgreSQL URL (SQLAlchemy's, as ``--db`` takes it)."""
    from followup.store.engine import parse_url

    parsed = parse_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise UsageError(
            "background jobs need PostgreSQL",
            hint="give a URL such as postgresql+psycopg://user@host/dbname with --db",
        )
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def make_app(url: str) -> procrastinate.App:
    """The procrastinate app of the database at ``url``, with the jobs above."""
    try:
        import procrastinate
    except ImportError as exc:
        raise UsageError(
            "background jobs need the server extras",
            hint="pip install 'followup[server]'",
        ) from exc

    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(url)))
    opened: list[Store] = []  # one store (an engine with its pool) for all the worker's jobs

    def store() -> Store:
        if not opened:
            from followup.store import open_store

            opened.append(open_store(url))
        return opened[0]

    @app.task(name="followup.replan", queue=QUEUE, retry=3)
    def replan(candidate: str) -> int:
        """Plan again what is stale for ``candidate``; how many opportunities that was."""
        return store().ensure_plans(None, store().candidate_pk(candidate))

    @app.periodic(cron=f"*/{REPLAN_EVERY_MINUTES} * * * *", periodic_id="replan-stale")
    @app.task(name="followup.replan_stale", queue=QUEUE)
    def replan_stale(timestamp: int | None = None) -> int:
        """Defer a re-planning for each candidate whose plans are stale; how many."""
        return sum(defer_replan(app, c) for c in store().stale_candidates())

    return app


def defer_replan(app: procrastinate.App, candidate: str) -> bool:
    """Queue a re-planning of ``candidate`` (False: one is waiting already)."""
    from procrastinate import exceptions

    task = app.tasks["followup.replan"]
    try:
        task.configure(queueing_lock=f"replan:{candidate}").defer(candidate=candidate)
    except exceptions.AlreadyEnqueued:
        return False
    return True


def init(url: str) -> bool:
    """Create or migrate followup's tables and create the queue's, then queue a check of every
    candidate's plans (an upgrade may have made them stale). True when the queue's tables
    were created now. Safe to run again: after an upgrade, run it once before the workers."""
    from followup.store.migrate import ensure_schema

    app = make_app(url)  # refuses anything but PostgreSQL, before a table is made
    ensure_schema(url)
    with app.open():
        created = not _has_queue_tables(url)
        if created:
            app.schema_manager.apply_schema()
        app.tasks["followup.replan_stale"].defer()
    return created


def _has_queue_tables(url: str) -> bool:
    import psycopg

    with psycopg.connect(conninfo(url)) as conn:
        found = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
    return found is not None and found[0] is not None


def work(url: str, *, once: bool = False, concurrency: int = 1) -> None:
    """Work the queue: until stopped (SIGINT, SIGTERM: running jobs finish first), or, with
    ``once``, until it is empty."""
    from followup.store.engine import display_url

    app = make_app(url)
    if not _has_queue_tables(url):
        raise UsageError(
            "the database has no job queue yet",
            hint=f"run `followup server init --db {display_url(url)}` first",
        )
    options: dict[str, Any] = {"queues": [QUEUE], "concurrency": concurrency, "wait": not once}
    with app.open():
        app.run_worker(**options)


def check_server_database(url: str) -> None:
    """Refuse, saying why, a database the server cannot run on: not PostgreSQL, or not made
    by `followup server init` (before any web process starts)."""
    from followup.store.engine import display_url

    conninfo(url)
    if not _has_queue_tables(url):
        raise UsageError(
            "this database was not set up for the server",
            hint=f"run `followup server init --db {display_url(url)}` first",
        )
