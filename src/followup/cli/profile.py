"""`followup profile set|show`: who the plan is for."""

from __future__ import annotations

from dataclasses import asdict

import click

from followup.cli.app import get_app
from followup.cli.output import echo_json
from followup.core.model import Profile
from followup.core.problems import MAX_WEEKLY_TARGET
from followup.errors import UsageError
from followup.services import record


@click.group()
def profile() -> None:
    """Your name, time zone, country, weekly target.

    Times without an offset are read in your time zone; your country's public holidays are
    skipped when the plan schedules calls.
    """


@profile.command("set")
@click.option("--name", help="Your name (signs your messages).")
@click.option("--timezone", help="Your IANA time zone, e.g. America/New_York.")
@click.option("--country", help="Your country, two letters (ISO 3166), e.g. US.")
@click.option(
    "--weekly-target", type=click.IntRange(min=0), help="New applications to aim for each week."
)
def profile_set(
    name: str | None, timezone: str | None, country: str | None, weekly_target: int | None
) -> None:
    """Change your profile; what you leave out stays as it is.

    \b
    Example:
      followup profile set --name "Alex Morgan" --timezone America/New_York --country US
    """
    app = get_app()
    current = app.facts().profile
    if name is None and timezone is None and country is None and weekly_target is None:
        if not app.interactive:
            raise UsageError(
                "nothing to change", hint="give --name, --timezone, --country or --weekly-target"
            )
        click.echo("Your profile (Enter keeps what is shown):")
        name = click.prompt("Your name", default=current.name or "", show_default=True)
        timezone = click.prompt("Your time zone (e.g. America/New_York)", default=current.timezone)
        country = click.prompt("Your country (two letters, e.g. US)", default=current.country)
        target = click.prompt(
            "New applications per week (empty: the playbook's)",
            default="" if current.weekly_target is None else str(current.weekly_target),
            show_default=True,
            value_proc=_target,
        )
        weekly_target = current.weekly_target if target == "" else int(target)
    updated = Profile(
        name=current.name if name is None else name,
        timezone=current.timezone if timezone is None else timezone,
        country=current.country if country is None else country.upper(),
        weekly_target=current.weekly_target if weekly_target is None else weekly_target,
    )
    record.set_profile(app.workspace, updated)
    click.echo("Profile updated.")


def _target(text: str) -> str:
    if text.strip() and not (text.strip().isdigit() and int(text) <= MAX_WEEKLY_TARGET):
        raise click.BadParameter(f"a whole number from 0 to {MAX_WEEKLY_TARGET}, or empty")
    return text.strip()


@profile.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print it as JSON.")
def profile_show(as_json: bool) -> None:
    """Show your profile.

    \b
    Example:
      followup profile show --json
    """
    current = get_app().facts().profile
    if as_json:
        echo_json(asdict(current))
        return
    target = current.weekly_target if current.weekly_target is not None else "playbook default"
    click.echo(f"name:          {current.name or '(not set)'}")
    click.echo(f"time zone:     {current.timezone}")
    click.echo(f"country:       {current.country}")
    click.echo(f"weekly target: {target}")
