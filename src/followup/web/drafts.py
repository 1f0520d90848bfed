"""Drafts on the pages: ``GET /drafts/<action id>``, the personal draft of one action.

Drafting reads the facts, the templates and the reading list, and compares the draft with the
others (the form-letter guard), which is too much work to do for every line of Today. So an
action shows a closed "Draft" box that loads its draft when opened (htmx), and, without
JavaScript, a link to the same address as a page of its own.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from followup.core.rules import DRAFTED_RULES
from followup.web.render import is_htmx, page
from followup.web.state import WebState

router = APIRouter()


def has_draft(rule: str, status: str) -> bool:
    return rule in DRAFTED_RULES and status not in ("done", "replaced", "skipped")


@router.get("/drafts/{action_id}", response_class=HTMLResponse, include_in_schema=False)
def draft_page(action_id: str, request: Request) -> HTMLResponse:
    from followup.services import drafting

    state: WebState = request.app.state.web
    config_file = state.settings.config_file
    config_dir = config_file.parent if config_file is not None else None
    made = drafting.draft(state.workspace, action_id, state.now(), config_dir)
    written = made.channel != "phone"
    context = {
        "title": f"Draft: {action_id}",
        "draft": made,
        "written": written,
        "mailto": (
            f"mailto:{quote(made.to)}?subject={quote(made.subject)}&body={quote(made.body)}"
            if written and "@" in made.to
            else None
        ),
    }
    template = "partials/draft.html" if is_htmx(request) else "draft.html"
    return page(request, template, context)
