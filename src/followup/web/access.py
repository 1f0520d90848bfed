"""Sign-in for a server beyond this computer: a session cookie, or an API token for /api.

When ``WebSettings.access_control`` is on (`followup serve` on another address than this
computer's), ``AccessControl`` lets a request through only with

- a valid session cookie, which ``POST /login`` sets after checking the password against its
  argon2 hash (``services.access``): ``<issued>.<HMAC-SHA256>`` under the session key stored
  with the hash, so a new password ends every session; HttpOnly, SameSite=Lax, ``Secure`` when
  the browser came over https (or ``behind_tls``); valid for ``SESSION_DAYS``; or
- ``Authorization: Bearer <token>`` with a current API token, on /api only.

The sign-in page, static files and the calendar feed (its own token is its key) stay open. A
page without a session is sent to /login; /api answers 401 with ``{"error", "hint"}``. Failed
sign-ins are limited per client address and in all (``FailedLogins``), so a password cannot be
guessed quickly. Sign-in and sign-out are forms with the CSRF token, like every other form.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Annotated, Any, Final
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from followup.web import csrf
from followup.web.render import is_htmx, page
from followup.web.state import WebState

COOKIE: Final = "followup_session"
LOGIN_PATH: Final = "/login"
SESSION_DAYS: Final = 14
_SESSION_SECONDS: Final = SESSION_DAYS * 24 * 3600
#: Failed sign-ins allowed per client address, and from all clients, in ``WINDOW_SECONDS``.
PER_CLIENT: Final = 10
IN_ALL: Final = 50
WINDOW_SECONDS: Final = 60.0
_OPEN: Final = re.compile(r"/(login|logout)|/static/.*|/calendar/[^/]+\.ics")
_SAFE_NEXT: Final = re.compile(r"/(?![/\\])[^\x00-\x20\x7f]*")


def install(app: FastAPI, state: WebState) -> None:
    """Require sign-in on ``app`` (called by ``create_app`` when access control is on)."""
    app.state.failed_logins = FailedLogins()
    app.add_middleware(AccessControl, state=state)
    app.include_router(router, dependencies=[Depends(csrf.verify)], include_in_schema=False)


# -- session cookies ---------------------------------------------------------------------------


def new_session(key: bytes, now: float) -> str:
    issued = str(int(now))
    return f"{issued}.{_sign(key, issued)}"


def session_is_valid(key: bytes, value: str | None, now: float) -> bool:
    if not value or "." not in value or len(value) > 200:
        return False
    issued, _, signature = value.partition(".")
    if not issued.isdigit() or not hmac.compare_digest(signature, _sign(key, issued)):
        return False
    return 0 <= now - int(issued) < _SESSION_SECONDS


def _sign(key: bytes, issued: str) -> str:
    return hmac.new(key, f"session.{issued}".encode(), hashlib.sha256).hexdigest()


def _signed_in(state: WebState, request: Request) -> bool:
    from followup.services.access import keys

    cookie = request.cookies.get(COOKIE)
    if not cookie:
        return False
    found = keys(state.workspace)
    return found is not None and session_is_valid(found.session_key, cookie, time.time())


def bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def secure(request: Request) -> bool:
    """Whether the browser came over https (uvicorn trusts X-Forwarded-Proto only from the
    addresses in FORWARDED_ALLOW_IPS, 127.0.0.1 by default), or the server was told so."""
    settings = request.app.state.web.settings
    return bool(settings.behind_tls) or request.url.scheme == "https"


# -- the gate ----------------------------------------------------------------------------------


class AccessControl:
    """ASGI middleware: lets through only signed-in browsers and scripts with an API token."""

    def __init__(self, app: Any, state: WebState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") != "http" or _OPEN.fullmatch(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        token = bearer(request)
        if await run_in_threadpool(self._allowed, request, token):
            await self.app(scope, receive, send)
            return
        await _refusal(request, token)(scope, receive, send)

    def _allowed(self, request: Request, token: str | None) -> bool:
        from followup.services.access import token_is_valid

        if token is not None and is_api(request.url.path):
            return token_is_valid(self.state.workspace, token)
        return _signed_in(self.state, request)


def _refusal(request: Request, token: str | None) -> Response:
    path = request.url.path
    if is_api(path):
        error = (
            "this API token is not valid (mistyped, or revoked)"
            if token is not None
            else "sign in first: this server asks for a password or an API token"
        )
        body = {
            "error": error,
            "hint": "send `Authorization: Bearer TOKEN` (`followup access token new NAME` makes "
            "one on the server's computer), or sign in at /login",
        }
        return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": "Bearer"})
    return to_sign_in(request)


def to_sign_in(request: Request) -> Response:
    """A page asked for without a session: to the sign-in page, which comes back here."""
    target = LOGIN_PATH
    if request.method in ("GET", "HEAD"):
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target += "?next=" + quote(here, safe="/")
    if is_htmx(request):  # htmx follows HX-Redirect with a whole page
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


# -- failed sign-ins ---------------------------------------------------------------------------


class FailedLogins:
    """Recent failed sign-ins: at most ``PER_CLIENT`` per address and ``IN_ALL`` in total per
    ``WINDOW_SECONDS``; past that, every sign-in is refused until the window moves on."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._all: deque[float] = deque()
        self._by_client: dict[str, deque[float]] = {}

    def wait(self, client: str) -> int:
        """Seconds until ``client`` may try again (0: now)."""
        with self._lock:
            now = self.clock()
            self._expire(now)
            waits = [0.0]
            mine = self._by_client.get(client)
            if mine is not None and len(mine) >= PER_CLIENT:
                waits.append(mine[0] + WINDOW_SECONDS - now)
            if len(self._all) >= IN_ALL:
                waits.append(self._all[0] + WINDOW_SECONDS - now)
            return int(max(waits) + 0.999)

    def failed(self, client: str) -> None:
        with self._lock:
            now = self.clock()
            self._all.append(now)
            self._by_client.setdefault(client, deque()).append(now)

    def _expire(self, now: float) -> None:
        edge = now - WINDOW_SECONDS
        while self._all and self._all[0] <= edge:
            self._all.popleft()
        for client in list(self._by_client):
            times = self._by_client[client]
            while times and times[0] <= edge:
                times.popleft()
            if not times:
                del self._by_client[client]


# -- sign-in and sign-out ----------------------------------------------------------------------

router = APIRouter()


def safe_next(value: str | None, default: str = "/") -> str:
    """Where to go after signing in: a path on this server, never another site."""
    return value if value and len(value) < 2000 and _SAFE_NEXT.fullmatch(value) else default


def _login_page(
    request: Request, *, next_: str, error: str | None = None, status_code: int = 200
) -> Response:
    state: WebState = request.app.state.web
    context = {
        "title": "Sign in",
        "next": next_,
        "error": error,
        "signed_in": error is None and _signed_in(state, request),
    }
    return page(request, "login.html", context, status_code=status_code)


@router.get(LOGIN_PATH)
def login_form(request: Request, next: str = "/") -> Response:
    return _login_page(request, next_=safe_next(next))


@router.post(LOGIN_PATH)
def login(
    request: Request,
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    from followup.services.access import keys, verify_password

    state: WebState = request.app.state.web
    failures: FailedLogins = request.app.state.failed_logins
    client = request.client.host if request.client else "unknown"
    target = safe_next(next)
    wait = failures.wait(client)
    if wait:
        response = _login_page(
            request,
            next_=target,
            error=f"Too many failed sign-ins: wait {wait} seconds, then try again.",
            status_code=429,
        )
        response.headers["Retry-After"] = str(wait)
        return response
    if not verify_password(state.workspace, password, state.now()):
        failures.failed(client)
        return _login_page(
            request, next_=target, error="That is not the password.", status_code=401
        )
    found = keys(state.workspace)
    if found is None:  # the password was removed meanwhile
        return _login_page(request, next_=target, error="No password is set.", status_code=401)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        new_session(found.session_key, time.time()),
        max_age=_SESSION_SECONDS,
        httponly=True,
        samesite="lax",
        secure=secure(request),
        path="/",
    )
    return response


@router.get("/logout")
def logout_form() -> Response:
    return RedirectResponse(LOGIN_PATH, status_code=303)  # it shows the sign-out button


@router.post("/logout")
def logout(request: Request) -> Response:
    response = RedirectResponse(LOGIN_PATH, status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=secure(request))
    return response
