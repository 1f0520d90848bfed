"""The live calendar feed: ``GET /calendar/<token>.ics``, for calendar apps to subscribe to.

No session, no CSRF: the secret token in the URL is the only key (calendar apps cannot log
in). A wrong or revoked token gets 404, the same as a page that does not exist.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from followup.web.state import WebState, web_state

router = APIRouter()


@router.get("/calendar/{token}.ics", include_in_schema=False)
def calendar_feed(token: str, request: Request) -> Response:
    from followup.services.calendar import feed

    state: WebState = web_state(request)
    config_file = state.settings.config_file
    config_dir = config_file.parent if config_file is not None else None
    data = feed(state.workspace, token, state.now(), config_dir)
    return Response(
        data,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )
