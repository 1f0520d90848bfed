"""`followup server init` and `followup worker`: the server mode's database and job workers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from followup.cli.app import get_app
from followup.cli.serve import listening_options
from followup.core.words import count

if TYPE_CHECKING:
    from followup.server.notices import MailConfig


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
    password = None
    if admin_email is not None and organisation is not None:
        from followup.server.accounts import checked
        from followup.services.access import check_password_rules

        checked(organisation, "admin", admin_email)  # say what is wrong before anything else
        password = _read_password() or None  # none: fine for an admin who exists already
        if password is not None:
            check_password_rules(password)  # before anything is made
    app = get_app()
    url = app.config.database_url
    created = jobs.init(url)
    what = "created" if created else "already there"
    click.echo(
        f"Database {display_url(url)} is up to date; its job queue is {what}. "
        "Start workers with `followup worker`."
    )
    if admin_email is not None and organisation is not None:
        _first_admin(organisation, admin_email, password)


def _first_admin(organisation: str, email: str, password: str | None) -> None:
    from followup.server.accounts import accounts, add_account, checked

    app = get_app()
    store = app.server_store
    _, _, address = checked(organisation, "admin", email)
    if any(a.email == address for a in accounts(store)):
        click.echo(f"{address} has an account already: left as it is.")
        return
    if password is None:
        raise _no_password()
    account, _ = add_account(
        store,
        organisation=organisation,
        role="admin",
        email=email,
        password=password,
        now=app.now(),
    )
    click.echo(f"Added admin {account.email} to {account.organisation}.")


def _password() -> str:
    """A new password: asked twice on a terminal, else one line of standard input."""
    password = _read_password()
    if not password:
        raise _no_password()
    return password


def _read_password() -> str:
    """Asked twice on a terminal, else one line of standard input (empty: none was given)."""
    import sys

    if sys.stdin.isatty():
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    return sys.stdin.readline().rstrip("\r\n")


def _no_password() -> Exception:
    from followup.errors import UsageError

    return UsageError("no password on standard input", hint="pipe it in: `... < password.txt`")


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

    Jobs keep every candidate's plans current after an upgrade or a playbook change, send
    the server's own e-mail (password resets, candidates' morning reminders, coaches' Monday
    digests) when FOLLOWUP_SERVER_SMTP_HOST is set, and read the replies in candidates'
    mailboxes (their passwords sealed with FOLLOWUP_SECRET_KEY); the environment is the same
    as `followup server run`'s (see its --help). Failures are logged on standard error.
    Ctrl+C or SIGTERM stops the worker after its running jobs finish.

    \b
    Examples:
      followup --db postgresql+psycopg://followup@db.internal/followup worker
      followup --db postgresql+psycopg://followup@db.internal/followup worker --once
    """
    from followup.server import jobs

    _say_environment()
    jobs.work(get_app().config.database_url, once=once, concurrency=concurrency)


def _say_environment() -> MailConfig | None:
    """Check the environment's mail settings and key, and say what they make of the server,
    before any process starts (a mistake stops it here, naming the variable)."""
    import os

    from followup.server import jobs
    from followup.server.mailbox import check_environment

    config = jobs.mail_config()
    if config is None:
        click.echo("The server sends no e-mail (FOLLOWUP_SERVER_SMTP_HOST is not set).", err=True)
    else:
        click.echo(f"The server's e-mail goes through {config.server.describe()}.", err=True)
    click.echo(check_environment(os.environ), err=True)
    return config


def _check_public_url(mail: MailConfig | None, hosts: list[str], behind_tls: bool) -> None:
    """Warn when the links in e-mail would not reach this server as it is started."""
    from urllib.parse import urlsplit

    if mail is None:
        return
    public = urlsplit(mail.public_url)
    name = (public.hostname or "").lower()
    answered = any(name == h or (h.startswith("*.") and name.endswith(h[1:])) for h in hosts)
    if not answered:
        click.echo(
            f"Warning: FOLLOWUP_PUBLIC_URL names {name}, a host this server refuses: the links "
            f"in its e-mail would not open (add --allowed-host {name}).",
            err=True,
        )
    if behind_tls and public.scheme == "http":
        click.echo(
            "Warning: FOLLOWUP_PUBLIC_URL starts with http:// but browsers come over https "
            "(--behind-tls): links in e-mail would not be secure.",
            err=True,
        )


@server.command("run")
@listening_options("")
@click.option(
    "--workers",
    "processes",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    help="Web processes (each answers any request: sessions live in the database).",
)
def run(
    host: str, port: int, processes: int, allowed_hosts: tuple[str, ...], behind_tls: bool
) -> None:
    """Serve the candidates', coaches' and admins' pages and the JSON API.

    Everyone signs in (e-mail and password, or an API token on /api). Run it on as many
    machines as the load needs, behind one https proxy, all with the same --db.

    The server's own e-mail (password resets from the sign-in page; reminders and digests,
    sent by `followup worker`) is set by the environment of every web process and worker:
    FOLLOWUP_SERVER_SMTP_HOST, _PORT, _SECURITY (starttls, tls, none), _USER, _PASSWORD,
    FOLLOWUP_SERVER_MAIL_FROM, and FOLLOWUP_PUBLIC_URL (the address in links). Without
    FOLLOWUP_SERVER_SMTP_HOST it sends none. Candidates' mail passwords are sealed with
    FOLLOWUP_SECRET_KEY (`followup server secret-key` makes one); their mail servers must be
    on public addresses unless FOLLOWUP_CANDIDATE_MAIL_HOSTS=any. Give every web process and
    worker the same values.

    \b
    Examples:
      followup --db postgresql+psycopg://followup@db.internal/followup server run
      followup --db "$URL" server run --host 0.0.0.0 --workers 4 \\
        --allowed-host followup.example.com --behind-tls
    """
    import contextlib
    import os
    import socket

    import uvicorn

    from followup.cli.serve import LOOPBACK_NAMES, _host_names, is_loopback
    from followup.errors import UsageError
    from followup.server import jobs

    url = get_app().config.database_url
    jobs.check_server_database(url)
    mail = _say_environment()  # refuses wrong mail settings before any process starts
    names = _host_names(allowed_hosts)
    if not is_loopback(host) and not names:
        raise UsageError(
            f"name each host browsers use to reach {host}",
            hint=f"`followup server run --host {host} --allowed-host followup.example.com`",
        )
    wildcard = host.strip("[]") in ("0.0.0.0", "::")  # noqa: S104 - compared, not bound
    hosts = [*LOOPBACK_NAMES, *([] if wildcard else [host]), *names]
    os.environ["FOLLOWUP_DATABASE_URL"] = url
    os.environ["FOLLOWUP_ALLOWED_HOSTS"] = " ".join(dict.fromkeys(hosts))
    os.environ["FOLLOWUP_BEHIND_TLS"] = "1" if behind_tls else "0"
    shown = f"[{host}]" if ":" in host else host
    _check_public_url(mail, hosts, behind_tls)
    processes_said = count(processes, "web process", "web processes")
    click.echo(f"followup's server is at http://{shown}:{port}/ with {processes_said}.")
    config = uvicorn.Config(
        "followup.server.web:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=processes,
        log_level="warning",
    )
    if processes == 1:
        server = uvicorn.Server(config)
        server.run()
        if not server.started:  # it said why (the port taken, say)
            raise SystemExit(3)
        return
    from uvicorn.supervisors import Multiprocess

    # (as uvicorn.run does for several processes, with one change:) uvicorn binds this socket
    # without naming TCP, so asyncio leaves Nagle's algorithm on for each connection, and the
    # body of every answer on a kept-alive connection waited ~40 ms for the client's delayed
    # acknowledgement of its headers; accepted connections inherit TCP_NODELAY (Linux)
    sock = config.bind_socket()
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    with contextlib.suppress(KeyboardInterrupt):
        Multiprocess(config, sockets=[sock]).run()


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
        app.server_store,
        organisation=organisation,
        role=role,
        email=email,
        password=password,
        now=app.now(),
    )
    made = f" (a new organisation, {organisation})" if new_org else ""
    owns = f", with workspace {account.candidate}" if account.candidate else ""
    click.echo(f"Added {account.role} {account.email} to {account.organisation}{made}{owns}.")


@user.command("invite")
@click.option("--by", "by", required=True, help="The admin (or coach) who invites.")
@click.option(
    "--role",
    default="candidate",
    show_default=True,
    type=click.Choice(["candidate", "coach", "admin"]),
    help="Their role.",
)
@click.option("--email", required=True, help="Their address.")
@click.option(
    "--url",
    "base",
    default="http://127.0.0.1:8000",
    show_default=True,
    help="Where the server is reached.",
)
def user_invite(by: str, role: str, email: str, base: str) -> None:
    """A link that lets EMAIL open an account in BY's organisation (once, within 7 days).

    \b
    Example:
      followup server user invite --by root@acme.example --role coach --email kim@acme.example
    """
    from followup.errors import NotFound
    from followup.server import auth

    app = get_app()
    store = app.server_store
    with store.sql() as db:
        who = auth.principal(db, by.strip().lower())
    if who is None:
        raise NotFound(f"there is no account {by}")
    token, found = auth.invite(store, who, email, role, app.now())
    click.echo(f"{base.rstrip('/')}/join/{token}")
    click.echo(
        f"(for {found.email}, {found.role} at {found.organisation}; "
        f"valid until {found.expires:%Y-%m-%d %H:%M} UTC)",
        err=True,
    )


@user.command("reset")
@click.option("--email", required=True, help="The account's address.")
@click.option(
    "--url",
    "base",
    default="http://127.0.0.1:8000",
    show_default=True,
    help="Where the server is reached.",
)
def user_reset(email: str, base: str) -> None:
    """A link to set a new password for EMAIL (once, within 2 hours).

    \b
    Example:
      followup server user reset --email ada@example.org
    """
    from followup.errors import NotFound
    from followup.server import auth

    app = get_app()
    token = auth.reset_link(app.server_store, email, app.now())
    if token is None:
        raise NotFound(f"there is no account {email}")
    click.echo(f"{base.rstrip('/')}/reset/{token}")


@user.command("remove")
@click.option("--email", required=True, help="The account's address.")
@click.confirmation_option(prompt="Remove this account (a candidate's whole job search too)?")
def user_remove(email: str) -> None:
    """Remove an account at once: its sessions, API tokens and grants end; a candidate's
    workspace (every fact, plan and audit row) goes with it.

    \b
    Example:
      followup server user remove --email kim@acme.example --yes
    """
    from followup.server.accounts import delete_account

    address = email.strip().lower()
    delete_account(get_app().server_store, address)
    click.echo(f"Removed {address}.")


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

    found = accounts(get_app().server_store, organisation)
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


@server.command("secret-key")
@click.option(
    "--reseal",
    is_flag=True,
    help="Instead: seal every stored password with the first key of FOLLOWUP_SECRET_KEY.",
)
def secret_key(reseal: bool) -> None:
    """Print a new key that seals candidates' mail passwords (FOLLOWUP_SECRET_KEY).

    The server keeps each candidate's mail password sealed with this key, so that a worker
    can read their replies; the key is never stored in the database. Set the same key for
    every web process and worker. To rotate it: put a new key first and the old one after it
    (space-separated), run --reseal, then drop the old key.

    \b
    Examples:
      export FOLLOWUP_SECRET_KEY="$(followup server secret-key)"
      FOLLOWUP_SECRET_KEY="NEW OLD" followup --db postgresql+psycopg://db/followup \\
        server secret-key --reseal
    """
    from followup.core.words import count
    from followup.server.mailbox import SECRET_KEY_ENV, new_secret_key
    from followup.server.mailbox import reseal as reseal_all

    if reseal:
        app = get_app()
        done, unreadable = reseal_all(app.server_store, app.environ)
        click.echo(
            f"Sealed {count(done, 'password')} again with the first key of {SECRET_KEY_ENV}."
        )
        if unreadable:
            click.echo(
                f"{count(unreadable, 'stored password')} opened with none of the keys given: "
                "left as they are (their candidates must enter them again, unless a key is "
                "missing from the list).",
                err=True,
            )
        return
    click.echo(new_secret_key())
    click.echo(
        f"Set {SECRET_KEY_ENV} to it for every web process and worker, and keep it secret.",
        err=True,
    )
