"""Drafts on the pages: ``GET /drafts/<action id>``, the personal draft of one action.

Drafting reads the facts, the templates and the reading list, and compares the draft with the
others (the form-letter guard), which is too much work to do for every line of Today. So an
action shows a closed "Draft" box that loads its draft when opened (htmx), and, without
JavaScript, a link to the same address as a page of its own.

The draft can be edited there and saved (``POST /drafts/<action id>``): the text is kept as
the user's edit of that action, as `followup draft --edit` keeps it, and wins over the template
from then on (the Send page and `followup done` use it); "Back to the template's draft"
(``POST /drafts/<action id>/discard``) forgets it.

When the user has set up a local model (`followup llm settings`), a "Polish" button
(``POST /drafts/<action id>/polish``) shows the model's checked rewrite beside the draft, with
"Use this", which saves it as the edit through the same ``POST /drafts/<action id>``.
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from followup.core.rules import DRAFTED_RULES
from followup.web import csrf
from followup.web.render import is_htmx, page
from followup.web.state import WebState, web_state

router = APIRouter(dependencies=[Depends(csrf.verify)])


def has_draft(rule: str, status: str) -> bool:
    return rule in DRAFTED_RULES and status not in ("done", "replaced", "skipped")


@router.get("/drafts/{action_id}", response_class=HTMLResponse, include_in_schema=False)
def draft_page(action_id: str, request: Request, saved: str = "") -> HTMLResponse:
    note = _NOTES.get(saved)
    return _shown(request, action_id, note=note)


#: what the page says after a save or a discard without script (``?saved=``)
_NOTES = {
    "1": "Saved: this text is your draft from now on.",
    "template": "Back to the template's draft.",
}


@router.post("/drafts/{action_id}", include_in_schema=False)
def save_draft(action_id: str, request: Request, text: Annotated[str, Form()] = "") -> Response:
    """Keep the edited text as this action's draft (as `followup draft --edit` does)."""
    from followup.services import drafting

    state: WebState = web_state(request)
    text = text.replace("\r\n", "\n")  # a browser sends a textarea's lines with CRLF
    if not text.strip():  # as `followup draft --edit`: nothing kept
        message = "The draft is empty, so nothing was kept: write the message, then save."
        return _shown(request, action_id, error=message, typed=text, status_code=400)
    now = state.now()
    current = drafting.draft(state.workspace, action_id, now, _config_dir(state), guard=False)
    if text.strip() == current.text.strip():  # no change: the template's draft stays live
        return _shown(request, action_id, note="No changes to save.")
    drafting.save_edit(state.workspace, action_id, text, now)
    if not is_htmx(request):
        return RedirectResponse(f"/drafts/{action_id}?saved=1", status_code=303)
    return _shown(request, action_id, note=_NOTES["1"])


@router.post("/drafts/{action_id}/discard", include_in_schema=False)
def discard_draft(action_id: str, request: Request) -> Response:
    """Forget the edited text: the draft follows its template again."""
    from followup.errors import NotFound
    from followup.services import drafting

    state: WebState = web_state(request)
    with suppress(NotFound):  # nothing kept (a second click): the template's draft shows
        drafting.discard_edit(state.workspace, action_id)
    if not is_htmx(request):
        return RedirectResponse(f"/drafts/{action_id}?saved=template", status_code=303)
    return _shown(request, action_id, note=_NOTES["template"])


@router.post("/drafts/{action_id}/polish", include_in_schema=False)
def polish_draft(action_id: str, request: Request) -> Response:
    """The local model's rewrite of the draft, beside it, if it passes the checks."""
    import os

    from followup.errors import FollowupError, NotFound
    from followup.services import polish

    state: WebState = web_state(request)
    try:
        done = polish.polish(
            state.workspace, action_id, state.now(), _config_dir(state), os.environ
        )
    except NotFound:
        raise
    except FollowupError as exc:
        message = str(exc) + (f" ({exc.hint})" if exc.hint else "")
        return _shown(request, action_id, polish_error=message, status_code=exc.http_status)
    return _shown(request, action_id, polished=done.text, polished_by=done.settings.model)


def _shown(
    request: Request,
    action_id: str,
    *,
    note: str | None = None,
    error: str | None = None,
    typed: str | None = None,
    status_code: int = 200,
    polished: str | None = None,
    polished_by: str = "",
    polish_error: str | None = None,
) -> HTMLResponse:
    """The draft, in place (htmx) or as a page, with what the last save said."""
    from followup.services import drafting

    state: WebState = web_state(request)
    made = drafting.draft(state.workspace, action_id, state.now(), _config_dir(state))
    written = made.channel != "phone"
    context: dict[str, Any] = {
        "title": f"Draft: {action_id}",
        "draft": made,
        "written": written,
        "mailto": (
            f"mailto:{quote(made.to)}?subject={quote(made.subject)}&body={quote(made.body)}"
            if written and "@" in made.to
            else None
        ),
        "note": note,
        "error": error,
        "typed": made.text if typed is None else typed,
        "polish_on": _polish_on(state),
        "polished": polished,
        "polished_by": polished_by,
        "polish_error": polish_error,
    }
    template = "partials/draft.html" if is_htmx(request) else "draft.html"
    return page(request, template, context, status_code=status_code)


def _config_dir(state: WebState) -> Path | None:
    """Where the user's own templates are (beside the config file), if anywhere."""
    config_file = state.settings.config_file
    return config_file.parent if config_file is not None else None


def _polish_on(state: WebState) -> bool:
    """Is a local model set up to polish drafts? (A broken settings file: no button.)"""
    from followup.errors import UsageError
    from followup.services import polish

    try:
        return polish.load_settings(_config_dir(state)).on
    except UsageError:
        return False
