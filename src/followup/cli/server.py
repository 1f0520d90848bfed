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
@click.option("--org", "organisation", help="With --admin: the organisation of the first admin.")
@click.option(
    "--admin", "admin_email", help="The first admin's e-mail (password from standard input)."
)
def init(organisation: str | None, admin_email: str | None) -> None:
    """Create or upgrade the database and its job queue; queue a check of every plan.

    Run it once on an empty PostgreSQL database (with --org and --admin, it adds the first
    admin), and again after each upgrade of followup, before starting the workers. Running it
    again changes nothing else; an admin who has an account already is left as they are.

    \b
    Examples:
      followup --db postgresql+psycopg://followup@db.internal/followup server init \\
        --org acme --admin root@acme.example < password.txt
      followup --db postgresql+psycopg://followup@db.internal/followup server init
    """
    from followup.errors import UsageError
    from followup.server import jobs
    from followup.store.engine import display_url

    if (organisation is None) != (admin_email is None):
        raise UsageError("--org and --admin go together: the first admin and their organisation")
    if admin_email is not None and organisation is not None:
        from followup.server.accounts import checked

        checked(organisation, "admin", admin_email)  # say what is wrong before anything else
    app = get_app()
    url = app.config.database_url
    created = jobs.init(url)
    what = "created" if created else "already there"
    click.echo(
        f"Database {display_url(url)} is up to date; its job queue is {what}. "
        "Start workers with `followup worker`."
    )
    if admin_email is not None and organisation is not None:
        _first_admin(organisation, admin_email)


def _first_admin(organisation: str, email: str) -> None:
    from followup.server.accounts import accounts, add_account, checked

    app = get_app()
    store = app.workspace.store
    _, _, address = checked(organisation, "admin", email)
    if any(a.email == address for a in accounts(store)):
        click.echo(f"{address} has an account already: left as it is.")
        return
    account, _ = add_account(
        store,
        organisation=organisation,
        role="admin",
        email=email,
        password=_password(),
        now=app.now(),
    )
    click.echo(f"Added admin {account.email} to {account.organisation}.")


def _password() -> str:
    """A new password: asked twice on a terminal, else one line of standard input."""
    import sys

    from followup.errors import UsageError

    if sys.stdin.isatty():
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise UsageError(
            "no password on standard input",
            hint="pipe it in: `... < password.txt`",
        )
    return password


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


@server.group()
def user() -> None:
    """Accounts of the server mode: candidates, coaches and admins of an organisation.

    \b
    Examples:
      followup server user add --org acme --role coach --email kim@acme.example < password.txt
      followup server user list --org acme
    """


@user.command("add")
@click.option("--org", "organisation", required=True, help="The organisation's id (made if new).")
@click.option(
    "--role", required=True, type=click.Choice(["candidate", "coach", "admin"]), help="Their role."
)
@click.option("--email", required=True, help="What they sign in with.")
def user_add(organisation: str, role: str, email: str) -> None:
    """Add an account; its password is read from standard input (asked twice on a terminal).

    A candidate's account gets a workspace of its own; an organisation is made with its first
    account.

    \b
    Example:
      followup server user add --org acme --role candidate --email ada@example.org < pw.txt
    """
    from followup.server.accounts import add_account, checked

    checked(organisation, role, email)  # say what is wrong before asking for a password
    password = _password()
    app = get_app()
    account, new_org = add_account(
        app.workspace.store,
        organisation=organisation,
        role=role,
        email=email,
        password=password,
        now=app.now(),
    )
    made = f" (a new organisation, {organisation})" if new_org else ""
    owns = f", with workspace {account.candidate}" if account.candidate else ""
    click.echo(f"Added {account.role} {account.email} to {account.organisation}{made}{owns}.")


@user.command("list")
@click.option("--org", "organisation", help="Only this organisation's accounts.")
@click.option("--json", "as_json", is_flag=True, help="As JSON (a list of objects).")
def user_list(organisation: str | None, as_json: bool) -> None:
    """The accounts, by organisation and e-mail.

    \b
    Example:
      followup server user list --org acme --json
    """
    from followup.cli.output import echo_json
    from followup.server.accounts import accounts

    found = accounts(get_app().workspace.store, organisation)
    if as_json:
        echo_json(
            [
                {
                    "email": a.email,
                    "organisation": a.organisation,
                    "role": a.role,
                    "workspace": a.candidate,
                    "created": a.created.isoformat(),
                }
                for a in found
            ]
        )
        return
    if not found:
        click.echo(
            "No accounts yet: `followup server user add --org ORG --role admin --email E` "
            "makes the first."
        )
        return
    for a in found:
        owns = f"  workspace {a.candidate}" if a.candidate else ""
        click.echo(f"{a.organisation}  {a.role:9}  {a.email}{owns}")
