"""The pages of the server's own e-mail: a password-reset link by e-mail, asked for from the
sign-in page, and one's choice of reminders or digests (``server.notices``).

Asking for a link answers the same whatever the address (an account or not, a link sent a
minute ago or not), so the page tells no one who has an account here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from followup.server import notices
from followup.web import csrf
from followup.web.render import page

if TYPE_CHECKING:
    from followup.server.web import Tenants

router = APIRouter(dependencies=[Depends(csrf.verify)], include_in_schema=False)


def _tenants(request: Request) -> Tenants:
    found: Tenants = request.app.state.web
    return found


@router.get("/reset")
def reset_request_form(request: Request) -> Response:
    context = {"title": "Forgot your password?", "mail": _tenants(request).mail is not None}
    return page(request, "server/reset.html", context)


@router.post("/reset")
def reset_request(request: Request, email: Annotated[str, Form(max_length=320)] = "") -> Response:
    from followup.server.jobs import defer_send

    tenants = _tenants(request)
    context: dict[str, object] = {
        "title": "Forgot your password?",
        "mail": tenants.mail is not None,
    }
    client = request.client.host if request.client else "unknown"
    wait = tenants.links_asked.wait(client)
    if wait:
        context["error"] = f"Too many requests for links: wait {wait} seconds, then try again."
        response = page(request, "server/reset.html", context, status_code=429)
        response.headers["Retry-After"] = str(wait)
        return response
    tenants.links_asked.failed(client)
    if tenants.mail is None:
        return page(request, "server/reset.html", context)  # the page says to ask the admin
    pk = notices.ask_reset(tenants.store, email, tenants.now())
    if pk is not None:  # committed: the worker sends it (or the periodic job, if this fails)
        defer_send(tenants.settings.database_url, pk)
    return page(request, "server/reset.html", context | {"asked": True})


@router.post("/account/notices")
def set_notices(request: Request, notices_on: Annotated[str, Form(max_length=10)] = "") -> Response:
    who = request.state.principal
    notices.set_notices(_tenants(request).store, who.pk, notices_on == "on")
    return RedirectResponse("/account#notices", status_code=303)
