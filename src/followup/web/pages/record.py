"""Record: forms to add an opportunity, a person, an interview (per-person notes and the agreed
next step), a touch (sent or received, with a date they named), an offer, an achievement.

Each form is a list of fields (``followup.web.forms``). A submission is read completely, then
handed to the use case in ``services.record``; any problem, ours or the service's, is shown next
to its field with the values kept, and nothing is saved (one use case, one transaction).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from followup.core.model import (
    ACTORS,
    CHANNELS,
    DIRECTIONS,
    OPPORTUNITY_STATUSES,
    ROLES,
    TOUCH_KINDS,
    TOUCH_OUTCOMES,
    Achievement,
    Decision,
    Interview,
    NextStep,
    Offer,
    Opportunity,
    Person,
    Profile,
    Touch,
)
from followup.errors import Duplicate, FollowupError, NotFound, UsageError
from followup.services import checks, record
from followup.web.forms import GENERAL, FormReader, assign, field_name, sentence
from followup.web.pages.editing import shown, take_flash
from followup.web.pages.record_fields import TITLES, defaults, fields_for
from followup.web.render import page
from followup.web.state import WebState, web_state

router = APIRouter()


@router.get("/record", name="record")
def record_index(request: Request) -> Response:
    state: WebState = web_state(request)
    facts = state.facts(state.now())
    return page(request, "record.html", {"title": "Record", "opps": facts.opportunities})


def _needs_opportunity(kind: str) -> bool:
    return kind in ("person", "interview", "touch", "offer")


def _opportunity(state: WebState, now: datetime, opp_id: str | None) -> Opportunity | None:
    if not opp_id:
        return None
    return checks.opportunity(state.facts(now), opp_id)


@router.get("/record/{kind}", name="record_form")
def record_form(request: Request, kind: str, opportunity: str | None = None) -> Response:
    state: WebState = web_state(request)
    now = state.now()
    if kind not in TITLES:
        raise NotFound(f"unknown form '{kind}'", hint="the Record page lists the forms")
    opp = _opportunity(state, now, opportunity)
    if _needs_opportunity(kind) and opp is None:
        return RedirectResponse("/record", status_code=303)
    values = defaults(kind, now.astimezone(state.tz(now)))
    if kind == "profile":
        profile = state.facts(now).profile
        target = profile.weekly_target
        values = {
            "name": profile.name,
            "timezone": profile.timezone,
            "country": profile.country,
            "weekly_target": "" if target is None else str(target),
        }
    if kind != "achievement":
        return _form(request, kind, opp, values, {})
    message = take_flash(request)  # what an edit or a delete of an achievement did
    response = _form(request, kind, opp, values, {}, flash=message)
    return shown(response, request, message)


def _form(
    request: Request,
    kind: str,
    opp: Opportunity | None,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    duplicate: str | None = None,
    flash: dict[str, Any] | None = None,
) -> Response:
    """The form; after a ``duplicate`` (what it repeats: "person"...) with a box to tick to
    add it anyway."""
    context: dict[str, Any] = {
        "title": TITLES[kind],
        "kind": kind,
        "opp": opp,
        "fields": fields_for(kind, opp),
        "values": values,
        "errors": errors,
        "general": errors.get(GENERAL),
        "duplicate": duplicate,
        "flash": flash,
    }
    if kind == "achievement":  # those recorded already, each with Edit and Delete
        state: WebState = web_state(request)
        context["achievements"] = state.facts(state.now()).achievements
    return page(request, "record_form.html", context, status_code=status_code)


@router.post("/record/{kind}", name="record_submit")
async def record_submit(request: Request, kind: str, opportunity: str | None = None) -> Response:
    from starlette.concurrency import run_in_threadpool

    state: WebState = web_state(request)
    data = await request.form()
    if kind not in TITLES:
        raise NotFound(f"unknown form '{kind}'", hint="the Record page lists the forms")
    return await run_in_threadpool(_submit, request, state, kind, opportunity, data)


def _submit(
    request: Request, state: WebState, kind: str, opp_id: str | None, data: Any
) -> Response:
    now = state.now()
    opp = _opportunity(state, now, opp_id)
    if _needs_opportunity(kind) and opp is None:
        raise UsageError(
            f"a {kind} belongs to an opportunity", hint="choose one on the Record page"
        )
    tz = state.tz(now)
    form = FormReader(data, tz)
    save = _READERS[kind](form, opp, state)
    duplicate = None
    if not form.errors and save is not None:
        fields = {f.name for f in fields_for(kind, opp)}
        try:
            target = save()
        except (UsageError, NotFound) as exc:  # each problem next to its field, by its path
            assign(exc, form.errors, fields)
        except Duplicate as exc:  # by the value that repeats, with a box to add it anyway
            name, hint = field_name(exc.path, fields), sentence(exc.hint_for("form"))
            if name is not None:
                form.fail(name, sentence(exc.message))
            form.fail(GENERAL, hint if name else f"{sentence(exc.message)} {hint}")
            duplicate = exc.kind
        except FollowupError as exc:  # a conflict (an id already taken) belongs to the id
            form.errors.setdefault("id", exc.message)
        else:
            return RedirectResponse(target, status_code=303)
    values = form.values()
    values.pop("new", None)  # "add anyway" is ticked for the repeat it was shown with only
    return _form(request, kind, opp, values, form.errors, 422, duplicate)


Saver = Callable[[], str]


def _need(opp: Opportunity | None) -> Opportunity:
    if opp is None:
        raise UsageError("this form belongs to an opportunity", hint="choose one on Record")
    return opp


def _read_opportunity(form: FormReader, _: Opportunity | None, state: WebState) -> Saver | None:
    company = form.text("company", required=True)
    role = form.text("role", required=True)
    given = form.text("id")
    expected = form.when("decision_expected_by")
    process = form.text("decision_process")
    opp_id = given or record.slug(company or "")
    if company and not opp_id:
        form.fail("id", "Give a short id (letters or digits).")
    opp = Opportunity(
        id=opp_id,
        company=company or "",
        role=role or "",
        applied=form.day("applied"),
        source=form.text("source"),
        url=form.text("url"),
        rank=form.number("rank"),
        status=form.choice("status", OPPORTUNITY_STATUSES) or "active",
        decision=Decision(expected, process) if expected or process else None,
    )
    anyway = form.flag("new")
    if form.errors:
        return None

    def save() -> str:
        record.add_opportunity(state.workspace, opp, now=state.now(), new=anyway)
        return f"/opportunities/{opp.id}"

    return save


def _read_person(form: FormReader, opp: Opportunity | None, state: WebState) -> Saver | None:
    opp = _need(opp)
    name = form.text("name", required=True)
    person = Person(
        id=form.text("id") or record.person_id(name or "", (p.id for p in opp.people)),
        name=name or "",
        role=form.choice("role", ROLES) or "other",  # type: ignore[arg-type]
        has_vote=form.flag("has_vote"),
        key=form.flag("key"),
        email=form.text("email"),
        phone=form.text("phone"),
        timezone=form.text("timezone"),
        topics=_lines(form.text("topics")),
    )
    anyway = form.flag("new")
    if form.errors:
        return None

    def save() -> str:
        record.add_person(state.workspace, opp.id, person, new=anyway)
        return f"/opportunities/{opp.id}"

    return save


def _read_interview(form: FormReader, opp: Opportunity | None, state: WebState) -> Saver | None:
    opp = _need(opp)
    at = form.moment("at", required=True)
    met = form.many("with")
    if not met:
        form.fail("with", "Tick at least one person you met.")
    notes = {}
    for p in opp.people:
        note = form.text(f"notes_{p.id}")
        if note:
            if p.id not in met:
                form.fail(f"notes_{p.id}", f"You did not tick {p.name} as someone you met.")
            notes[p.id] = note
    what = form.text("next_step_what")
    when = form.when("next_step_when")
    who = form.text("next_step_who")
    channel = form.choice("next_step_channel", CHANNELS)
    acts = form.choice("next_step_acts", ACTORS)
    step = None
    if what or when or who or channel:
        if not what:
            form.fail("next_step_what", "Say what the next step is.")
        if when is None:
            form.fail("next_step_when", "Say when the next step is.")
        if what and when is not None:
            step = NextStep(what, when, who, channel, acts)  # type: ignore[arg-type]
    duration = form.number("duration_minutes")
    if form.errors or at is None:
        return None
    interview = Interview(
        id=form.text("id") or record.next_id("i", (i.id for i in opp.interviews)),
        at=at,
        with_=tuple(met),
        duration_minutes=duration if duration is not None else 60,
        kind=form.text("kind"),
        notes=notes,
        next_step=step,
    )

    anyway = form.flag("new")

    def save() -> str:
        record.add_interview(state.workspace, opp.id, interview, new=anyway)
        return f"/opportunities/{opp.id}"

    return save


def _read_touch(form: FormReader, opp: Opportunity | None, state: WebState) -> Saver | None:
    opp = _need(opp)
    person = form.choice("person", [p.id for p in opp.people], required=True)
    at = form.moment("at", required=True)
    direction = form.choice("direction", DIRECTIONS) or "out"
    channel = form.choice("channel", CHANNELS) or "email"
    kind = form.choice("kind", TOUCH_KINDS) or "other"
    states_date = form.when("states_date")
    if states_date is not None and direction != "in":
        form.fail("states_date", "Only a reply you received can name a date.")
    acts = form.choice("acts", ACTORS) if states_date is not None else None
    outcome = form.choice("outcome", TOUCH_OUTCOMES)
    offer_expires = form.when("offer_expires")
    if offer_expires is not None and outcome != "offer":
        form.fail("offer_expires", "Only an offer expires: choose the outcome “an offer”.")
    if form.errors or person is None or at is None:
        return None
    touch = Touch(
        at=at,
        person=person,
        channel=channel,  # type: ignore[arg-type]
        direction=direction,  # type: ignore[arg-type]
        kind=kind,
        summary=form.text("summary"),
        body=form.text("body"),
        states_date=states_date,
        acts=acts,  # type: ignore[arg-type]
        outcome=outcome,
    )

    def save() -> str:
        record.add_touch(state.workspace, opp.id, touch, offer_expires)
        return f"/opportunities/{opp.id}"

    return save


def _read_offer(form: FormReader, opp: Opportunity | None, state: WebState) -> Saver | None:
    opp = _need(opp)
    received = form.day("received", required=True)
    expires = form.when("expires")
    if form.errors or received is None:
        return None
    offer = Offer(
        id=form.text("id") or record.next_id("o", (f.id for f in opp.offers)),
        received=received,
        expires=expires,
    )

    def save() -> str:
        record.add_offer(state.workspace, opp.id, offer)
        return f"/opportunities/{opp.id}"

    return save


def _read_achievement(form: FormReader, _: Opportunity | None, state: WebState) -> Saver | None:
    title = form.text("title", required=True)
    kind = form.text("kind", required=True)
    at = form.day("at", required=True)
    tags = tuple(t.strip() for t in (form.text("tags") or "").split(",") if t.strip())
    if form.errors or at is None:
        return None
    achievement = Achievement(at=at, kind=kind or "", title=title or "", tags=tags)

    def save() -> str:
        record.add_achievement(state.workspace, achievement)
        return "/"

    return save


def _read_profile(form: FormReader, _: Opportunity | None, state: WebState) -> Saver | None:
    profile = Profile(
        name=form.text("name") or "",
        timezone=form.text("timezone", required=True) or "UTC",
        country=(form.text("country", required=True) or "").upper(),
        weekly_target=form.number("weekly_target"),
    )
    if form.errors:
        return None

    def save() -> str:
        record.set_profile(state.workspace, profile)
        return "/"

    return save


_READERS: Final[dict[str, Callable[[FormReader, Opportunity | None, WebState], Saver | None]]] = {
    "opportunity": _read_opportunity,
    "person": _read_person,
    "interview": _read_interview,
    "touch": _read_touch,
    "offer": _read_offer,
    "achievement": _read_achievement,
    "profile": _read_profile,
}


def _lines(text: str | None) -> tuple[str, ...]:
    """The non-empty lines of a text box, trimmed (a person's topics)."""
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())
