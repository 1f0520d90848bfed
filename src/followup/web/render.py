"""Rendering pages: the Jinja environment (autoescaped), its filters, and the CSRF cookie.

Every page goes through ``page()``, which adds what the layout needs (the CSRF token, the
current path) and sets the CSRF cookie when the browser has none yet.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any, Final

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from followup.core.words import count
from followup.render import format_when
from followup.web import csrf

TEMPLATES_DIR: Final = Path(__file__).parent / "templates"
_DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def make_templates() -> Jinja2Templates:
    """The templates, autoescaped (Starlette turns autoescape on for .html files)."""
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.autoescape = True
    # the templates ship with the package: never look at their files again (Jinja's default
    # checks each one's change time at every use, and Today includes one per action)
    templates.env.auto_reload = False
    templates.env.filters["when"] = show_when
    templates.env.filters["day"] = show_day
    templates.env.globals["count"] = count  # "1 interview", "2 interviews"
    return templates


def show_when(value: date | datetime | None, tz: tzinfo | None = None) -> str:
    """'Wed 12 Nov 14:00' in the profile's zone; a plain date as 'Wed 12 Nov 2026'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_when(value, tz or value.tzinfo or _utc(), with_date=True)
    return show_day(value)


def show_day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return f"{_DAYS[value.weekday()]} {value.day} {value.strftime('%b')} {value.year}"


def _utc() -> tzinfo:
    from datetime import UTC

    return UTC


def page(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """Render ``template`` with the layout's context; sets the CSRF cookie on first visit."""
    token = csrf.token_for(request)
    values = {"csrf_token": token, "path": request.url.path, **(context or {})}
    templates: Jinja2Templates = request.app.state.templates
    response = templates.TemplateResponse(request, template, values, status_code=status_code)
    if request.cookies.get(csrf.COOKIE) != token:
        response.set_cookie(csrf.COOKIE, token, httponly=True, samesite="strict", path="/")
    return response


def is_htmx(request: Request) -> bool:
    """Whether htmx sent the request (it wants a fragment, not a whole page)."""
    return request.headers.get("hx-request") == "true"
