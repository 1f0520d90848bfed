"""The buttons of an opportunity's offers: extend, accept, decline (`followup offer ...`).

Each is a small form on the opportunity page that posts here and comes back to it; a problem
(an offer answered already, an expiry that is not later) shows as the error page does for
every other form, with nothing saved.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from followup.core.problems import Problem
from followup.errors import InvalidInput
from followup.services import offers
from followup.web.forms import FormReader
from followup.web.state import WebState, web_state

router = APIRouter()


def _back(opp_id: str) -> Response:
    return RedirectResponse(f"/opportunities/{opp_id}#offers", status_code=303)


@router.post("/opportunities/{opp_id}/offers/{offer_id}/extend", name="offer_extend")
async def offer_extend(request: Request, opp_id: str, offer_id: str) -> Response:
    from starlette.concurrency import run_in_threadpool

    state: WebState = web_state(request)
    form = FormReader(await request.form(), state.tz(state.now()))
    expires = form.when("expires", required=True)
    if expires is None:
        message = form.errors.get("expires", "Required.")
        raise InvalidInput([Problem("offer.expires", message)], hint="e.g. 2026-12-11")
    await run_in_threadpool(offers.extend, state.workspace, opp_id, offer_id, expires)
    return _back(opp_id)


@router.post("/opportunities/{opp_id}/offers/{offer_id}/accept", name="offer_accept")
def offer_accept(request: Request, opp_id: str, offer_id: str) -> Response:
    state: WebState = web_state(request)
    offers.accept(state.workspace, opp_id, offer_id, state.now())
    return _back(opp_id)


@router.post("/opportunities/{opp_id}/offers/{offer_id}/decline", name="offer_decline")
def offer_decline(request: Request, opp_id: str, offer_id: str) -> Response:
    state: WebState = web_state(request)
    offers.decline(state.workspace, opp_id, offer_id, state.now())
    return _back(opp_id)
