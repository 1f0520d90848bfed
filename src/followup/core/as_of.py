"""The facts as they stood at a past moment, for `--as-of`: a plan of then, not of now.

What was recorded with a time after the moment is left out: touches, interviews, offers
received later, achievements. An outcome logged later is undone (the opportunity was still
open, or holding its offer), and an answer to an offer given later was not given yet. What has
no time (a rank, a skip, a person's details) is taken as it is now.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time

from followup.core.model import OUTCOMES, Facts, Offer, Opportunity


def facts_as_of(facts: Facts, moment: datetime) -> Facts:
    return replace(
        facts,
        opportunities=tuple(_opportunity(o, moment) for o in facts.opportunities),
        achievements=tuple(a for a in facts.achievements if _by(a.at, moment)),
    )


def _by(value: date | datetime, moment: datetime) -> bool:
    """Did ``value`` (a day: its first moment, in ``moment``'s zone) happen by ``moment``?"""
    if isinstance(value, datetime):
        return value <= moment
    return datetime.combine(value, time(0), moment.tzinfo) <= moment


def _opportunity(opp: Opportunity, moment: datetime) -> Opportunity:
    touches = tuple(t for t in opp.touches if t.at <= moment)
    offers = tuple(_offer(f, moment) for f in opp.offers if _by(f.received, moment))
    status = opp.status
    later_outcome = any(t.outcome for t in opp.touches if t.at > moment)
    answered_later = any(f.decided is not None and f.decided > moment for f in opp.offers)
    if (status in OUTCOMES and (later_outcome or answered_later)) or (
        status == "offer" and not offers
    ):
        held = any(f.decision is None for f in offers)
        status = "offer" if held else "active"
    return replace(
        opp,
        touches=touches,
        offers=offers,
        interviews=tuple(i for i in opp.interviews if i.at <= moment),
        status=status,
    )


def _offer(offer: Offer, moment: datetime) -> Offer:
    if offer.decided is not None and offer.decided > moment:
        return replace(offer, decision=None, decided=None)
    return offer
