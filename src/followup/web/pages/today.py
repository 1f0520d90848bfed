"""Today: overdue, due now and the next 7 days, with done / skip / snooze in place.

The page reads only the rows it shows, and their counts, from the stored plan by indexed
queries (``WebState.today``), so it stays fast with thousands of actions. An empty database
shows the first-run page instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Final

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from followup.errors import FollowupError, UsageError
from followup.services import acting, documents
from followup.web.items import Said, dom_id, from_today, in_words
from followup.web.render import is_htmx, page, show_when
from followup.web.state import WebState, web_state

if TYPE_CHECKING:
    from followup.core.model import Action

router = APIRouter()

#: The demo candidate's time zone unless the first-run form names another (as `followup demo`).
DEMO_TIMEZONE = "America/New_York"
GROUPS = (
    ("overdue", "Overdue"),
    ("due", "Due now"),
    ("upcoming", "Next 7 days"),
    ("missed", "Missed"),
)


def _state(request: Request) -> WebState:
    state: WebState = web_state(request)
    return state


@router.get("/", name="today")
def today_page(request: Request) -> Response:
    context = _today(_state(request))
    if context is None:
        return page(request, "welcome.html", {"title": "Welcome"})
    return page(request, "today.html", context)


def _today(state: WebState) -> dict[str, Any] | None:
    """What Today shows (its groups with their counts), None before anything is recorded."""
    now = state.now()
    agenda, found, _ = state.today(now)
    if not agenda.opportunities:
        return None
    groups = []
    for (status, title), group in zip(GROUPS, found, strict=True):
        items = [
            from_today(action, when, status, agenda)
            for (when, _, _), action in zip(group.lines, group.actions, strict=True)
        ]
        groups.append({"status": status, "title": title, "actions": items, "total": group.total})
    return {
        "title": "Today",
        "groups": groups,
        "now": now,
        "tz": agenda.tz,
        "snooze_default": _tomorrow_morning(now.astimezone(agenda.tz)),
    }


def _tomorrow_morning(local_now: datetime) -> str:
    morning = datetime.combine(local_now.date() + timedelta(days=1), time(9))
    return morning.strftime("%Y-%m-%dT%H:%M")


@router.post("/demo", name="load_demo")
def load_demo(request: Request, timezone: Annotated[str, Form()] = DEMO_TIMEZONE) -> Response:
    """Load the sample job search into an empty database (the first-run page offers it)."""
    from followup.services.checks import Checker

    c = Checker()
    c.zone(timezone, "timezone")
    c.done()
    state = _state(request)
    documents.load_demo(state.workspace, state.now(), timezone)
    return RedirectResponse("/", status_code=303)


@router.post("/actions/{action_id}/done", name="action_done")
def action_done(request: Request, action_id: str) -> Response:
    state = _state(request)

    def act() -> Response:
        touch = acting.done(state.workspace, action_id, state.now())
        return _acted(request, f"Done: {touch.summary}.", undone=action_id)

    return _acting(request, action_id, act)


@router.post("/actions/{action_id}/undone", name="action_undone")
def action_undone(request: Request, action_id: str) -> Response:
    """Take back a done: the touch it logged goes, and the action is planned again (in place,
    htmx reloads the page to show it back in its list)."""
    from followup.services import editing
    from followup.web.pages.editing import flash

    touch = editing.undone(_state(request).workspace, action_id)
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Refresh": "true"})
    back = back_to(request)
    response = RedirectResponse(back, status_code=303)
    message = f"Not done: removed the touch '{touch}'; the action is planned again."
    flash(response, request, back.partition("?")[0], message)
    return response


@router.post("/actions/{action_id}/reopen", name="action_reopen")
def action_reopen(request: Request, action_id: str) -> Response:
    """Do a missed action anyway: its window opens again now."""
    state = _state(request)

    def act() -> Response:
        action = acting.reopen(state.workspace, action_id, state.now())
        return _acted(request, f"Reopened: {action.verb or action.rule}, from now.")

    return _acting(request, action_id, act)


@router.post("/actions/{action_id}/unskip", name="action_unskip")
def action_unskip(request: Request, action_id: str) -> Response:
    """Lift a skip or a snooze: the action is planned as the playbook says again."""
    state = _state(request)

    def act() -> Response:
        action = acting.unskip(state.workspace, action_id, state.now())
        return _acted(request, f"Planned again: {action.verb or action.rule}.")

    return _acting(request, action_id, act)


@router.post("/actions/{action_id}/skip", name="action_skip")
def action_skip(request: Request, action_id: str) -> Response:
    state = _state(request)

    def act() -> Response:
        action = acting.skip(state.workspace, action_id, state.now())
        return _acted(request, f"Skipped: {action.reason}")

    return _acting(request, action_id, act)


@router.post("/actions/{action_id}/snooze", name="action_snooze")
def action_snooze(request: Request, action_id: str, until: Annotated[str, Form()] = "") -> Response:
    state = _state(request)

    def act() -> Response:
        now = state.now()
        tz = state.tz(now)
        typed = until.strip()
        try:
            moment = datetime.fromisoformat(typed).replace(tzinfo=tz)
        except ValueError:
            raise Said(
                f"{typed!r} is not a date and time: pick the day and time to snooze until."
                if typed
                else "Pick the day and time to snooze until."
            ) from None
        if moment <= now:
            raise Said(
                f"{show_when(moment, tz)} has already passed: snooze until a later moment, "
                "e.g. tomorrow morning."
            )
        acting.snooze(state.workspace, action_id, moment, now)
        return _acted(request, f"Snoozed until {show_when(moment, tz)}.")

    return _acting(request, action_id, act)


@router.post("/undo", name="undo")
def undo(request: Request) -> Response:
    """Undo the last change (the "Undo" after each action); the page shows the result."""
    from followup.services import history

    history.undo(_state(request).workspace)
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Refresh": "true"})
    return RedirectResponse(back_to(request), status_code=303)


#: the element of Today that htmx swaps after an action there (``today.html``)
TODAY_TARGET: Final = "today"


def _acted(request: Request, message: str, *, undone: str | None = None) -> Response:
    """htmx: the message shows (after a done, with "Not done") and, on Today, the lists are
    drawn again with their counts (an emptied section goes); elsewhere the action leaves its
    list (an empty swap) or, on the Send page, says it is done. Else back to the page."""
    if not is_htmx(request):
        return RedirectResponse(back_to(request), status_code=303)
    context: dict[str, Any] = {"message": message, "undone": undone}
    if request.headers.get("hx-target") == TODAY_TARGET:
        today = _today(_state(request))
        if today is not None:
            return page(request, "today.html", {**today, **context, "fragment": True})
    context["placed"] = request.headers.get("hx-target") == "mark-sent"
    return page(request, "partials/acted.html", context)


def _acting(request: Request, action_id: str, act: Callable[[], Response]) -> Response:
    """``act()``, or why it failed, in words: next to the action when htmx drew it (its error
    slot, ``#error-<item id>``), else (no script) as the error page says any failure."""
    try:
        return act()
    except FollowupError as exc:
        state = _state(request)
        now = state.now()
        try:
            action: Action | None = acting.find_one(state.workspace, action_id, now)
        except FollowupError:
            action = None
        words = in_words(exc, action, state.tz(now))
        if not (is_htmx(request) and request.headers.get("hx-target")):
            worded = UsageError(words)
            worded.http_status = exc.http_status
            raise worded from exc
        context: dict[str, Any] = {"message": words, "hint": None, "problems": []}
        response = page(request, "partials/error.html", context, status_code=exc.http_status)
        response.headers["HX-Retarget"] = f"#error-{dom_id(action_id)}"
        response.headers["HX-Reswap"] = "innerHTML"
        return response


def back_to(request: Request) -> str:
    """The path of the page the form was on (never another site), else Today."""
    from urllib.parse import urlsplit

    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc and referer.netloc != request.url.netloc:
        return "/"
    path = (
        referer.path if referer.path.startswith("/") and not referer.path.startswith("//") else "/"
    )
    return path + (f"?{referer.query}" if referer.query else "")
