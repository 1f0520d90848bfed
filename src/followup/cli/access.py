"""`followup access password|token`: who may use `followup serve` beyond this computer."""

from __future__ import annotations

import sys

import click

from followup.cli.app import get_app
from followup.errors import UsageError


@click.group()
def access() -> None:
    """Password and API tokens for serving beyond this computer.

    `followup serve` on an address other than this computer's (e.g. --host 0.0.0.0) asks for
    this password on a sign-in page, and scripts send an API token to /api. Serving on
    127.0.0.1 (the default) needs neither.

    \b
    Examples:
      followup access password
      followup access token new backup-script
    """


@access.command("password")
@click.option("--stdin", "from_stdin", is_flag=True, help="Read the password from standard input.")
def password(from_stdin: bool) -> None:
    """Set the password of the sign-in page (kept only as an argon2 hash).

    Asks for it twice on a terminal; with --stdin, reads one line. Setting a password signs
    every browser out.

    \b
    Examples:
      followup access password
      followup access password --stdin < password.txt
    """
    from followup.services.access import check_password_rules, set_password

    if from_stdin:
        value = sys.stdin.readline().rstrip("\r\n")
    elif _on_terminal():
        value = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    else:
        raise UsageError(
            "no terminal to ask for the password on",
            hint="pass it on standard input: `followup access password --stdin`",
        )
    check_password_rules(value)
    app = get_app()
    set_password(app.workspace, value, app.now())
    click.echo(
        "Password set: `followup serve --host ... --allowed-host ...` asks for it "
        "(browsers signed in before must sign in again)."
    )


def _on_terminal() -> bool:
    return sys.stdin.isatty()


@access.group()
def token() -> None:
    """API tokens: what scripts send as `Authorization: Bearer TOKEN` to /api.

    \b
    Example:
      followup access token new backup-script
      curl -H "Authorization: Bearer TOKEN" https://followup.example.com/api/plan
    """


@token.command("new")
@click.argument("name")
def token_new(name: str) -> None:
    """Make an API token called NAME and print it (it is shown only this once).

    \b
    Example:
      followup access token new backup-script
    """
    from followup.services.access import new_token

    app = get_app()
    value = new_token(app.workspace, name, app.now())
    click.echo(value)
    click.echo(
        f"Token {name!r} made: send it as `Authorization: Bearer TOKEN`; it is not shown again.",
        err=True,
    )


@token.command("list")
def token_list() -> None:
    """List the API tokens by name, with when each was made (never the tokens themselves).

    \b
    Example:
      followup access token list
    """
    from followup.services.access import tokens

    found = tokens(get_app().workspace)
    if not found:
        click.echo("No API tokens: `followup access token new NAME` makes one.")
        return
    for info in found:
        click.echo(f"{info.name}\tmade {info.created.isoformat(timespec='seconds')}")


@token.command("revoke")
@click.argument("name")
def token_revoke(name: str) -> None:
    """Revoke the API token called NAME: it opens nothing from now on.

    \b
    Example:
      followup access token revoke backup-script
    """
    from followup.services.access import revoke_token

    revoke_token(get_app().workspace, name)
    click.echo(f"Token {name!r} revoked.")
