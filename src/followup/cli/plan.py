"""`followup today` and `followup plan`: the plan, read through the plan cache.

The work is in ``views`` (shared with the click-free fast path of ``fast``); these are the
click commands with their options and help.
"""

from __future__ import annotations

from datetime import date, datetime

import click

from followup.cli.app import get_app
from followup.cli.params import WhenType
from followup.cli.views import DEFAULT_LIMIT, MAX_LIMIT, show_plan, show_today

AS_OF_HELP = (
    "Plan as of this moment instead of now (ISO 8601; a time without offset is in your "
    "profile's time zone, a bare date means its midnight)."
)
JSON_HELP = "Print a JSON list of actions (see docs/json.md)."


@click.command()
@click.option("--as-of", type=WhenType(), help=AS_OF_HELP)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.option(
    "--limit",
    type=click.IntRange(min=0, max=MAX_LIMIT),
    default=DEFAULT_LIMIT,
    show_default=True,
    help="Lines shown per group (0: all). --json always lists all.",
)
def today(as_of: date | datetime | None, as_json: bool, limit: int) -> None:
    """What to do now: overdue, due now and the next 7 days.

    Each line shows when (in your profile's time zone: the deadline of overdue and due
    actions, the opening of upcoming ones), the action id (for `followup done`, `skip` and
    `snooze`) and why the playbook asks for it.

    \b
    Examples:
      followup today
      followup today --as-of 2026-11-02T09:00
      followup today --json
    """
    show_today(get_app(), as_of, as_json, limit)


@click.command()
@click.argument("opportunity", required=False)
@click.option("--as-of", type=WhenType(), help=AS_OF_HELP)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.option("--all", "show_all", is_flag=True, help="Include done and skipped actions.")
def plan(
    opportunity: str | None, as_of: date | datetime | None, as_json: bool, show_all: bool
) -> None:
    """The whole plan, or one opportunity's, with reasons.

    Shows pending actions (upcoming, due, overdue, snoozed) grouped by opportunity; --all adds
    the done and skipped ones.

    \b
    Examples:
      followup plan
      followup plan acme --all
      followup plan --as-of 2026-11-09 --json
    """
    show_plan(get_app(), opportunity, as_of, as_json, show_all)
