"""Offers and outcomes: your answer to an offer (accept, decline), more time to decide
(extend), and what a logged touch brings (an offer, a rejection, your withdrawal).

Each use case is one unit of work: it checks everything, then writes, and the plans of what it
changed are stored before commit. The plan follows from the facts: accepting an offer makes its
opportunity ``accepted``, and every other opportunity stops its follow-ups but for one drafted
withdrawal note (``core.rules_offers``); declining one makes the counter-offers it caused
disappear and, when the opportunity holds no other offer, makes it ``active`` again.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING

from followup.core.model import Offer, Opportunity, Touch, When
from followup.core.problems import Problem
from followup.core.timewin import as_moment, day_end, zone
from followup.errors import Conflict, InvalidInput, NotFound
from followup.services.checks import Checker

if TYPE_CHECKING:
    from followup.services.workspace import Workspace
    from followup.store.uow import UnitOfWork


def extend(ws: Workspace, opp_id: str, offer_id: str, expires: When) -> Offer:
    """Give an offer you hold a later expiry (or one, if it had none)."""
    c = Checker()
    c.when(expires, "offer.expires")
    c.done()
    with ws.unit_of_work() as uow:
        opp = uow.opportunity(opp_id)
        tz = zone(uow.profile().timezone)
        offer = held_offer(opp, offer_id, "extended", tz)
        if offer.expires is not None and day_end(expires, tz) <= day_end(offer.expires, tz):
            raise InvalidInput(
                [
                    Problem(
                        "offer.expires",
                        f"{_shown(expires)} is not later than the offer's expiry "
                        f"({_shown(offer.expires)})",
                    )
                ],
                hint="an extension gives you more time: name a later day",
            )
        _not_before_received(offer, expires, tz, "offer.expires")
        uow.update_offer(opp_id, offer_id, expires=expires)
    return replace(offer, expires=expires)


def accept(ws: Workspace, opp_id: str, offer_id: str, at: datetime) -> Offer:
    """Accept an offer you hold: its opportunity becomes ``accepted``, and the others stop."""
    _check_moment(at)
    with ws.unit_of_work() as uow:
        opp = uow.opportunity(opp_id)
        tz = zone(uow.profile().timezone)
        offer = held_offer(opp, offer_id, "accepted", tz)
        opportunities, _ = uow.search()
        taken = next((row[0] for row in opportunities if row[3] == "accepted"), None)
        if taken is not None and taken != opp_id:
            raise Conflict(
                f"you accepted an offer from '{taken}' already: one acceptance at a time",
                hint=f"if that fell through, change its status first "
                f"(`followup opportunity status {taken} active`)",
            )
        _not_before_received(offer, at, tz, "offer.decided")
        uow.update_offer(opp_id, offer_id, decision="accepted", decided=at)
        uow.update_opportunity(opp_id, status="accepted")
    return replace(offer, decision="accepted", decided=at)


def decline(ws: Workspace, opp_id: str, offer_id: str, at: datetime) -> Offer:
    """Decline an offer you hold; an opportunity left without offers is ``active`` again."""
    _check_moment(at)
    with ws.unit_of_work() as uow:
        opp = uow.opportunity(opp_id)
        tz = zone(uow.profile().timezone)
        offer = held_offer(opp, offer_id, "declined", tz)
        _not_before_received(offer, at, tz, "offer.decided")
        uow.update_offer(opp_id, offer_id, decision="declined", decided=at)
        others = [o for o in opp.offers if o.id != offer_id and o.held]
        if opp.status == "offer" and not others:
            uow.update_opportunity(opp_id, status="active")
    return replace(offer, decision="declined", decided=at)


def apply_outcome(uow: UnitOfWork, opp: Opportunity, touch: Touch, expires: When | None) -> None:
    """Set the status a touch's outcome brings: an offer (recorded at the touch's moment
    unless the opportunity holds one already), a rejection, or your withdrawal."""
    if touch.outcome is None:
        return
    if opp.status == "accepted":
        raise Conflict(
            f"you accepted the offer from '{opp.id}': a touch cannot make it {touch.outcome}",
            hint=f"if that was a mistake, `followup opportunity status {opp.id} ...` changes it",
        )
    if touch.outcome != "offer":
        uow.update_opportunity(opp.id, status=touch.outcome)
        return
    holding = [o.id for o in opp.offers if o.held]
    if holding and expires is not None:
        raise InvalidInput(
            [
                Problem(
                    "touch.offer_expires",
                    f"'{opp.id}' holds offer '{holding[0]}' already: change its expiry instead",
                )
            ],
            hint=f"`followup offer extend {opp.id} {holding[0]} --expires DAY`",
        )
    if not holding:
        new_id = _next_id([o.id for o in opp.offers])
        offer = Offer(new_id, touch.at, expires)
        if expires is not None:
            tz = zone(uow.profile().timezone)
            _not_before_received(offer, expires, tz, "touch.offer_expires")
        uow.add_offer(opp.id, offer)
    if opp.status != "offer":
        uow.update_opportunity(opp.id, status="offer")


def check_outcome(c: Checker, touch: Touch, expires: When | None) -> None:
    """The outcome's own checks, before anything is read (``record.add_touch``)."""
    from followup.core.model import TOUCH_OUTCOMES

    c.choice(touch.outcome, TOUCH_OUTCOMES, "touch.outcome")
    if expires is not None:
        c.when(expires, "touch.offer_expires")
        if touch.outcome != "offer":
            c.add(Problem("touch.offer_expires", "only an offer expires: give outcome offer too"))


def held_offer(opp: Opportunity, offer_id: str, verb: str, tz: tzinfo) -> Offer:
    """The offer ``offer_id`` of ``opp``, still held (NotFound, or Conflict once answered);
    ``tz``: the candidate's, to name the day of an answer."""
    offer = next((o for o in opp.offers if o.id == offer_id), None)
    if offer is None:
        known = ", ".join(o.id for o in opp.offers) or "none yet"
        raise NotFound(
            f"unknown offer '{offer_id}' in opportunity '{opp.id}' (known: {known})",
            hint=f"`followup opportunity show {opp.id}` lists its offers",
        )
    if offer.decision is not None:
        when = f" on {offer.decided.astimezone(tz).date().isoformat()}" if offer.decided else ""
        raise Conflict(
            f"you {offer.decision} offer '{offer_id}' of '{opp.id}'{when}: it cannot be {verb} "
            "any more",
            hint=f"if they made a new offer, record it with `followup offer add {opp.id}`",
        )
    return offer


def _check_moment(at: datetime) -> None:
    c = Checker()
    c.when(at, "offer.decided")
    c.done()


def _not_before_received(offer: Offer, value: When, tz: tzinfo, path: str) -> None:
    received = as_moment(offer.received, tz)
    if day_end(value, tz) <= received:
        raise InvalidInput(
            [
                Problem(
                    path, f"{_shown(value)} is before the offer arrived ({_shown(offer.received)})"
                )
            ]
        )


def _shown(value: date | datetime) -> str:
    return value.isoformat(timespec="minutes") if isinstance(value, datetime) else value.isoformat()


def _next_id(taken: list[str]) -> str:
    from followup.services.record import next_id

    return next_id("o", taken)
