"""The rules about offers: decide before an offer you hold expires, and once you accept one,
withdraw politely everywhere else.

- ``decide_by``: each offer you hold that has an expiry gets a "decide by" action for you,
  opening ``offer_decide_days`` working days before it expires and due when it expires (by the
  close of business on the employer's side when the expiry is a day). Accepting or declining
  the offer does it.
- ``withdrawal``: once you accept an offer (``Offer.decision == "accepted"`` in an opportunity
  whose status is ``accepted``), every other opportunity stops its follow-ups (the planner does
  that) and gets one short note to its contact instead, within ``withdrawal_days`` working days:
  thank them, and withdraw (declining their offer, if they made one). Any message you send that
  employer after accepting does it.
- ``held``: the other opportunities as counter-offers read them: only the offers still held (a
  declined offer asks nothing of the employers you prefer).

Pure, like every rule: no clock, no I/O. Kept apart from ``rules.py``; its registry lists them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from followup.core.model import Offer, Opportunity
from followup.core.timewin import WorkCalendar, as_moment, day_end, local_midnight
from followup.core.view import Item, OppView, who

_DAY = timedelta(days=1)


_HOUR = timedelta(hours=1)


def decide_by(v: OppView) -> list[Item]:
    """Decide on each offer you hold before it expires; done when you accept or decline it."""
    items: list[Item] = []
    cal = v.calendar(v.contact)  # the answer goes to the employer: their working days
    for offer in v.opp.offers:
        if offer.expires is None:
            continue
        end = _deadline(offer.expires, cal)
        first = _working_days_before(cal, end.astimezone(cal.tz).date(), v.pb.offer_decide_days)
        start = cal.next_open(datetime.combine(first, time(0), cal.tz))
        if start >= end:  # an expiry before business hours open that day
            start = min(local_midnight(end, cal.tz), end - _DAY)
        start = max(start, as_moment(offer.received, v.home_tz))
        items.append(
            Item(
                rule="decide-by",
                opp=v.opp,
                person=None,  # yours to do: accept, decline, or ask for more time
                anchor=offer.id,
                channel=None,
                start=v.local(start),
                end=v.local(max(end, start + _HOUR)),  # never empty, even for odd dates
                why="decide-by",
                params={
                    "company": v.opp.company,
                    "offer": offer.id,
                    "expires": _iso_day(offer.expires),
                    "days": v.pb.offer_decide_days,
                },
                done_at=_decided_at(offer, v) if offer.decision is not None else None,
            )
        )
    return items


def withdrawal(v: OppView, rivals: Iterable[Opportunity]) -> list[Item]:
    """You accepted an offer elsewhere: thank this employer's contact and withdraw."""
    found = accepted_elsewhere(rivals)
    p = v.contact
    if found is None or p is None or v.opp.status == "accepted":
        return []
    rival, offer = found
    accepted_at = _decided_at(offer, v)
    cal = v.calendar(p)
    # any message to this employer after you accepted is the one that withdraws
    sent = next((t.at for t in v.touches_after(accepted_at) if t.direction == "out"), None)
    return [
        Item(
            rule="withdrawal",
            opp=v.opp,
            person=p,
            anchor=f"{rival.id}.{offer.id}",
            channel="email",
            start=accepted_at,
            end=cal.add_business_days(accepted_at, v.pb.withdrawal_days),
            why="withdrawal",
            params={
                **who(p),
                "company": v.opp.company,
                "accepted": rival.company,
                "day": accepted_at.date().isoformat(),
                "declines": any(o.held for o in v.opp.offers),
            },
            done_at=sent,
        )
    ]


def accepted_elsewhere(rivals: Iterable[Opportunity]) -> tuple[Opportunity, Offer] | None:
    """The offer you accepted in another opportunity (the latest, should there be two), if any:
    an accepted offer counts while its opportunity's status is ``accepted``."""
    found = [
        (rival, offer)
        for rival in rivals
        if rival.status == "accepted"
        for offer in rival.offers
        if offer.decision == "accepted"
    ]
    if not found:
        return None
    return max(found, key=lambda ro: _moment(ro[1]).timestamp())


def held(rivals: Iterable[Opportunity]) -> tuple[Opportunity, ...]:
    """The other opportunities with only the offers you still hold (those without any left)."""
    out = []
    for rival in rivals:
        if all(o.held for o in rival.offers):
            out.append(rival)
        elif kept := tuple(o for o in rival.offers if o.held):
            out.append(replace(rival, offers=kept))
    return tuple(out)


def _deadline(expires: date | datetime, cal: WorkCalendar) -> datetime:
    """When an answer must reach the employer: the expiry moment, or the close of their last
    business hours on (or before) the day it expires."""
    if isinstance(expires, datetime):
        return expires
    return cal.last_close(day_end(expires, cal.tz))


def _working_days_before(cal: WorkCalendar, day: date, n: int) -> date:
    for _ in range(n):
        for _ in range(60):  # a calendar without working days: give up gracefully
            day -= _DAY
            if cal.is_working_day(day):
                break
    return day


def _moment(offer: Offer) -> datetime:
    """When you answered the offer (its arrival for an answer recorded without a moment)."""
    if offer.decided is not None:
        return offer.decided
    received = offer.received
    return received if isinstance(received, datetime) else as_moment(received, UTC)


def _decided_at(offer: Offer, v: OppView) -> datetime:
    if offer.decided is not None:
        return v.local(offer.decided)
    return v.local(as_moment(offer.received, v.home_tz))


def _iso_day(value: date | datetime) -> str:
    return (value.date() if isinstance(value, datetime) else value).isoformat()
