"""Background jobs on PostgreSQL, queued and worked with ``procrastinate``.

The queue lives in the same database as the facts (procrastinate's tables beside ours), so a
job is deferred in the transaction that asks for it and survives any process; `followup
worker` processes, on as many machines as the load needs, take jobs with row locks (each job
runs once) and LISTEN for new ones. No queue or scheduler of our own.

Jobs, queue ``plans``:

- ``followup.replan`` — plan again whatever is stale for one candidate (after an upgrade of
  the planner, the ``holidays`` library or tzdata, or a change of playbook). A queueing lock
  per candidate keeps at most one waiting per candidate.
- ``followup.replan_stale`` — defer ``followup.replan`` for every candidate whose plans were
  made with another planner or playbook. Periodic (every ``REPLAN_EVERY_MINUTES``, whichever
  worker's scheduler comes first), and deferred by `followup server init` after a migration.

Queue ``mail`` (the server's own e-mail, ``server.notices``; only when the environment sets
``FOLLOWUP_SERVER_SMTP_HOST``):

- ``followup.notices`` — every 15 minutes: defer the reminders whose morning it is, the
  digests due, and a send of any queued message left unsent.
- ``followup.remind`` / ``followup.digest`` — write one account's reminder (when something
  is due) or digest, then send it.
- ``followup.send_mail`` — send one queued message, at most once (the web process defers it
  after committing a password-reset request).
- ``followup.mail_sync_all`` — every ``MAIL_SYNC_EVERY_MINUTES``: defer ``followup.mail_sync``
  for each candidate whose mailbox the server can read (``server.mailbox``).
- ``followup.mail_sync`` — read one candidate's new replies into their workspace (at most one
  waiting per candidate; one running, by an advisory lock).
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from followup.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable

    import procrastinate

    from followup.server.notices import MailConfig
    from followup.store import Store

_LOG: Final = logging.getLogger(__name__)
QUEUE: Final = "plans"
MAIL_QUEUE: Final = "mail"
#: what `followup worker` takes from
QUEUES: Final = (QUEUE, MAIL_QUEUE)
REPLAN_EVERY_MINUTES: Final = 10
MAIL_SYNC_EVERY_MINUTES: Final = 15


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

    _plan_jobs(app, store)
    _mail_jobs(app, store)
    return app


def _plan_jobs(app: procrastinate.App, store: Callable[[], Store]) -> None:
    @app.task(name="followup.replan", queue=QUEUE, retry=3)
    def replan(candidate: str) -> int:
        """Plan again what is stale for ``candidate``; how many opportunities that was."""
        return store().ensure_plans(None, store().candidate_pk(candidate))

    @app.periodic(cron=f"*/{REPLAN_EVERY_MINUTES} * * * *", periodic_id="replan-stale")
    @app.task(name="followup.replan_stale", queue=QUEUE)
    def replan_stale(timestamp: int | None = None) -> int:
        """Defer a re-planning for each candidate whose plans are stale; how many."""
        return sum(defer_replan(app, c) for c in store().stale_candidates())


def _mail_jobs(app: procrastinate.App, store: Callable[[], Store]) -> None:
    @app.periodic(cron="*/15 * * * *", periodic_id="notices")
    @app.task(name="followup.notices", queue=MAIL_QUEUE)
    def notices_due(timestamp: int | None = None) -> int:
        """Defer the reminders, digests and sends that are due; how many."""
        from followup.server import notices

        if mail_config() is None:
            return 0
        found = notices.due(store(), datetime.now(UTC))
        deferred = 0
        for account, day in found.reminders:
            deferred += _defer(
                app, "followup.remind", f"remind:{account}", account=account, day=day
            )
        for account, week in found.digests:
            deferred += _defer(
                app, "followup.digest", f"digest:{account}", account=account, week=week
            )
        for pk in found.unsent:
            deferred += _defer(app, "followup.send_mail", f"mail:{pk}", pk=pk)
        return deferred

    @app.task(name="followup.remind", queue=MAIL_QUEUE)
    def remind(account: int, day: str) -> str:
        """Write the candidate's reminder of ``day`` when something is due, and send it."""
        from followup.server import notices

        return _write_and_send(store(), notices.remind, account, day, "nothing due")

    @app.task(name="followup.digest", queue=MAIL_QUEUE)
    def digest(account: int, week: str) -> str:
        """Write the coach's digest of ``week`` and send it."""
        from followup.server import notices

        return _write_and_send(store(), notices.digest, account, week, "no caseload")

    @app.task(name="followup.send_mail", queue=MAIL_QUEUE)
    def send_mail(pk: int) -> str:
        """Send the queued message ``pk`` (once)."""
        from followup.server import notices

        config = mail_config()
        if config is None:
            _LOG.warning(
                "server mail %s waits: this worker has no FOLLOWUP_SERVER_SMTP_HOST "
                "(a worker with it sends it within 20 minutes)",
                pk,
            )
            return "mail is off"
        return notices.send(store(), pk, config, datetime.now(UTC))

    @app.periodic(cron=f"*/{MAIL_SYNC_EVERY_MINUTES} * * * *", periodic_id="mail-sync")
    @app.task(name="followup.mail_sync_all", queue=MAIL_QUEUE)
    def mail_sync_all(timestamp: int | None = None) -> int:
        """Defer a sync of each candidate's mailbox the server can read; how many."""
        from followup.server.mailbox import candidates_to_sync

        return sum(
            _defer(app, "followup.mail_sync", f"mail-sync:{c}", candidate=c)
            for c in candidates_to_sync(store())
        )

    @app.task(name="followup.mail_sync", queue=MAIL_QUEUE)
    def mail_sync(candidate: str) -> str:
        """Read ``candidate``'s new replies; what it did, or why it stopped (recorded for the
        candidate, who sees it on /account/mail; not retried before the next round)."""
        from followup.errors import FollowupError
        from followup.server.mailbox import describe, sync_candidate

        try:
            done = sync_candidate(store(), None, candidate, os.environ, datetime.now(UTC))
        except FollowupError as exc:
            _LOG.warning("the mail sync of %s stopped: %s", candidate, exc.message)
            return f"stopped: {exc.message}"
        return describe(done)


def _write_and_send(
    store: Store,
    write: Callable[[Store, int, str, MailConfig, datetime], int | None],
    account: int,
    when: str,
    nothing: str,
) -> str:
    """Queue a message with ``write`` (a reminder, a digest), then send it; what happened."""
    from followup.server import notices

    config = mail_config()
    if config is None:
        return "mail is off"
    pk = write(store, account, when, config, datetime.now(UTC))
    return nothing if pk is None else notices.send(store, pk, config, datetime.now(UTC))


def mail_config() -> MailConfig | None:
    """The server's own mail settings, from this process's environment."""
    from followup.server.notices import MailConfig

    return MailConfig.of(os.environ)


def _defer(app: procrastinate.App, task: str, lock: str, **arguments: Any) -> int:
    """Queue ``task`` unless one with the same ``lock`` is waiting (1: queued, 0: not)."""
    from procrastinate import exceptions

    try:
        app.tasks[task].configure(queueing_lock=lock).defer(**arguments)
    except exceptions.AlreadyEnqueued:
        return 0
    return 1


def defer_send(url: str, pk: int) -> bool:
    """From a web process: queue the sending of the server mail ``pk`` just committed. False
    when the queue cannot be reached (the periodic job sends it within 20 minutes)."""
    import logging

    try:
        app = make_app(url)
        with app.open():
            _defer(app, "followup.send_mail", f"mail:{pk}", pk=pk)
    except Exception:  # the row is committed: the periodic job finds it
        logging.getLogger(__name__).warning("could not queue server mail %s", pk, exc_info=True)
        return False
    return True


def defer_replan(app: procrastinate.App, candidate: str) -> bool:
    """Queue a re-planning of ``candidate`` (False: one is waiting already)."""
    return bool(_defer(app, "followup.replan", f"replan:{candidate}", candidate=candidate))


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
    options: dict[str, Any] = {"queues": list(QUEUES), "concurrency": concurrency, "wait": not once}
    if not logging.getLogger().handlers:  # what failed (a mail not sent, a sync stopped)
        logging.basicConfig(
            level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
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
