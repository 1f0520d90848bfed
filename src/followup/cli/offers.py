"""Your answer to an offer: `followup offer extend|accept|decline` (`offer add` records one).

The commands join the `offer` group of ``followup.cli.record``; the top-level table loads the
group from here, so that all four are there whenever `followup offer` runs.
"""

from __future__ import annotations

from datetime import date, datetime

import click

from followup.cli.app import get_app
from followup.cli.params import WhenType, keep_day, localize
from followup.cli.record import offer
from followup.render import format_when
from followup.services import offers

__all__ = ["offer"]

_AT_HELP = "When you answered (default: now)."


@offer.command("extend")
@click.argument("opp_id", metavar="OPPORTUNITY")
@click.argument("offer_id", metavar="OFFER")
@click.option("--expires", type=WhenType(), required=True, help="The new, later expiry.")
def offer_extend(opp_id: str, offer_id: str, expires: date | datetime) -> None:
    """Record that an offer you hold now expires later (they gave you more time).

    The reminder to decide moves with it, and so do the answers you asked of the employers you
    prefer.

    \b
    Example:
      followup offer extend initech o1 --expires 2026-11-17
    """
    app = get_app()
    tz = app.profile_tz()
    new = keep_day(expires, tz)
    offers.extend(app.workspace, opp_id, offer_id, new)
    if isinstance(new, datetime):
        shown = format_when(new, tz, with_date=True)
    else:
        from followup.core.timewin import short_day

        shown = short_day(new)
    click.echo(f"Offer {offer_id} from {opp_id} now expires {shown}.")


@offer.command("accept")
@click.argument("opp_id", metavar="OPPORTUNITY")
@click.argument("offer_id", metavar="OFFER")
@click.option("--at", type=WhenType("moment"), help=_AT_HELP)
def offer_accept(opp_id: str, offer_id: str, at: date | datetime | None) -> None:
    """Accept an offer: the opportunity is accepted, every other one stops.

    Each employer still in play gets one short, drafted note instead of follow-ups: thank them
    and withdraw (declining their offer, if they made one). See them with `followup today`.

    \b
    Example:
      followup offer accept initech o1
    """
    app = get_app()
    when = localize(at, app.profile_tz()) if at is not None else app.now()
    offers.accept(app.workspace, opp_id, offer_id, when)
    click.echo(f"Accepted offer {offer_id} from {opp_id}. Congratulations!")
    click.echo("Withdraw politely everywhere else: `followup today` lists the notes to send.")


@offer.command("decline")
@click.argument("opp_id", metavar="OPPORTUNITY")
@click.argument("offer_id", metavar="OFFER")
@click.option("--at", type=WhenType("moment"), help=_AT_HELP)
def offer_decline(opp_id: str, offer_id: str, at: date | datetime | None) -> None:
    """Decline an offer: its counter-offer actions disappear.

    An opportunity that holds no other offer is active again.

    \b
    Example:
      followup offer decline initech o1
    """
    app = get_app()
    when = localize(at, app.profile_tz()) if at is not None else app.now()
    offers.decline(app.workspace, opp_id, offer_id, when)
    click.echo(f"Declined offer {offer_id} from {opp_id}.")
