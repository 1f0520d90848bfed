"""/account/mail: a candidate's own mailbox settings on the server, their sealed passwords, the
last sync's outcome, and "sync now" (``server.mailbox`` does the work).

Every route's rule is ``candidate`` (``server.web.ACCESS``): the gate lets a candidate through
to their own settings only (the workspace is their principal's, never a value of the request)
and refuses coaches and admins. No page ever holds a password: the form's password fields are
always empty, and a stored one is only said to be there.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from followup.core.problems import Problem, show
from followup.errors import FollowupError, InvalidInput
from followup.server import mailbox
from followup.web import csrf
from followup.web.render import page

if TYPE_CHECKING:
    from followup.server.auth import Principal
    from followup.server.web import Tenants

router = APIRouter(dependencies=[Depends(csrf.verify)], include_in_schema=False)

#: the settings the form shows, in its order: reading replies only (the server sends nothing
#: from a candidate's mailbox, so it asks for no SMTP server and keeps no SMTP password)
FIELDS: Final = (
    "from_address",
    "from_name",
    "imap_host",
    "imap_port",
    "imap_security",
    "imap_user",
    "imap_folder",
)
_PORTS: Final = ("imap_port",)
_TEXT: Final = Form(max_length=500)
Text = Annotated[str | None, _TEXT]
Secret = Annotated[str | None, Form(max_length=mailbox.MAX_PASSWORD + 1)]


def _tenants(request: Request) -> Tenants:
    found: Tenants = request.app.state.web
    return found


def _candidate(request: Request) -> str:
    who: Principal = request.state.principal
    if who.candidate is None:  # the rule lets candidates only: never so
        raise FollowupError("this page is a candidate's own")
    return who.candidate


def _page(
    request: Request,
    *,
    message: str | None = None,
    error: FollowupError | None = None,
    typed: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    from followup.integrations.mailconf import SECURITIES

    tenants = _tenants(request)
    box = mailbox.mailbox(tenants.store, tenants.playbook, _candidate(request), os.environ)
    errors: dict[str, str] = {}
    if isinstance(error, InvalidInput):
        for problem in error.problems:
            errors[problem.path.removeprefix("mail.")] = problem.message
    context: dict[str, Any] = {
        "title": "Your mailbox",
        "who": request.state.principal,
        "box": box,
        "values": typed if typed is not None else box.settings,
        "errors": errors,
        "error": None if error is None or errors else error,
        "message": message,
        "securities": SECURITIES,
        "key_env": mailbox.SECRET_KEY_ENV,
    }
    return page(request, "server/mailbox.html", context, status_code=status)


@router.get("/account/mail")
def mail_page(request: Request) -> Response:
    return _page(request)


@router.post("/account/mail")
def save_mail(
    request: Request,
    from_address: Text = None,
    from_name: Text = None,
    imap_host: Text = None,
    imap_port: Text = None,
    imap_security: Text = None,
    imap_user: Text = None,
    imap_password: Secret = None,
    imap_folder: Text = None,
) -> Response:
    """Save the settings sent (a field left empty clears it; one not sent stays) and seal and
    store a password typed (an empty password field keeps the stored one)."""
    given = dict(locals())
    typed = {k: given[k] for k in FIELDS if given[k] is not None}
    tenants = _tenants(request)
    try:
        values = _values(typed)
        saved = mailbox.save_settings(
            tenants.store,
            tenants.playbook,
            _candidate(request),
            values,
            {"imap": imap_password},
            os.environ,
        )
    except FollowupError as exc:
        return _page(request, error=exc, typed=typed, status=exc.http_status)
    notes = ["Your mail settings are saved."]
    if saved.stored:
        plural = "s" if len(saved.stored) > 1 else ""
        notes.append(f"{_names(saved.stored)} password{plural} sealed and stored.")
    if saved.forgotten:
        notes.append(
            f"The stored {_names(saved.forgotten)} password was forgotten, as its server "
            "changed: enter it again."
        )
    return _page(request, message=" ".join(notes))


@router.post("/account/mail/forget")
def forget(request: Request) -> Response:
    tenants = _tenants(request)
    gone = mailbox.forget_passwords(tenants.store, _candidate(request))
    text = "Your stored passwords are forgotten." if gone else "No password was stored."
    return _page(request, message=text + " The server reads your mailbox no more.")


@router.post("/account/mail/sync")
def sync_now(request: Request) -> Response:
    """Read new replies now, in this request (bounded by the IMAP timeout)."""
    tenants = _tenants(request)
    try:
        summary = mailbox.sync_candidate(
            tenants.store, tenants.playbook, _candidate(request), os.environ, tenants.now()
        )
    except FollowupError as exc:
        return _page(request, error=exc, status=exc.http_status)
    return _page(request, message=mailbox.describe(summary))


def _values(typed: dict[str, str]) -> dict[str, Any]:
    """The settings of the form: an empty field clears its setting; a port is a number."""
    values: dict[str, Any] = {}
    problems = []
    for key, text in typed.items():
        value = text.strip() or None
        if key in _PORTS and value is not None:
            if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 65535:
                problems.append(Problem(f"mail.{key}", f"{show(value)} is not a port (1 to 65535)"))
                continue
            values[key] = int(value)
            continue
        values[key] = value
    if problems:
        raise InvalidInput(problems)
    return values


def _names(kinds: list[str]) -> str:
    return " and ".join(k.upper() for k in kinds)
