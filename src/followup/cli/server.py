"""`followup server init` and `followup worker`: the server mode's database and job workers."""

from __future__ import annotations

import click

from followup.cli.app import get_app


@click.group()
def server() -> None:
    """Set up the server mode: many candidates in one PostgreSQL database.

    \b
    Examples:
      followup --db postgresql+psycopg://followup@db.internal/followup server init
    """


@server.command("init")
def init() -> None:
    """Create or upgrade the database and its job queue; queue a check of every plan.

    Run it once on an empty PostgreSQL database, and again after each upgrade of followup,
    before starting the workers. Running it again changes nothing else.

    \b
    Example:
      followup --db postgresql+psycopg://followup@db.internal/followup server init
    """
    from followup.server import jobs
    from followup.store.engine import display_url

    url = get_app().config.database_url
    created = jobs.init(url)
    what = "created" if created else "already there"
    click.echo(
        f"Database {display_url(url)} is up to date; its job queue is {what}. "
        "Start workers with `followup worker`."
    )


@click.command()
@click.option(
    "--once",
    is_flag=True,
    help="Work the jobs waiting now, then stop (default: run until stopped).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Jobs run at the same time by this worker.",
)
def worker(once: bool, concurrency: int) -> None:
    """Work the background jobs of a PostgreSQL database (any number, on any machines).

    Jobs keep every candidate's plans current after an upgrade or a playbook change. Ctrl+C
    or SIGTERM stops the worker after its running jobs finish.

    \b
    Examples:
      followup --db postgresql+psycopg://followup@db.internal/followup worker
      followup --db postgresql+psycopg://followup@db.internal/followup worker --once
    """
    from followup.server import jobs

    jobs.work(get_app().config.database_url, once=once, concurrency=concurrency)
