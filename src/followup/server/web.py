"""The server mode's web app: every route behind one access rule, each candidate in their own
workspace, coaches seeing only what candidates granted.

``create_server_app`` is the local app (``web.app.create_app``) with three differences:

- **Who**: a request is signed in by a session cookie (``POST /login`` with e-mail and
  password) or, on /api, by ``Authorization: Bearer <token>`` (``server.auth``); both live in
  PostgreSQL, so any web process on any machine answers any request.
- **Which data**: a candidate's pages and API read and write their own workspace only; the
  access rule of the route picks it (``Tenants.state_for``), never a value in the request.
- **Which rule**: `ACCESS` maps every route's path to one rule. A route missing from it is
  refused (403), and a test fails: a new route cannot be reachable by accident.

The rules: ``open`` (sign-in, links, static files), ``feed`` (the calendar feed: its token finds
its candidate), ``signed-in`` (one's own account), ``candidate`` (one's own workspace),
``coach`` (one's caseload), ``admin`` (one's organisation), ``overview``/``full``/``act`` (a
candidate's data, with a grant at least that high in force: checked and written to the audit
log at each request), and ``local`` (a feature of the candidate's own computer: the playbook
file, restoring a backup, mail and LLM settings; refused here).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from followup.errors import Forbidden, SignInFirst
from followup.server.consent import COACHING_ROLES, LEVELS, open_for
from followup.web.access import COOKIE, FailedLogins, bearer, is_api, to_sign_in
from followup.web.csrf import SAFE_METHODS

if TYPE_CHECKING:
    from followup.config import PlaybookSource
    from followup.server.auth import Principal
    from followup.server.notices import MailConfig
    from followup.store import Store
    from followup.web.settings import WebSettings
    from followup.web.state import WebState

#: how many candidates' memos a web process keeps (least recently used go first)
KEPT_CANDIDATES: Final = 256

_CANDIDATE_ROUTES: Final = (
    "/",
    "/achievements/{item_id}/edit",
    "/achievements/{item_id}/remove",
    "/actions/{action_id}/done",
    "/actions/{action_id}/reopen",
    "/actions/{action_id}/skip",
    "/actions/{action_id}/snooze",
    "/actions/{action_id}/undone",
    "/actions/{action_id}/unskip",
    "/api/achievements/{item_id}",
    "/api/actions/{action_id}/done",
    "/api/actions/{action_id}/reopen",
    "/api/actions/{action_id}/skip",
    "/api/actions/{action_id}/snooze",
    "/api/actions/{action_id}/undone",
    "/api/actions/{action_id}/unskip",
    "/api/history",
    "/api/opportunities",
    "/api/opportunities/{opp_id}",
    "/api/opportunities/{opp_id}/interviews",
    "/api/opportunities/{opp_id}/offers",
    "/api/opportunities/{opp_id}/offers/{offer_id}/accept",
    "/api/opportunities/{opp_id}/offers/{offer_id}/decline",
    "/api/opportunities/{opp_id}/offers/{offer_id}/extend",
    "/api/opportunities/{opp_id}/people",
    "/api/opportunities/{opp_id}/status",
    "/api/opportunities/{opp_id}/touches",
    "/api/opportunities/{opp_id}/{segment}/{item_id}",
    "/api/plan",
    "/api/profile",
    "/api/redo",
    "/api/undo",
    "/data",
    "/demo",
    "/drafts/{action_id}",
    "/drafts/{action_id}/discard",
    "/export.json",
    "/import",
    "/insights",
    "/opportunities/{opp_id}",
    "/opportunities/{opp_id}/edit",
    "/opportunities/{opp_id}/offers/{offer_id}/accept",
    "/opportunities/{opp_id}/offers/{offer_id}/decline",
    "/opportunities/{opp_id}/offers/{offer_id}/extend",
    "/opportunities/{opp_id}/remove",
    "/opportunities/{opp_id}/{segment}/{item_id}/edit",
    "/opportunities/{opp_id}/{segment}/{item_id}/remove",
    "/pipeline",
    "/record",
    "/record/{kind}",
    "/removed",
    "/undo",
)

#: Every route of the server, by its path, and the one rule that lets a request through.
ACCESS: Final[dict[str, str]] = {
    "/login": "open",
    "/logout": "open",
    "/join/{token}": "open",
    "/reset/{token}": "open",
    "/reset": "open",  # asking for a reset link by e-mail (the same answer for any address)
    "/static": "open",  # the style sheet and htmx (a mount: everything under it)
    "/api/docs": "open",  # the API's description, no data
    "/api/openapi.json": "open",
    "/docs/oauth2-redirect": "open",
    "/calendar/{token}.ics": "feed",
    "/account": "signed-in",
    "/account/password": "signed-in",
    "/account/tokens": "signed-in",
    "/account/tokens/{name}/revoke": "signed-in",
    "/account/notices": "signed-in",
    "/account/consent": "candidate",
    "/account/consent/revoke": "candidate",
    "/account/export.json": "candidate",
    "/account/delete": "candidate",
    "/account/mail": "candidate",
    "/account/mail/forget": "candidate",
    "/account/mail/sync": "candidate",
    "/coach": "coach",
    "/coach/invite": "coach",
    "/api/coach/caseload": "coach",
    "/coach/c/{candidate}": "overview",
    "/api/coach/c/{candidate}": "overview",
    "/coach/c/{candidate}/report.html": "overview",
    "/coach/c/{candidate}/report.csv": "overview",
    "/coach/c/{candidate}/notes": "full",
    "/coach/c/{candidate}/touches": "act",
    "/admin": "admin",
    "/admin/invite": "admin",
    "/api/admin/organisation": "admin",
    **dict.fromkeys(_CANDIDATE_ROUTES, "candidate"),
    "/playbook": "local",
    "/restore": "local",
    "/backup.json": "local",
    "/send/{action_id}": "local",
    "/drafts/{action_id}/polish": "local",
}
#: the entries of `ACCESS` that are mounts: they cover every path under them
MOUNTS: Final = frozenset({"/static"})
RULES: Final = frozenset(
    {"open", "feed", "signed-in", "candidate", "coach", "admin", "local", *LEVELS}
)


class Tenants:
    """What a server process shares: the settings, one store, a memo per candidate, and how
    the server sends its own e-mail (None: it sends none)."""

    #: the pages ask it of ``request.app.state.web`` (the local app's ``WebState`` says False)
    serves_many = True

    def __init__(
        self,
        settings: WebSettings,
        store: Store,
        playbook: PlaybookSource,
        mail: MailConfig | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.playbook = playbook
        self.mail = mail
        #: requests for a reset link by client address, with the sign-in's limits: an account
        #: gets one e-mail a quarter hour, and this keeps one client from asking for a whole
        #: address book's
        self.links_asked = FailedLogins()
        self._states: OrderedDict[str, WebState] = OrderedDict()
        self._lock = threading.Lock()

    def state_for(self, candidate: str) -> WebState:
        """The web state of ``candidate``'s workspace (kept for the next request)."""
        from followup.services.workspace import Workspace
        from followup.web.state import WebState

        with self._lock:
            found = self._states.get(candidate)
            if found is None:
                workspace = Workspace.of(self.store, self.playbook, candidate=candidate)
                found = WebState(self.settings, workspace, self.playbook)
                self._states[candidate] = found
                while len(self._states) > KEPT_CANDIDATES:
                    self._states.popitem(last=False)
            else:
                self._states.move_to_end(candidate)
            return found

    def now(self) -> datetime:
        return self.settings.clock()

    def principal(self, request: Request) -> Principal | None:
        """Who sent ``request``: an API token on /api, else the session cookie."""
        from followup.server.auth import session_principal, token_principal

        token = bearer(request)
        if token is not None and is_api(request.url.path):
            return token_principal(self.store, token, self.now())
        return session_principal(self.store, request.cookies.get(COOKIE), self.now())

    def feed_candidate(self, token: str) -> str | None:
        with self.store.sql() as db:
            found = db.scalar(
                "SELECT c.id FROM calendar_token AS t JOIN candidate AS c "
                "ON c.pk = t.candidate_pk WHERE t.token = ? AND t.revoked IS NULL",
                [token],
            )
        return None if found is None else str(found)

    def close(self) -> None:
        self.store.close()


async def gate(request: Request) -> None:
    """The access rule of the route ``request`` reached (a dependency of every route)."""
    route = request.scope.get("route")
    rule = ACCESS.get(str(getattr(route, "path", "")))
    if rule is None:
        raise Forbidden("this address has no access rule on the server")
    if rule == "open":
        return
    tenants: Tenants = request.app.state.web
    if rule == "local":
        raise Forbidden(
            "this is done on a candidate's own computer, not on the server",
            hint="with followup on your own computer; here, export your data from /account",
        )
    if rule == "feed":
        token = str(request.path_params.get("token", ""))
        candidate = await run_in_threadpool(tenants.feed_candidate, token)
        if candidate is not None:
            request.state.web = tenants.state_for(candidate)
            return
        from followup.errors import NotFound

        raise NotFound("no such calendar")
    who = await run_in_threadpool(tenants.principal, request)
    if who is None and is_api(request.url.path) and bearer(request):
        raise SignInFirst(
            "this API token is not valid (mistyped, or revoked)",
            hint="your account page (/account) makes a new one",
        )
    if who is None:
        raise SignInFirst(
            "sign in first",
            hint="sign in at /login, or send `Authorization: Bearer TOKEN` to /api "
            "(your account page makes tokens)",
        )
    request.state.principal = who
    if rule == "signed-in":
        return
    if rule == "candidate":
        if who.role != "candidate" or who.candidate is None:
            raise Forbidden("this page is a candidate's own", hint="your pages start at /coach")
        request.state.web = tenants.state_for(who.candidate)
        return
    if rule == "admin" and who.role != "admin":
        raise Forbidden("this page is for the organisation's admins")
    if who.role not in COACHING_ROLES:
        raise Forbidden("this page is for coaches")
    if rule in LEVELS:
        candidate = str(request.path_params.get("candidate", ""))
        opened = await run_in_threadpool(
            lambda: open_for(
                tenants.store,
                who,
                candidate,
                rule,
                action="read" if request.method in SAFE_METHODS else "write",
                what=f"{request.method} {request.url.path}",
                now=tenants.now(),
            )
        )
        if opened is None:
            raise Forbidden(
                "you have no access to this part of that candidate's data",
                hint="a candidate grants it on their account page",
            )
        request.state.opened = opened
        request.state.web = tenants.state_for(opened.candidate)


class Unlisted:
    """ASGI middleware: a request whose path matches no entry of `ACCESS` is refused before
    any route sees it (403), so a route added without a rule (a plain Starlette route, a
    mount) is never reachable; the gate then applies the rule of the route reached."""

    def __init__(self, app: Any) -> None:
        from starlette.routing import compile_path

        self.app = app
        self._patterns = [
            compile_path(path + "/{rest:path}" if path in MOUNTS else path)[0] for path in ACCESS
        ]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "") if scope.get("type") == "http" else None
        if path is None or any(p.match(path) for p in self._patterns) or _nowhere(scope):
            await self.app(scope, receive, send)  # (a path no route takes: the app's 404)
            return
        refusal = JSONResponse(
            {"error": "this address has no access rule on the server", "hint": None,
             "problems": []},
            status_code=403,
        )  # fmt: skip
        await refusal(scope, receive, send)


def _nowhere(scope: Any) -> bool:
    """True when no route or mount of the app takes this request's path (any method)."""
    from starlette.routing import Match

    app = scope.get("app")
    routes = getattr(getattr(app, "router", None), "routes", None)
    if routes is None:
        return False  # cannot tell: refused
    probe = {**scope, "method": "GET"}
    return all(route.matches(probe)[0] == Match.NONE for route in routes)


def create_server_app(settings: WebSettings, *, mail: MailConfig | None = None) -> FastAPI:
    """The server: the local app's pages and API for candidates, the coach's and admin's pages,
    sign-in; over ``settings.database_url`` (PostgreSQL, created by `followup server init`);
    ``mail``: how it sends its own e-mail (password-reset links), None for none."""
    from followup.config import PlaybookSource
    from followup.core.playbook import Playbook
    from followup.server import notice_pages, pages
    from followup.server.auth import server_secret
    from followup.store import open_store
    from followup.web.app import create_app

    playbook = PlaybookSource.of(Playbook())
    store = open_store(settings.database_url, playbook)
    settings = settings.with_secret(server_secret(store))
    tenants = Tenants(settings, store, playbook, mail)
    app = create_app(settings, state=tenants, dependencies=[Depends(gate)])
    app.include_router(pages.router)
    app.include_router(pages.api_router)
    app.include_router(notice_pages.router)
    from followup.server import mailbox_pages

    app.include_router(mailbox_pages.router)
    app.add_exception_handler(SignInFirst, _sign_in_first)  # type: ignore[arg-type]
    app.add_middleware(Unlisted)
    return app


def _sign_in_first(request: Request, exc: SignInFirst) -> Response:
    if is_api(request.url.path):
        body: dict[str, object] = {"error": exc.message, "hint": exc.hint, "problems": []}
        return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": "Bearer"})
    return to_sign_in(request)


def app_from_environment() -> FastAPI:
    """The app of `followup server run` in each web process (uvicorn's factory): its
    settings come from the environment the command set."""
    from followup.server.notices import MailConfig
    from followup.web.settings import WebSettings

    url = os.environ["FOLLOWUP_DATABASE_URL"]
    hosts = tuple(os.environ.get("FOLLOWUP_ALLOWED_HOSTS", "").split())
    settings = WebSettings(
        url,
        allowed_hosts=hosts or ("127.0.0.1", "localhost", "[::1]"),
        access_control=True,
        behind_tls=os.environ.get("FOLLOWUP_BEHIND_TLS") == "1",
    )
    return create_server_app(settings, mail=MailConfig.of(os.environ))
