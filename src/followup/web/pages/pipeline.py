"""Pipeline: opportunities by status and rank, their decision dates, and offers' deadlines."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from followup.core.model import OPPORTUNITY_STATUSES, Opportunity
from followup.services.views import opportunity_summaries
from followup.web.render import page
from followup.web.state import WebState, web_state

router = APIRouter()


def _rank_key(o: Opportunity) -> tuple[int, int, str]:
    return (o.rank is None, o.rank or 0, o.company.lower())


@router.get("/pipeline", name="pipeline")
def pipeline_page(request: Request) -> Response:
    state: WebState = web_state(request)
    now = state.now()
    facts = state.facts(now)
    tz = state.tz(now)
    actions = state.actions(now)
    summaries = {s["id"]: s for s in opportunity_summaries(facts, actions, tz)}
    columns = []
    for status in OPPORTUNITY_STATUSES:
        opps = sorted((o for o in facts.opportunities if o.status == status), key=_rank_key)
        if opps:
            rows = [{"opp": o, "summary": summaries[o.id]} for o in opps]
            columns.append({"status": status, "rows": rows})
    offers = sorted(
        (
            {"opp": o, "offer": f}
            for o in facts.opportunities
            for f in o.offers
            if o.status in ("active", "offer")
        ),
        key=lambda row: (row["offer"].expires is None, str(row["offer"].expires or "")),  # type: ignore[attr-defined]
    )
    context = {"title": "Pipeline", "columns": columns, "offers": offers, "tz": tz}
    return page(request, "pipeline.html", context)
