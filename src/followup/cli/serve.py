"""`followup serve`: the local web page and JSON API, on the CLI's database."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, TypeVar

import click

from followup.cli.app import get_app
from followup.errors import UsageError

F = TypeVar("F", bound=Callable[..., Any])

if TYPE_CHECKING:
    from followup.config import Config
    from followup.services.workspace import Workspace
    from followup.web.settings import WebSettings

#: The names of this computer that a browser on it uses.
LOOPBACK_NAMES: Final = ("127.0.0.1", "localhost", "[::1]")
_HOST_NAME: Final = re.compile(
    r"(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*"
)


def is_loopback(host: str) -> bool:
    """Whether ``host`` is an address of this computer only (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def listening_options(then: str) -> Callable[[F], F]:
    """``--host``, ``--port``, ``--allowed-host`` and ``--behind-tls``, as `followup serve` and
    `followup server run` both take them; ``then`` ends the help of the last two (what else
    they do in that command)."""

    def decorate(command: F) -> F:
        for option in reversed(
            (
                click.option(
                    "--host", default="127.0.0.1", show_default=True, help="Address to listen on."
                ),
                click.option(
                    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535)
                ),
                click.option(
                    "--allowed-host",
                    "allowed_hosts",
                    metavar="NAME",
                    multiple=True,
                    envvar="FOLLOWUP_ALLOWED_HOSTS",
                    show_envvar=True,
                    help="A host name browsers reach this server at (repeatable; the "
                    "environment variable takes several, separated by spaces). Needed with a "
                    f"--host beyond this computer; any other name is refused.{then}",
                ),
                click.option(
                    "--behind-tls",
                    is_flag=True,
                    help="Browsers reach this server over https through a proxy: the session "
                    f"cookie is marked Secure.{then}",
                ),
            )
        ):
            command = option(command)
        return command

    return decorate


@click.command()
@listening_options(" Turns sign-in on.")
def serve(host: str, port: int, allowed_hosts: tuple[str, ...], behind_tls: bool) -> None:
    """Open the web page (local) and its JSON API.

    Serves http://HOST:PORT/ over the same database as the other commands (--db or
    FOLLOWUP_DATABASE_URL); the JSON API is under /api (described at /api/docs). It listens
    on this computer only unless you pass another --host.

    Beyond this computer (a --host other than 127.0.0.1, ::1 or localhost) it asks for a
    password on a sign-in page and an API token on /api (`followup access`), and answers only
    the host names given with --allowed-host; it refuses to start without them.

    \b
    Examples:
      followup serve
      followup serve --port 8080
      followup access password
      followup serve --host 0.0.0.0 --allowed-host followup.example.com --behind-tls
    """
    import socket

    import uvicorn

    from followup.web.app import create_app

    app = get_app()
    app.workspace.store  # noqa: B018 - create and migrate the database before listening
    settings = web_settings(app.config, app.workspace, host, allowed_hosts, behind_tls)
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host.strip("[]"), port))
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}",
            hint="another program may use that port: try --port 8080",
        ) from exc
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"followup is at http://{shown}:{port}/ (Ctrl+C stops it)")
    if settings.access_control:
        names = ", ".join(n for n in allowed_hosts) or "this computer's names"
        click.echo(
            f"Sign-in is on: browsers at {names} sign in with your password; scripts send "
            "`Authorization: Bearer TOKEN` to /api (`followup access token new NAME`)."
        )
        if not behind_tls:
            click.echo(
                "warning: without https the password and the session cross the network "
                "readable: put an https proxy in front and pass --behind-tls",
                err=True,
            )
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


def web_settings(
    config: Config,
    workspace: Workspace,
    host: str,
    allowed_hosts: tuple[str, ...],
    behind_tls: bool,
) -> WebSettings:
    """The server's settings, or `UsageError` (before anything listens) saying what is missing.

    Sign-in is on when the server can be reached from beyond this computer: it listens on
    another address, or names hosts (a proxy forwards to it), or sits behind TLS. Then a
    password must be set, and beyond this computer the host names must be given: requests
    naming any other host are refused (so DNS rebinding cannot reach it either). A wildcard
    address (0.0.0.0, ::) never turns the host check off.
    """
    from followup.services.access import password_is_set
    from followup.web.settings import WebSettings

    names = _host_names(allowed_hosts)
    local = is_loopback(host)
    access_control = not local or bool(names) or behind_tls
    missing = []
    if access_control and not password_is_set(workspace):
        missing.append("set a password with `followup access password`")
    if not local and not names:
        missing.append(
            f"name each host browsers use: `followup serve --host {host} --allowed-host "
            "followup.example.com` (repeatable, or FOLLOWUP_ALLOWED_HOSTS='name1 name2')"
        )
    if missing:
        where = f"on {host}, beyond this computer," if not local else "with sign-in"
        raise UsageError(
            f"refusing to serve {where} without access control: "
            + ("a password and allowed host names" if len(missing) == 2 else _what(missing[0])),
            hint="; then ".join(missing) + ". To serve this computer only: `followup serve`",
        )
    hosts = [*LOOPBACK_NAMES]
    wildcard = host.strip("[]") in ("0.0.0.0", "::")  # noqa: S104 - compared, not bound
    if not wildcard:  # an address typed in the browser cannot be rebound to another one
        hosts += [host, f"[{host}]"]
    hosts += names
    return WebSettings(
        database_url=config.database_url,
        config_file=config.config_file,
        allowed_hosts=tuple(dict.fromkeys(hosts)),
        access_control=access_control,
        behind_tls=behind_tls,
    )


def _what(step: str) -> str:
    return "a password" if "password" in step else "allowed host names"


def _host_names(given: tuple[str, ...]) -> list[str]:
    names = [n.strip().lower() for n in given if n.strip()]
    for name in names:
        if name == "*" or not _HOST_NAME.fullmatch(name):
            raise UsageError(
                f"--allowed-host {name!r} is not a host name"
                + (" (any name would let every site reach the server)" if "*" in name else ""),
                hint="give the names browsers use, e.g. --allowed-host followup.example.com "
                "(a leading '*.' allows the subdomains of one domain)",
            )
    return names
