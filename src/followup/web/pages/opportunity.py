"""Opportunity: its people, the coverage grid, the timeline of what happened, the plan ahead."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from followup.core.model import Opportunity
from followup.services import checks
from followup.web.items import from_action
from followup.web.pages import editing
from followup.web.pages.coverage import TACTICS, coverage
from followup.web.pages.editing import SEGMENT_OF, shown, take_flash
from followup.web.render import page
from followup.web.state import WebState, web_state

router = APIRouter()
#: correcting the record (Edit and Delete on this page) is served with it, CSRF-checked alike
router.include_router(editing.router)


@router.get("/opportunities/{opp_id}", name="opportunity")
def opportunity_page(request: Request, opp_id: str) -> Response:
    state: WebState = web_state(request)
    now = state.now()
    facts = state.facts(now)
    opp = checks.opportunity(facts, opp_id)
    tz = state.tz(now)
    actions = state.opportunity_actions(now, opp.id)
    labels = {opp.id: f"{opp.company} — {opp.role}"}
    ahead = [from_action(a, tz, labels) for a in actions if a.status not in ("done", "replaced")]
    done = [from_action(a, tz, labels) for a in actions if a.status in ("done", "replaced")]
    names = {p.id: p.name for p in opp.people}
    message = take_flash(request)
    context = {
        "title": f"{opp.company} — {opp.role}",
        "opp": opp,
        "tactics": TACTICS,
        "grid": [(names[pid], cells) for pid, cells in coverage(opp, actions)],
        "timeline": timeline(opp, tz),
        "ahead": ahead,
        "done": done,
        "names": names,
        "tz": tz,
        "snooze_default": (now.astimezone(tz) + timedelta(days=1)).strftime("%Y-%m-%dT09:00"),
        "flash": message,
        # the done actions `followup done` logged a touch for: "Not done" takes them back
        "undoable": {t.completes for t in opp.touches if t.completes},
    }
    return shown(page(request, "opportunity.html", context), request, message)


def timeline(opp: Opportunity, tz: tzinfo) -> list[dict[str, Any]]:
    """Interviews, touches and offers, newest first."""
    names = {p.id: p.name for p in opp.people}
    events: list[dict[str, Any]] = []
    for i in opp.interviews:
        events.append(
            {
                "at": i.at,
                "kind": "interview",
                "title": f"Interview{f' ({i.kind})' if i.kind else ''} with "
                + ", ".join(names.get(p, p) for p in i.with_),
                "notes": [(names.get(p, p), text) for p, text in i.notes.items()],
                "next_step": i.next_step,
                "item": _item(opp, "interview", i.id, f"the interview '{i.id}'"),
            }
        )
    for t in opp.touches:
        arrow = "from" if t.direction == "in" else "to"
        events.append(
            {
                "at": t.at,
                "kind": f"touch {t.direction}",
                "title": f"{t.kind} ({t.channel}) {arrow} {names.get(t.person, t.person)}"
                + (f" — outcome: {t.outcome}" if t.outcome else ""),
                "summary": t.summary,
                "states_date": t.states_date,
                "item": _item(opp, "touch", t.id, f"the touch '{t.id}'") if t.id else None,
            }
        )
    for f in opp.offers:
        events.append(
            {"at": f.received, "kind": "offer", "title": "Offer received", "expires": f.expires}
        )
        if f.decision is not None and f.decided is not None:
            events.append({"at": f.decided, "kind": "offer", "title": f"Offer {f.decision}"})
    events.sort(key=lambda e: _moment(e["at"], tz), reverse=True)
    return events


def _item(opp: Opportunity, kind: str, item_id: str, what: str) -> dict[str, str]:
    """What the Edit and Delete of one fact of the timeline need."""
    segment = SEGMENT_OF[kind]
    return {"kind": kind, "id": item_id, "url": f"/opportunities/{opp.id}/{segment}/{item_id}",
            "what": what}  # fmt: skip


def _moment(value: date | datetime, tz: tzinfo) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time(0), tz)
