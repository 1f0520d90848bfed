"""The Send page: ``GET /send/<action id>`` shows the final message and a Send button;
``POST`` (with the page's CSRF token) sends it once, through the same outbox as `followup send`.

Without SMTP settings the page offers a ``mailto:`` link instead, so the user's own mail
program sends it, then "Mark as sent", which marks the action done (the done route of Today, in
place with htmx). The SMTP password is read from this server's environment or the keyring. An
action already done (sent, or marked so) shows as such instead of its message.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from followup.web import csrf
from followup.web.render import page
from followup.web.state import WebState, web_state

router = APIRouter(dependencies=[Depends(csrf.verify)])


def _prepare(state: WebState, action_id: str) -> tuple[Any, dict[str, Any]]:
    from followup.services import mail

    now = state.now()
    config_file = state.settings.config_file
    config_dir = config_file.parent if config_file is not None else None
    settings = mail.get_settings(state.workspace)
    prepared = mail.prepare(state.workspace, action_id, now, None, config_dir)
    return prepared, settings


@router.get("/send/{action_id}", response_class=HTMLResponse, include_in_schema=False)
def send_page(action_id: str, request: Request) -> HTMLResponse:
    from followup.errors import Conflict
    from followup.integrations.mailconf import server

    state: WebState = web_state(request)
    try:
        prepared, settings = _prepare(state, action_id)
    except Conflict:  # done already (marked as sent, say): nothing to send any more
        from followup.services import acting

        action = acting.find_one(state.workspace, action_id, state.now())
        done: dict[str, Any] = {"title": "Sent", "action": action, "already": action.status}
        return page(request, "send.html", done)
    can_send = server("smtp", settings) is not None and bool(settings.get("from_address"))
    mailto = (
        f"mailto:{quote(prepared.to)}?subject={quote(prepared.subject)}&body={quote(prepared.body)}"
    )
    context = {
        "title": "Send",
        "prepared": prepared,
        "sender": settings.get("from_address"),
        "can_send": can_send,
        "mailto": mailto,
        "sent": None,
    }
    return page(request, "send.html", context)


@router.post("/send/{action_id}", response_class=HTMLResponse, include_in_schema=False)
def send_now(action_id: str, request: Request) -> HTMLResponse:
    from followup.errors import UsageError
    from followup.integrations.mailconf import password, server
    from followup.integrations.smtp import SmtpMailer
    from followup.services import mail

    state: WebState = web_state(request)
    prepared, settings = _prepare(state, action_id)
    smtp = server("smtp", settings)
    sender = settings.get("from_address")
    if smtp is None or not sender:
        raise UsageError(
            "sending needs your SMTP server and address", hint="`followup mail settings`"
        )
    mailer = SmtpMailer(smtp, password(smtp, os.environ))
    sent = mail.send(
        state.workspace, prepared, mailer, state.now(), str(sender), settings.get("from_name")
    )
    context = {"title": "Sent", "prepared": prepared, "sender": sender, "sent": sent}
    return page(request, "send.html", context)
