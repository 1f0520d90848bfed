"""The FastAPI application: pages, the JSON API under /api, static files, error handling.

``create_app(settings)`` builds everything from the settings it is given (nothing at import), so
tests and ``followup serve`` each get their own app, database and secret.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.trustedhost import TrustedHostMiddleware

from followup import __version__
from followup.errors import Dependents, Duplicate, FollowupError, InvalidDocument, InvalidInput
from followup.web import csrf, limits
from followup.web.render import is_htmx, make_templates, page
from followup.web.settings import WebSettings
from followup.web.state import WebState

STATIC_DIR = Path(__file__).parent / "static"


def create_app(
    settings: WebSettings,
    *,
    state: Any = None,
    dependencies: Sequence[Any] = (),
) -> FastAPI:
    """A new application over ``settings.database_url`` (opened, migrated if new, at start).

    The server mode (``server.web``) passes its own ``state`` (every candidate's) and the
    ``dependencies`` that check each route's access rule; sign-in is then its own."""
    from followup.web import api, calendar_feed, drafts, mail_send
    from followup.web.pages import data, insights, offers, opportunity, pipeline, record, today

    local = state is None
    if state is None:
        state = WebState(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        state.close()

    app = FastAPI(
        title="followup",
        version=__version__,
        description="Your follow-up plan after job interviews: read and record facts, act on "
        "the plan. Times are ISO 8601 with an offset; dates are YYYY-MM-DD.",
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        dependencies=list(dependencies),
    )
    app.state.web = state
    app.state.templates = make_templates()
    if local and settings.access_control:  # inside the host check: a foreign host is refused first
        from followup.web import access

        access.install(app, state)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts))
    app.add_middleware(_Labelled)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (today, pipeline, opportunity, offers, record, insights, data):
        app.include_router(
            module.router, dependencies=[Depends(csrf.verify)], include_in_schema=False
        )
    app.include_router(api.router)
    app.include_router(calendar_feed.router)
    app.include_router(mail_send.router)
    app.include_router(drafts.router)
    app.add_exception_handler(FollowupError, _on_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, limits.on_invalid_request)
    app.add_middleware(limits.BodyLimit)  # outermost: a huge body is refused before all else
    return app


class _Labelled:
    """Names each request in the undo journal (`followup history`): "web: POST /actions/…"."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") == "http":
            from followup.services.workspace import LABEL

            LABEL.set(f"web: {scope.get('method', '')} {scope.get('path', '')}"[:200])
        await self.app(scope, receive, send)


def _on_error(request: Request, exc: FollowupError) -> Response:
    """The one place expected failures become responses: JSON under /api, else a page.

    The API's ``problems`` are the request's own, each with its place (``path``, a field such as
    ``person.timezone``) and ``message``, for a client to show next to its field (a repeat adds
    ``existing``, the id of what it repeats, and its hint says how to add it anyway); a page
    shows them in ``message`` already.
    """
    problems = exc.problems if isinstance(exc, InvalidDocument) else []
    if request.url.path.startswith("/api"):
        found: list[object] = list(problems)
        hint = exc.hint
        if isinstance(exc, InvalidInput):
            found = [{"path": p.path, "message": p.message} for p in exc.problems]
        elif isinstance(exc, Duplicate):  # what it repeats, and how to add it anyway here
            found = [{"path": exc.path, "message": exc.message, "existing": exc.existing}]
            hint = exc.hint_for("api")
        elif isinstance(exc, Dependents):  # what names it, and how to remove those too
            found = [{"path": "", "message": d} for d in exc.dependents]
            hint = exc.hint_for("api")
        body = {"error": exc.message, "hint": hint, "problems": found}
        return JSONResponse(body, status_code=exc.http_status)
    context = {"message": exc.message, "hint": exc.hint, "problems": problems}
    template = "partials/error.html" if is_htmx(request) else "error.html"
    response = page(request, template, context, status_code=exc.http_status)
    if is_htmx(request):  # show the message in the page's message area, not in place
        response.headers["HX-Retarget"] = "#flash"
        response.headers["HX-Reswap"] = "innerHTML"
    return response
