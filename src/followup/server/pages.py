"""The server's own pages and API: sign-in, links, one's account, the coach's caseload and a
candidate's view as far as their consent goes, the admin's organisation view.

Each route's access rule is in ``server.web.ACCESS``; by the time a handler runs, the gate has
checked it and put who asks in ``request.state.principal`` (and, on a candidate's data, the
grant in ``request.state.opened`` and their workspace's state in ``request.state.web``).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from followup.errors import NotFound, UsageError
from followup.server import auth, caseload, consent, notices
from followup.services.csv_export import spreadsheet_cell
from followup.web import csrf
from followup.web.access import COOKIE, FailedLogins, safe_next, secure
from followup.web.render import page
from followup.web.state import web_state

if TYPE_CHECKING:
    from followup.server.auth import Principal
    from followup.server.consent import Opened
    from followup.server.web import Tenants

router = APIRouter(dependencies=[Depends(csrf.verify)], include_in_schema=False)
#: the coach's and admin's JSON (described at /api/docs, beside the candidate's API)
api_router = APIRouter(tags=["coach"])
_FAILED: Final = FailedLogins()
#: what the caseload shows at most per page
PAGE_SIZE: Final = 200


def _tenants(request: Request) -> Tenants:
    found: Tenants = request.app.state.web
    return found


def _who(request: Request) -> Principal:
    who: Principal = request.state.principal
    return who


def _opened(request: Request) -> Opened:
    opened: Opened = request.state.opened
    return opened


def _home(who: Principal) -> str:
    return {"candidate": "/", "coach": "/coach", "admin": "/admin"}.get(who.role, "/account")


def _signed_in_response(request: Request, token: str, target: str) -> Response:
    return _with_session(RedirectResponse(target, status_code=303), request, token)


def _with_session(response: Response, request: Request, token: str) -> Response:
    """``response``, setting the session cookie of ``token``."""
    response.set_cookie(
        COOKIE,
        token,
        max_age=auth.SESSION_DAYS * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=secure(request),
        path="/",
    )
    return response


# -- signing in and out ------------------------------------------------------------------------


@router.get("/login")
def login_form(request: Request, next: str = "") -> Response:
    context = {"title": "Sign in", "next": safe_next(next, ""), "server": True, "signed_in": False}
    return page(request, "login.html", context | _reset_by_mail(request))


def _reset_by_mail(request: Request) -> dict[str, Any]:
    """Whether the sign-in page offers a reset link by e-mail (the server sends mail)."""
    return {"reset_by_mail": _tenants(request).mail is not None}


@router.post("/login")
def login(
    request: Request,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    tenants = _tenants(request)
    client = request.client.host if request.client else "unknown"
    context: dict[str, Any] = {"title": "Sign in", "next": safe_next(next, ""), "server": True}
    context |= _reset_by_mail(request)
    wait = _FAILED.wait(client)
    if wait:
        context["error"] = f"Too many failed sign-ins: wait {wait} seconds, then try again."
        response = page(request, "login.html", context, status_code=429)
        response.headers["Retry-After"] = str(wait)
        return response
    found = auth.sign_in(tenants.store, email, password, tenants.now())
    if found is None:
        _FAILED.failed(client)
        context |= {"error": "That address and password do not match an account.", "email": email}
        return page(request, "login.html", context, status_code=401)
    token, who = found
    return _signed_in_response(request, token, safe_next(next, "") or _home(who))


@router.get("/logout")
def logout_form() -> Response:
    return RedirectResponse("/login", status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    auth.sign_out(_tenants(request).store, request.cookies.get(COOKIE))
    return _signed_out(request)


def _signed_out(request: Request) -> Response:
    """To the sign-in page, forgetting the session cookie."""
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=secure(request))
    return response


# -- links: invitations and password resets ----------------------------------------------------


def _link_page(
    request: Request, token: str, error: str | None = None, status: int = 200
) -> Response:
    tenants = _tenants(request)
    found = auth.link(tenants.store, token, tenants.now())
    context = {"title": "Set your password", "link": found, "error": error}
    return page(request, "server/link.html", context, status_code=404 if found is None else status)


@router.get("/join/{token}")
def join_form(request: Request, token: str) -> Response:
    return _link_page(request, token)


@router.get("/reset/{token}")
def reset_form(request: Request, token: str) -> Response:
    return _link_page(request, token)


@router.post("/join/{token}")
@router.post("/reset/{token}")
def use_link(
    request: Request,
    token: str,
    password: Annotated[str, Form(max_length=1024)] = "",
    repeated: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    tenants = _tenants(request)
    if password != repeated:
        return _link_page(request, token, "The two passwords differ.", 400)
    try:
        used = auth.use_link(tenants.store, token, password, tenants.now())
    except UsageError as exc:
        return _link_page(request, token, exc.message, 400)
    signed = auth.sign_in(tenants.store, used.email, password, tenants.now())
    if signed is None:  # the account went away meanwhile
        return RedirectResponse("/login", status_code=303)
    session, who = signed
    return _signed_in_response(request, session, _home(who))


# -- one's account -----------------------------------------------------------------------------


def _notices_on(tenants: Tenants, who: Principal) -> bool:
    with tenants.store.sql() as db:
        return bool(db.scalar("SELECT notices FROM account WHERE pk = ?", [who.pk]) == "on")


def _account_page(
    request: Request, *, message: str | None = None, new_token: str | None = None
) -> Response:
    tenants, who = _tenants(request), _who(request)
    context: dict[str, Any] = {
        "title": "Your account",
        "who": who,
        "tokens": auth.api_tokens(tenants.store, who),
        "message": message,
        "new_token": new_token,
        "levels": consent.LEVELS,
    }
    context["notices_on"] = _notices_on(tenants, who)
    context["server_mail"] = notices.sent_to(tenants.store, who.pk, limit=20)
    context["sends_mail"] = tenants.mail is not None
    if who.candidate_pk is not None:
        context["grants"] = consent.grants(tenants.store, who.candidate_pk)
        context["audit"] = consent.audit_log(tenants.store, who.candidate_pk, limit=100)
    return page(request, "server/account.html", context)


@router.get("/account")
def account(request: Request) -> Response:
    return _account_page(request)


@router.post("/account/password")
def change_password(
    request: Request,
    current: Annotated[str, Form(max_length=1024)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    repeated: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    from followup.server.accounts import verify

    tenants, who = _tenants(request), _who(request)
    if verify(tenants.store, who.email, current) is None:
        raise UsageError("that is not your current password")
    if password != repeated:
        raise UsageError("the two new passwords differ")
    auth.set_password(tenants.store, who.email, password)  # ends every session, this one too
    signed = auth.sign_in(tenants.store, who.email, password, tenants.now())
    response = _account_page(
        request, message="Your password is changed; your other sessions and API tokens ended."
    )
    return response if signed is None else _with_session(response, request, signed[0])


@router.post("/account/tokens")
def add_token(request: Request, name: Annotated[str, Form(max_length=200)] = "") -> Response:
    tenants = _tenants(request)
    token = auth.new_api_token(tenants.store, _who(request), name.strip(), tenants.now())
    return _account_page(request, message=f"API token '{name.strip()}' made.", new_token=token)


@router.post("/account/tokens/{name}/revoke")
def revoke_token(request: Request, name: str) -> Response:
    auth.revoke_api_token(_tenants(request).store, _who(request), name)
    return _account_page(request, message=f"API token '{name}' revoked: it opens nothing now.")


@router.post("/account/consent")
def grant(
    request: Request,
    coach: Annotated[str, Form(max_length=320)] = "",
    level: Annotated[str, Form(max_length=20)] = "overview",
) -> Response:
    tenants = _tenants(request)
    given = consent.grant(tenants.store, _who(request), coach, level, tenants.now())
    return _account_page(request, message=f"{given.coach} now sees your data at level {level}.")


@router.post("/account/consent/revoke")
def revoke(request: Request, coach: Annotated[str, Form(max_length=320)] = "") -> Response:
    tenants = _tenants(request)
    consent.revoke(tenants.store, _who(request), coach, tenants.now())
    return _account_page(request, message=f"{coach} no longer sees your data, from now on.")


@router.get("/account/export.json")
def export_account(request: Request) -> Response:
    """Everything the server keeps of the candidate: their facts (the interchange document,
    which `followup import` reads), their account, grants, the audit log and the e-mails
    the server sent them."""
    from followup.services.documents import export_document

    tenants, who = _tenants(request), _who(request)
    state = web_state(request)
    candidate_pk = who.candidate_pk or 0  # the rule lets candidates only: never 0
    account: dict[str, str | None] = {"email": who.email, "organisation": who.organisation}
    body = {
        "account": account | {"role": who.role, "workspace": who.candidate},
        "document": export_document(state.workspace),
        "grants": [
            {
                "coach": g.coach,
                "level": g.level,
                "granted": g.granted.isoformat(),
                "revoked": g.revoked.isoformat() if g.revoked else None,
            }
            for g in consent.grants(tenants.store, candidate_pk)
        ],
        "audit": [
            {"at": a.at.isoformat(), "actor": a.actor, "action": a.action, "what": a.what}
            for a in consent.audit_log(tenants.store, candidate_pk, limit=100_000)
        ],
        "mail_from_server": [
            {"at": m.created.isoformat(), "kind": m.kind, "state": m.state, "subject": m.subject}
            for m in notices.sent_to(tenants.store, who.pk, limit=100_000)
        ],
    }
    headers = {
        "Content-Disposition": f'attachment; filename="followup-{tenants.now().date()}.json"',
        "Cache-Control": "no-store",  # the whole job search
    }
    return JSONResponse(body, headers=headers)


@router.post("/account/delete")
def delete_account(
    request: Request,
    password: Annotated[str, Form(max_length=1024)] = "",
    confirm: Annotated[str, Form(max_length=50)] = "",
) -> Response:
    """Delete the candidate's account and every fact, plan, grant and audit row of theirs."""
    from followup.server.accounts import delete_account as delete
    from followup.server.accounts import verify

    tenants, who = _tenants(request), _who(request)
    if confirm.strip().lower() != "delete" or verify(tenants.store, who.email, password) is None:
        raise UsageError(
            "nothing was deleted: type delete and your password to confirm",
            hint="export your data first: /account/export.json",
        )
    delete(tenants.store, who.email)
    return _signed_out(request)


# -- invitations -------------------------------------------------------------------------------


def _invite(request: Request, email: str, role: str) -> dict[str, Any]:
    tenants = _tenants(request)
    token, found = auth.invite(tenants.store, _who(request), email, role, tenants.now())
    base = str(request.base_url)
    if tenants.settings.behind_tls and base.startswith("http://"):  # the proxy speaks https
        base = "https://" + base.removeprefix("http://")
    return {
        "invited": found.email,
        "role": found.role,
        "link": f"{base}join/{token}",
        "expires": found.expires,
    }


@router.post("/coach/invite")
def coach_invite(request: Request, email: Annotated[str, Form(max_length=320)] = "") -> Response:
    return _caseload_page(request, invitation=_invite(request, email, "candidate"))


@router.post("/admin/invite")
def admin_invite(
    request: Request,
    email: Annotated[str, Form(max_length=320)] = "",
    role: Annotated[str, Form(max_length=20)] = "coach",
) -> Response:
    return _organisation_page(request, invitation=_invite(request, email, role))


# -- the coach's caseload ----------------------------------------------------------------------


def _cases(request: Request, sort: str, behind: bool, query: str) -> list[caseload.Case]:
    tenants = _tenants(request)
    found = caseload.of_coach(tenants.store, _who(request).pk, tenants.now())
    return _filtered(found, sort, behind, query)


def _filtered(
    found: list[caseload.Case], sort: str, behind: bool, query: str
) -> list[caseload.Case]:
    if behind:
        found = [c for c in found if c.behind]
    words = query.strip().casefold()
    if words:
        found = [c for c in found if words in f"{c.name} {c.candidate}".casefold()]
    reverse = sort.startswith("-")
    return caseload.sort(found, sort.removeprefix("-"), reverse=reverse)


def _caseload_page(
    request: Request,
    sort: str = "behind",
    behind: bool = False,
    q: str = "",
    invitation: dict[str, Any] | None = None,
) -> Response:
    cases = _cases(request, sort, behind, q)
    context = {
        "title": "Caseload",
        "who": _who(request),
        "cases": cases[:PAGE_SIZE],
        "total": len(cases),
        "sort": sort,
        "sorts": caseload.SORTS,
        "behind": behind,
        "q": q,
        "invitation": invitation,
        "now": _tenants(request).now(),
        "today": _tenants(request).now().date(),
    }
    return page(request, "server/caseload.html", context)


@router.get("/coach")
def caseload_page(
    request: Request, sort: str = "behind", behind: bool = False, q: str = ""
) -> Response:
    return _caseload_page(
        request, sort if sort.removeprefix("-") in caseload.SORTS else "behind", behind, q[:200]
    )


@api_router.get("/api/coach/caseload")
def caseload_json(
    request: Request, sort: str = "behind", behind: bool = False, q: str = ""
) -> Response:
    """Every candidate who granted you access, most behind first (``sort``: behind, overdue,
    missed, quiet, applications, offers or name; a leading ``-`` reverses it)."""
    if sort.removeprefix("-") not in caseload.SORTS:
        raise UsageError(f"sort must be one of {', '.join(caseload.SORTS)}")
    cases = _cases(request, sort, behind, q[:200])
    return JSONResponse({"candidates": [c.as_json() for c in cases], "count": len(cases)})


# -- a candidate, as far as their consent goes -------------------------------------------------


def _overview(request: Request) -> dict[str, Any]:
    """What a coach with an overview grant sees: counts, statuses, what is overdue or missed
    (what to do and for whom, never a reason's text, a note or a message)."""
    from followup.web.pages.today import GROUPS

    state, opened = web_state(request), _opened(request)
    now = state.now()
    agenda, found, _ = state.today(now)
    case = caseload.of_candidate(_tenants(request).store, opened.candidate_pk, opened.level, now)
    groups = []
    for (status, title), group in zip(GROUPS, found, strict=True):
        items = [
            {
                "when": (a.window_end if status in ("overdue", "missed") else a.window_start),
                "what": a.verb or a.rule,
                "rule": a.rule,
                "opportunity": a.opportunity,
                "company": _company(agenda, a.opportunity),
            }
            for a in group.actions
        ]
        groups.append({"status": status, "title": title, "items": items, "total": group.total})
    facts = state.facts(now)
    opportunities = [
        {"id": o.id, "company": o.company, "role": o.role, "status": o.status, "rank": o.rank}
        for o in facts.opportunities
    ]
    people = {  # whom a coach with an act grant may log a touch with
        o.id: [{"id": p.id, "name": p.name, "role": p.role} for p in o.people]
        for o in facts.opportunities
        if opened.level == "act"
    }
    return {
        "candidate": opened,
        "case": case,
        "groups": groups,
        "tz": agenda.tz,
        "opportunities": opportunities,
        "people": people,
        "now": now,
    }


def _company(agenda: Any, opp_id: str | None) -> str:
    """The opportunity's "Company — Role" (nothing for the weekly action)."""
    return str(agenda.opportunities.get(opp_id, "")) if opp_id is not None else ""


@router.get("/coach/c/{candidate}")
def candidate_page(request: Request, candidate: str) -> Response:
    context = _overview(request) | {"title": _opened(request).name or candidate}
    return page(request, "server/candidate.html", context)


@api_router.get("/api/coach/c/{candidate}")
def candidate_json(request: Request, candidate: str) -> Response:
    """One candidate's overview: their caseload row, what is overdue, due, coming and missed,
    and their opportunities' statuses (no notes, no message texts)."""
    found = _overview(request)
    body = {
        "candidate": candidate,
        "level": found["candidate"].level,
        "case": found["case"].as_json() if found["case"] else None,
        "groups": {
            g["status"]: {
                "total": g["total"],
                "items": [i | {"when": i["when"].isoformat()} for i in g["items"]],
            }
            for g in found["groups"]
        },
        "opportunities": found["opportunities"],
    }
    return JSONResponse(body)


@router.get("/coach/c/{candidate}/notes")
def candidate_notes(request: Request, candidate: str) -> Response:
    """With a full grant: the interview notes, touches (with their texts) and the reasons."""
    state = web_state(request)
    facts = state.facts(state.now())
    context = {
        "title": f"Notes: {_opened(request).name or candidate}",
        "candidate": _opened(request),
        "opportunities": facts.opportunities,
        "tz": state.tz(state.now()),
    }
    return page(request, "server/notes.html", context)


@router.post("/coach/c/{candidate}/touches")
def log_touch(
    request: Request,
    candidate: str,
    opportunity: Annotated[str, Form(max_length=200)],
    person: Annotated[str, Form(max_length=200)],
    channel: Annotated[str, Form(max_length=20)] = "email",
    kind: Annotated[str, Form(max_length=40)] = "check-in",
    summary: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """With an act grant: log a touch the candidate made, on their behalf; the undo journal
    (their history) names the coach who logged it."""
    from followup.core.model import Touch
    from followup.services import record
    from followup.services.workspace import LABEL

    state, who = web_state(request), _who(request)
    LABEL.set(f"logged by coach {who.email}: touch add {opportunity}"[:200])
    touch = Touch(
        at=state.now(),
        person=person,
        channel=channel,  # type: ignore[arg-type]
        direction="out",
        kind=kind,
        summary=summary.strip() or None,
    )
    touch_id = record.add_touch(state.workspace, opportunity, touch)
    if request.headers.get("accept", "").startswith("application/json"):
        return JSONResponse({"id": touch_id, "logged_by": who.email}, status_code=201)
    return RedirectResponse(f"/coach/c/{candidate}", status_code=303)


# -- the weekly report -------------------------------------------------------------------------

_REPORT_COLUMNS: Final = ("group", "when", "what", "company", "rule")


def _report(request: Request) -> dict[str, Any]:
    found = _overview(request)
    now: datetime = found["now"]
    found["week"] = (now - timedelta(days=7), now)
    return found


@router.get("/coach/c/{candidate}/report.html")
def report_html(request: Request, candidate: str) -> Response:
    """The week's report on one candidate, to read or send (a page that prints well)."""
    context = _report(request) | {"title": f"Weekly report: {_opened(request).name or candidate}"}
    return page(request, "server/report.html", context)


@router.get("/coach/c/{candidate}/report.csv")
def report_csv(request: Request, candidate: str) -> Response:
    found = _report(request)
    out = io.StringIO()
    writer = csv.writer(out)
    case = found["case"]
    if case is not None:
        for key, value in case.as_json().items():
            writer.writerow(["summary", key, _cell(value), "", ""])
    writer.writerow(_REPORT_COLUMNS)
    for group in found["groups"]:
        for item in group["items"]:
            writer.writerow(
                [
                    group["status"],
                    item["when"].isoformat(),
                    _cell(item["what"]),
                    _cell(item["company"]),
                    item["rule"],
                ]
            )
    name = f"followup-report-{_opened(request).candidate}.csv"  # an id we made: c-<hex>
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _cell(value: object) -> str:
    return spreadsheet_cell(None if value is None else str(value))


# -- the admin's organisation ------------------------------------------------------------------

#: the organisation view's rows per page (its counts are over everyone)
ORGANISATION_PAGE_SIZE: Final = 100


def _organisation(request: Request, sort: str, page_number: int) -> dict[str, Any]:
    """The organisation's counts (over every candidate) and one page of its rows, in ``sort``
    order: ``rows``, ``page``, ``pages`` (at least 1, so that page 1 always exists), ``total``
    (rows on every page). A page past the last one is refused (404), naming the last."""
    tenants, who = _tenants(request), _who(request)
    cases, total = caseload.of_organisation(tenants.store, who.organisation_pk, tenants.now())
    pages = max(1, -(-len(cases) // ORGANISATION_PAGE_SIZE))
    if page_number > pages:
        raise NotFound(
            f"there is no page {page_number}: the {len(cases)} rows fill "
            f"{pages} page{'s' if pages != 1 else ''}",
            hint=f"the last page is page={pages}",
        )
    first = (page_number - 1) * ORGANISATION_PAGE_SIZE
    ordered = caseload.sort(cases, sort.removeprefix("-"), reverse=sort.startswith("-"))
    return {
        "candidates": total,
        "consenting": len(cases),
        "behind": sum(1 for c in cases if c.behind),
        "rows": ordered[first : first + ORGANISATION_PAGE_SIZE],
        "first": first + 1,
        "page": page_number,
        "pages": pages,
        "per_page": ORGANISATION_PAGE_SIZE,
        "total": len(cases),
    }


def _organisation_page(
    request: Request,
    invitation: dict[str, Any] | None = None,
    sort: str = "behind",
    page_number: int = 1,
) -> Response:
    from followup.server.accounts import accounts

    found = _organisation(request, sort, page_number)
    who = _who(request)
    people = accounts(_tenants(request).store, who.organisation)
    context = {
        "title": who.organisation,
        "who": who,
        "cases": found["rows"],
        "consenting": found["consenting"],
        "behind": found["behind"],
        "total": found["candidates"],
        "paging": found,
        "order": sort,
        "coaches": [a for a in people if a.role in consent.COACHING_ROLES],
        "invitation": invitation,
        "roles": ("candidate", "coach", "admin"),
        "today": _tenants(request).now().date(),
    }
    return page(request, "server/organisation.html", context)


@router.get("/admin")
def organisation_page(
    request: Request,
    sort: str = "behind",
    page_number: Annotated[int, Query(alias="page", ge=1, description="From 1.")] = 1,
) -> Response:
    return _organisation_page(
        request, sort=sort if sort in caseload.SORTS else "behind", page_number=page_number
    )


@api_router.get("/api/admin/organisation", tags=["admin"])
def organisation_json(
    request: Request,
    sort: str = "behind",
    page_number: Annotated[int, Query(alias="page", ge=1, description="From 1.")] = 1,
) -> Response:
    """The organisation: how many candidates, how many consented to a coach here, how many are
    behind (over everyone), and one page of the rows of those who consented: ``page`` of
    ``pages``, ``per_page`` rows each, ``total`` rows in all, most behind first (``sort`` as
    in the caseload). A page past the last is 404."""
    if sort.removeprefix("-") not in caseload.SORTS:
        raise UsageError(f"sort must be one of {', '.join(caseload.SORTS)}")
    found = _organisation(request, sort, page_number)
    return JSONResponse(
        {
            "organisation": _who(request).organisation,
            "candidates": found["candidates"],
            "consenting": found["consenting"],
            "behind": found["behind"],
            "rows": [c.as_json() for c in found["rows"]],
            "page": found["page"],
            "pages": found["pages"],
            "per_page": found["per_page"],
            "total": found["total"],
        }
    )
