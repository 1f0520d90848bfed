"""The JSON API under /api, described by its OpenAPI document at /api/openapi.json.

Reads and writes go through the same use cases as the CLI and the pages. Writes must be sent as
``application/json``: a page on another site can only send forms or plain text without asking
first (a CORS preflight, which this server never grants), so it cannot act on the API; the
pages use their CSRF token instead.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import Response

from followup.core.interchange import dump_document
from followup.core.model import Decision, Interview, NextStep, Offer, Opportunity, Person, Touch
from followup.core.problems import check_when
from followup.errors import FollowupError, InvalidInput, UsageError
from followup.errors import NotFound as NotFoundError
from followup.render import action_json
from followup.services import acting, checks, editing, offers, record
from followup.services.views import opportunity_summaries
from followup.web import api_models as m
from followup.web.state import WebState, web_state

if TYPE_CHECKING:
    from collections.abc import Callable

    from followup.services.workspace import Workspace

#: A whole plan is megabytes of JSON: sent compressed (once per minute) to clients that accept it.
GZIP_ABOVE = 64 * 1024


class UnsupportedMediaType(FollowupError):
    http_status = 415


def require_json(request: Request) -> None:
    """Refuse a write that is not ``application/json`` (see the module docstring)."""
    if request.method in ("GET", "HEAD", "OPTIONS", "DELETE"):  # DELETE has no body; another
        return  # site cannot send one without a preflight, which is never granted
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("application/json", "application/merge-patch+json"):
        raise UnsupportedMediaType(
            "send the request body as application/json",
            hint="set the header Content-Type: application/json",
        )


router = APIRouter(prefix="/api", tags=["api"], dependencies=[Depends(require_json)])


def _state(request: Request) -> WebState:
    state: WebState = web_state(request)
    return state


def _json(value: Any, status_code: int = 200) -> Response:
    body = json.dumps(value, ensure_ascii=False)
    return Response(body, media_type="application/json", status_code=status_code)


@router.get("/opportunities", summary="List opportunities with their pending actions")
def list_opportunities(request: Request) -> Response:
    state = _state(request)
    now = state.now()
    actions = state.actions(now)
    return _json(opportunity_summaries(state.facts(now), actions, state.tz(now)))


@router.get("/opportunities/{opp_id}", summary="One opportunity, as in the interchange document")
def get_opportunity(request: Request, opp_id: str) -> Response:
    state = _state(request)
    facts = state.facts(state.now())
    opp = checks.opportunity(facts, opp_id)
    only = replace(facts, opportunities=(opp,), achievements=(), decisions=())
    opportunities: list[dict[str, Any]] = dump_document(only)["opportunities"]  # type: ignore[assignment]
    return _json(opportunities[0])


@router.post("/opportunities", status_code=201, summary="Add an opportunity")
def add_opportunity(request: Request, body: m.OpportunityIn) -> m.Created:
    decision = Decision(body.decision.expected_by, body.decision.process) if body.decision else None
    opp = Opportunity(
        id=body.id,
        company=body.company,
        role=body.role,
        applied=body.applied,
        source=body.source,
        url=body.url,
        rank=body.rank,
        status=body.status,
        decision=decision,
    )
    state = _state(request)
    record.add_opportunity(state.workspace, opp, now=state.now(), new=body.new)
    return m.Created(id=opp.id)


@router.post("/opportunities/{opp_id}/status", summary="Move an opportunity along")
def set_status(request: Request, opp_id: str, body: m.StatusIn) -> m.Created:
    record.set_status(_state(request).workspace, opp_id, body.status)
    return m.Created(id=opp_id)


@router.post("/opportunities/{opp_id}/people", status_code=201, summary="Add a person")
def add_person(request: Request, opp_id: str, body: m.PersonIn) -> m.Created:
    person = Person(**body.model_dump(exclude={"new", "topics"}), topics=tuple(body.topics))
    record.add_person(_state(request).workspace, opp_id, person, new=body.new)
    return m.Created(id=person.id)


@router.post("/opportunities/{opp_id}/interviews", status_code=201, summary="Log an interview")
def add_interview(request: Request, opp_id: str, body: m.InterviewIn) -> m.Created:
    step = body.next_step
    interview = Interview(
        id=body.id,
        at=body.at,
        with_=tuple(body.with_),
        duration_minutes=body.duration_minutes,
        kind=body.kind,
        notes=dict(body.notes),
        next_step=(
            NextStep(step.what, step.when, step.who, step.channel, step.acts) if step else None
        ),
    )
    record.add_interview(_state(request).workspace, opp_id, interview, new=body.new)
    return m.Created(id=interview.id)


@router.post("/opportunities/{opp_id}/touches", status_code=201, summary="Log a touch")
def add_touch(request: Request, opp_id: str, body: m.TouchIn) -> m.Created:
    """A touch that brings an ``outcome`` sets the opportunity's status; an offer is recorded at
    its moment (expiring ``offer_expires``) unless the opportunity holds one already."""
    fields = body.model_dump()
    expires = fields.pop("offer_expires")
    touch = Touch(**fields)
    return m.Created(id=record.add_touch(_state(request).workspace, opp_id, touch, expires))


@router.post("/opportunities/{opp_id}/offers", status_code=201, summary="Record an offer")
def add_offer(request: Request, opp_id: str, body: m.OfferIn) -> m.Created:
    offer = Offer(id=body.id, received=body.received, expires=body.expires)
    record.add_offer(_state(request).workspace, opp_id, offer)
    return m.Created(id=offer.id)


@router.post(
    "/opportunities/{opp_id}/offers/{offer_id}/extend",
    summary="Give an offer you hold a later expiry",
)
def extend_offer(request: Request, opp_id: str, offer_id: str, body: m.ExtendIn) -> Response:
    state = _state(request)
    offers.extend(state.workspace, opp_id, offer_id, body.expires)
    return _json({"offer": offer_id, "expires": body.expires.isoformat()})


@router.post(
    "/opportunities/{opp_id}/offers/{offer_id}/accept",
    summary="Accept an offer: every other opportunity stops but for a withdrawal note",
)
def accept_offer(request: Request, opp_id: str, offer_id: str, body: m.AnswerIn) -> Response:
    return _answer(request, opp_id, offer_id, body, offers.accept)


@router.post(
    "/opportunities/{opp_id}/offers/{offer_id}/decline",
    summary="Decline an offer: the counter-offers it caused disappear",
)
def decline_offer(request: Request, opp_id: str, offer_id: str, body: m.AnswerIn) -> Response:
    return _answer(request, opp_id, offer_id, body, offers.decline)


def _answer(
    request: Request,
    opp_id: str,
    offer_id: str,
    body: m.AnswerIn,
    answer: Callable[[Workspace, str, str, datetime], Offer],
) -> Response:
    state = _state(request)
    if body.at is not None and body.at.tzinfo is None:
        raise UsageError("at: a time needs its offset", hint="e.g. 2026-11-30T09:00+01:00")
    done = answer(state.workspace, opp_id, offer_id, body.at or state.now())
    decided = done.decided.isoformat() if done.decided else None
    return _json({"offer": offer_id, "decision": done.decision, "decided": decided})


@router.get("/plan", summary="The plan: every action, as of now or of a given moment")
def plan(
    request: Request,
    as_of: Annotated[
        datetime | None, Query(description="A moment with its offset (default: now).")
    ] = None,
    opportunity: Annotated[str | None, Query(description="Only this opportunity's.")] = None,
) -> Response:
    """Actions in the `followup plan --json` shape (docs/json.md), times in the profile's zone."""
    state = _state(request)
    now = state.now()
    if as_of is not None:
        problem = check_when(as_of, "as_of")
        if problem is not None:
            raise InvalidInput([problem], hint="e.g. 2026-11-30T09:00+01:00")
    if opportunity is not None:
        checks.opportunity(state.facts(now), opportunity)
    if as_of is None:
        key = f"plan-json:{opportunity}"
        body = state.derived(now, key, lambda: _plan_body(state, now, opportunity))
        if len(body) > GZIP_ABOVE and "gzip" in request.headers.get("accept-encoding", ""):
            packed = state.derived(now, key + ":gzip", lambda: gzip.compress(body, 5))
            headers = {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
            return Response(packed, media_type="application/json", headers=headers)
        return Response(body, media_type="application/json", headers={"Vary": "Accept-Encoding"})
    agenda = state.agenda(now)
    if as_of < now:  # the past: planned from the facts of then
        from followup.services.plan import agenda_as_of

        agenda = agenda_as_of(state.workspace, as_of)
    actions = [a for a in agenda.at(as_of) if opportunity in (None, a.opportunity)]
    return _json([action_json(a, agenda.tz) for a in actions])


def _plan_body(state: WebState, now: datetime, opportunity: str | None) -> bytes:
    if opportunity is None:
        chosen = state.actions(now)
    else:
        chosen = state.opportunity_actions(now, opportunity)
    tz = state.tz(now)
    return json.dumps([action_json(a, tz) for a in chosen], ensure_ascii=False).encode()


@router.post("/actions/{action_id}/done", summary="Mark an action done (logs its touch)")
def done(request: Request, action_id: str, body: m.DoneIn) -> Response:
    state = _state(request)
    touch = acting.done(state.workspace, action_id, state.now(), body.note)
    return _json({"action": action_id, "touch": touch.id, "status": "done"})


@router.post("/actions/{action_id}/skip", summary="Skip an action for good")
def skip(request: Request, action_id: str) -> Response:
    state = _state(request)
    acting.skip(state.workspace, action_id, state.now())
    return _json({"action": action_id, "status": "skipped"})


@router.post("/undo", summary="Undo the last change (again: the one before)")
def undo(request: Request) -> Response:
    from followup.services import history

    entry = history.undo(_state(request).workspace)
    return _json({"undone": entry.seq, "command": entry.label, "changed": entry.lines})


@router.post("/redo", summary="Make again the change undone last")
def redo(request: Request) -> Response:
    from followup.services import history

    entry = history.redo(_state(request).workspace)
    return _json({"redone": entry.seq, "command": entry.label, "changed": entry.lines})


@router.get("/history", summary="The last changes, newest first")
def changes(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=1000, description="How many.")] = 20,
) -> Response:
    from followup.services import history

    state = _state(request)
    tz = state.tz(state.now())
    return _json(
        [
            {
                "seq": e.seq,
                "at": e.at.astimezone(tz).isoformat(),
                "command": e.label,
                "changed": e.lines,
                "undone": e.undone,
            }
            for e in history.history(state.workspace, limit)
        ]
    )


@router.post("/actions/{action_id}/reopen", summary="Do a missed action anyway: open it now")
def reopen(request: Request, action_id: str) -> Response:
    state = _state(request)
    now = state.now()
    acting.reopen(state.workspace, action_id, now)
    return _json({"action": action_id, "status": "reopened", "from": now.isoformat()})


@router.post("/actions/{action_id}/unskip", summary="Lift a skip or a snooze")
def unskip(request: Request, action_id: str) -> Response:
    state = _state(request)
    acting.unskip(state.workspace, action_id, state.now())
    return _json({"action": action_id, "status": "planned"})


@router.post("/actions/{action_id}/snooze", summary="Put an action off until a moment")
def snooze(request: Request, action_id: str, body: m.SnoozeIn) -> Response:
    state = _state(request)
    if body.until.tzinfo is None:
        raise UsageError("until: a time needs its offset", hint="e.g. 2026-11-30T09:00+01:00")
    acting.snooze(state.workspace, action_id, body.until, state.now())
    return _json({"action": action_id, "status": "snoozed", "until": body.until.isoformat()})


# --- corrections: PATCH (a JSON merge patch, RFC 7386) and DELETE ---------------------------------

#: a merge patch: the fields to change, as the interchange document names them (null clears one)
Patch = Annotated[
    dict[str, Any],
    Body(
        description="The fields to change, named and written as in the interchange document "
        "(`followup export`); null clears an optional field, an object changes part of one. A "
        "time without a UTC offset is read in the profile's time zone.",
        examples=[{"email": "dana@acme.example", "key": True}],
    ),
]
Cascade = Annotated[
    bool,
    Query(description="Remove what names it too (a person's touches, an opportunity's facts)."),
]
#: the URL segment of each kind inside an opportunity
_SEGMENTS = {segment: kind for kind, segment in editing.LISTS.items()}


@router.patch("/opportunities/{opp_id}", summary="Correct an opportunity's own fields")
def edit_opportunity(request: Request, opp_id: str, body: Patch) -> Response:
    return _json(editing.edit(_state(request).workspace, "opportunity", [opp_id], body))


@router.delete("/opportunities/{opp_id}", summary="Remove an opportunity")
def remove_opportunity(request: Request, opp_id: str, cascade: Cascade = False) -> Response:
    gone = editing.remove(_state(request).workspace, "opportunity", [opp_id], cascade=cascade)
    return _json({"removed": gone})


@router.patch(
    "/opportunities/{opp_id}/{segment}/{item_id}",
    summary="Correct a person, interview, touch or offer (segment: people, interviews, touches, "
    "offers)",
)
def edit_item(request: Request, opp_id: str, segment: str, item_id: str, body: Patch) -> Response:
    kind = _kind_of(segment)
    return _json(editing.edit(_state(request).workspace, kind, [opp_id, item_id], body))


@router.delete(
    "/opportunities/{opp_id}/{segment}/{item_id}",
    summary="Remove a person, interview, touch or offer",
)
def remove_item(
    request: Request, opp_id: str, segment: str, item_id: str, cascade: Cascade = False
) -> Response:
    kind = _kind_of(segment)
    gone = editing.remove(_state(request).workspace, kind, [opp_id, item_id], cascade=cascade)
    return _json({"removed": gone})


@router.patch("/achievements/{item_id}", summary="Correct an achievement")
def edit_achievement(request: Request, item_id: str, body: Patch) -> Response:
    return _json(editing.edit(_state(request).workspace, "achievement", [item_id], body))


@router.delete("/achievements/{item_id}", summary="Remove an achievement")
def remove_achievement(request: Request, item_id: str) -> Response:
    return _json({"removed": editing.remove(_state(request).workspace, "achievement", [item_id])})


@router.get("/profile", summary="Your profile, as in the interchange document")
def get_profile(request: Request) -> Response:
    return _json(editing.profile(_state(request).workspace))


@router.patch("/profile", summary="Correct your profile")
def edit_profile(request: Request, body: Patch) -> Response:
    return _json(editing.edit_profile(_state(request).workspace, body))


@router.post("/actions/{action_id}/undone", summary="Take back a done: plan the action again")
def undone(request: Request, action_id: str) -> Response:
    touch = editing.undone(_state(request).workspace, action_id)
    return _json({"action": action_id, "status": "planned", "removed_touch": touch})


def _kind_of(segment: str) -> str:
    kind = _SEGMENTS.get(segment)
    if kind is None:
        raise NotFoundError(
            f"unknown kind '{segment}' (known: {', '.join(_SEGMENTS)})",
            hint="e.g. PATCH /api/opportunities/acme/people/dana",
        )
    return kind
