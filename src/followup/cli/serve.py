"""`followup serve`: the local web page and JSON API, on the CLI's database."""

from __future__ import annotations

import click

from followup.cli.app import get_app
from followup.errors import UsageError


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
def serve(host: str, port: int) -> None:
    """Open the web page (local) and its JSON API.

    Serves http://HOST:PORT/ over the same database as the other commands (--db or
    FOLLOWUP_DATABASE_URL); the JSON API is under /api (described at /api/docs). It listens
    on this computer only unless you pass another --host.

    \b
    Examples:
      followup serve
      followup serve --port 8080
    """
    import socket

    import uvicorn

    from followup.web.app import create_app
    from followup.web.settings import WebSettings

    app = get_app()
    config = app.config
    app.workspace.store  # noqa: B018 - create and migrate the database before listening
    hosts = ("127.0.0.1", "localhost", "[::1]", host, f"[{host}]")
    settings = WebSettings(
        database_url=config.database_url,
        config_file=config.config_file,
        allowed_hosts=hosts if host not in ("0.0.0.0", "::") else ("*",),  # noqa: S104
    )
    try:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}",
            hint="another program may use that port: try --port 8080",
        ) from exc
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"followup is at http://{shown}:{port}/ (Ctrl+C stops it)")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
