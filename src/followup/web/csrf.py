"""CSRF protection for the pages' forms: a signed double-submit cookie.

A page sets the cookie ``followup_csrf`` (a random nonce and its HMAC under the server's
per-process secret) and puts the same value in every form (and in htmx's request headers). A
state-changing request passes only when the submitted token equals the cookie and the signature
holds: another site can make the browser send the cookie, but it can neither read it nor forge
a signed one. The JSON API is protected differently (see ``followup.web.api``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Final

from fastapi import Request

from followup.errors import FollowupError

COOKIE: Final = "followup_csrf"
FIELD: Final = "csrf_token"
HEADER: Final = "x-csrf-token"
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfRejected(FollowupError):
    """A state-changing form arrived without a valid token (stale page, or another site)."""

    http_status = 403


def new_token(secret: bytes) -> str:
    nonce = secrets.token_urlsafe(18)
    return f"{nonce}.{_sign(secret, nonce)}"


def is_valid(secret: bytes, token: str | None) -> bool:
    if not token or "." not in token:
        return False
    nonce, _, signature = token.partition(".")
    return hmac.compare_digest(signature, _sign(secret, nonce))


def _sign(secret: bytes, nonce: str) -> str:
    return hmac.new(secret, nonce.encode(), hashlib.sha256).hexdigest()[:32]


def token_for(request: Request) -> str:
    """The token of this browser: its cookie when valid, else a new one (set by ``render``)."""
    secret: bytes = request.app.state.web.settings.secret
    cached = getattr(request.state, "csrf_token", None)
    if cached:
        return str(cached)
    cookie = request.cookies.get(COOKIE)
    token = cookie if cookie and is_valid(secret, cookie) else new_token(secret)
    request.state.csrf_token = token
    return token


async def verify(request: Request) -> None:
    """Dependency of every page route: refuse an unsafe request without a matching token."""
    if request.method in SAFE_METHODS:
        return
    secret: bytes = request.app.state.web.settings.secret
    cookie = request.cookies.get(COOKIE)
    sent = request.headers.get(HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(FIELD)
        sent = value if isinstance(value, str) else None
    if not (cookie and sent and is_valid(secret, cookie) and hmac.compare_digest(cookie, sent)):
        if request.headers.get(HEADER) is None:  # the token came in the form
            await (await request.form()).close()  # an uploaded file's temporary storage
        raise CsrfRejected(
            "this form has expired or did not come from this page",
            hint="reload the page and try again",
        )
