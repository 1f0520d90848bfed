"""Correcting the record on the pages: an Edit form and a Delete button for the opportunity, each
person, interview, touch and offer, and each achievement (``services.editing``).

An edit form is the Record form of its kind (``record_fields.edit_fields``) filled with the fact
as it now reads. What is saved is a merge patch of the fields whose value was changed (an
emptied optional field clears it), so a field left alone is never rewritten; each problem the
service finds is shown next to its field, with what was typed kept, and nothing is saved.

A delete is confirmed in place (a ``<details>`` that opens on "Delete", no script needed). When
other facts name what would go (``Dependents``), a page lists them with a box to remove those
too. Either way, the page the change came from then shows what happened with an Undo button,
through a short-lived signed cookie (``flash``) read by the page it names only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, cast

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from followup.core.interchange import dump_document
from followup.core.model import Facts, Opportunity
from followup.core.problems import iso_when
from followup.errors import Dependents, InvalidInput, NotFound, UsageError
from followup.services import checks, editing
from followup.web.forms import GENERAL, Field, FormReader, assign, sentence
from followup.web.pages.record_fields import edit_fields
from followup.web.render import is_htmx, page
from followup.web.state import WebState, web_state

router = APIRouter()

Json = dict[str, Any]
Values = dict[str, Any]

#: the URL segment of each kind inside an opportunity: its list in the interchange document
#: (as the JSON API names them)
SEGMENTS: Final = {segment: kind for kind, segment in editing.LISTS.items()}
#: the segment of each kind
SEGMENT_OF: Final = {kind: segment for segment, kind in SEGMENTS.items()}
#: fields holding a day or a moment: shown in the profile's zone without the offset, as typed
_TIMES: Final = frozenset({"at", "received", "expires", "states_date", "applied"})

# --- the message after a change, with its Undo ---------------------------------------------------

FLASH_COOKIE: Final = "followup_flash"
_FLASH_SECONDS: Final = 120


def flash(
    response: Response, request: Request, path: str, message: str, *, undo: bool = True
) -> None:
    """Have the page at ``path`` (only) show ``message`` once, with Undo unless not ``undo``."""
    payload = json.dumps({"p": path, "m": message[:1500], "u": undo}).encode()
    data = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    value = f"{data}.{_sign(request, data)}"
    response.set_cookie(
        FLASH_COOKIE, value, max_age=_FLASH_SECONDS, path=path, httponly=True, samesite="strict"
    )


def take_flash(request: Request) -> dict[str, Any] | None:
    """The message meant for this page ({"message", "undo"}), if a change left one."""
    value = request.cookies.get(FLASH_COOKIE)
    if not value or "." not in value:
        return None
    data, _, signature = value.rpartition(".")
    if not hmac.compare_digest(signature, _sign(request, data)):
        return None
    try:
        found = json.loads(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
    except ValueError:
        return None
    if not isinstance(found, dict) or found.get("p") != request.url.path:
        return None
    return {"message": str(found.get("m", "")), "undo": bool(found.get("u"))}


def shown(response: Response, request: Request, message: dict[str, Any] | None) -> Response:
    """``response`` of a page that showed ``message``: it is not shown again."""
    if message is not None:
        response.delete_cookie(FLASH_COOKIE, path=request.url.path)
    return response


def _sign(request: Request, data: str) -> str:
    secret: bytes = web_state(request).settings.secret
    return hmac.new(secret, b"flash:" + data.encode(), hashlib.sha256).hexdigest()[:32]


def _back(request: Request, path: str, message: str, *, undo: bool = True) -> Response:
    response = RedirectResponse(path, status_code=303)
    flash(response, request, path, message, undo=undo)
    return response


# --- what is edited ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One fact to correct: its kind, ids, the fact as the interchange document writes it, how
    it is named in words, its URL and the page it is shown on."""

    kind: str
    ids: tuple[str, ...]
    opp: Opportunity | None
    current: Json
    label: str
    url: str
    back: str

    @property
    def prefix(self) -> str:
        """What keeps this form's element ids apart from the others' on the same page."""
        return "-".join(("edit", self.kind, *self.ids)) + "-"


def target(state: WebState, kind: str, ids: tuple[str, ...]) -> Target:
    """The fact ``ids`` names, as it reads now (NotFound when it does not exist)."""
    facts = state.facts(state.now())
    if kind == "achievement":
        doc = dump_document(Facts(profile=facts.profile, achievements=facts.achievements))
        listed = cast(list[Json], doc.get("achievements", []))
        found = next((a for a in listed if a.get("id") == ids[0]), None)
        if found is None:
            raise NotFound(f"unknown achievement '{ids[0]}'", hint="the Record page lists them")
        return Target(
            kind, ids, None, found, f"achievement “{found['title']}”",
            f"/achievements/{ids[0]}", "/record/achievement",
        )  # fmt: skip
    opp = checks.opportunity(facts, ids[0])
    doc = dump_document(Facts(profile=facts.profile, opportunities=(opp,)))
    whole = cast(list[Json], doc["opportunities"])[0]
    back = f"/opportunities/{opp.id}"
    if kind == "opportunity":
        current = {k: v for k, v in whole.items() if k not in SEGMENTS}
        return Target(kind, ids, opp, current, f"{opp.company} — {opp.role}", back, back)
    segment = SEGMENT_OF[kind]
    item = next((i for i in whole.get(segment, []) if i.get("id") == ids[1]), None)
    if item is None:
        raise NotFound(
            f"unknown {kind} '{ids[1]}' in opportunity '{opp.id}'",
            hint="the opportunity's page lists what it holds",
        )
    label = f"{kind} '{ids[1]}'" + (f" ({item['name']})" if kind == "person" else "")
    return Target(kind, ids, opp, item, label, f"{back}/{segment}/{ids[1]}", back)


def _kind_of(segment: str) -> str:
    kind = SEGMENTS.get(segment)
    if kind is None:
        raise NotFound(f"unknown kind '{segment}'", hint="the opportunity's page lists its facts")
    return kind


# --- the form's values, and the merge patch a submission makes -----------------------------------


def values_of(target: Target, fields: list[Field]) -> Values:
    """The form's values for the fact as it reads now (what an untouched form sends back)."""
    fact, out = target.current, {}
    for f in fields:
        out[f.name] = _value(f, fact)
    return out


def _value(f: Field, fact: Json) -> Any:
    name = f.name
    if name.startswith("decision_"):
        raw = (fact.get("decision") or {}).get(name.removeprefix("decision_"))
    elif name.startswith("next_step_"):
        raw = (fact.get("next_step") or {}).get(name.removeprefix("next_step_"))
    elif name.startswith("notes_"):
        raw = (fact.get("notes") or {}).get(name.removeprefix("notes_"))
    elif name == "has_vote":
        raw = fact.get("has_vote", True)
    else:
        raw = fact.get(name)
    if f.kind == "checkbox":
        return "on" if raw else ""
    if f.kind == "checkboxes":
        return [str(v) for v in raw or []]
    if raw is None:  # a list without a blank sends its first option
        blank = any(v == "" for v, _ in f.options)
        return f.options[0][0] if f.kind == "select" and f.options and not blank else ""
    if isinstance(raw, list):
        return ("\n" if name == "topics" else ", ").join(str(v) for v in raw)
    if name in _TIMES or name in ("next_step_when", "decision_expected_by"):
        return _local(str(raw))
    return str(raw)


def _local(text: str) -> str:
    """A moment as the profile's clock shows it, without its offset (a day stays a day)."""
    when = iso_when(text)
    if not isinstance(when, datetime):
        return text
    return when.strftime("%Y-%m-%dT%H:%M:%S" if when.second else "%Y-%m-%dT%H:%M")


def _sent(f: Field, form: FormReader) -> Any:
    """What the form sent for ``f``, in the shape of ``_value``."""
    if f.kind == "checkbox":
        return "on" if form.flag(f.name) else ""
    if f.kind == "checkboxes":
        return form.many(f.name)
    return form.text(f.name) or ""


def patch_of(kind: str, fields: list[Field], form: FormReader, before: Values) -> Json:
    """The merge patch of the fields changed from ``before`` (problems found here go in
    ``form.errors``): an emptied field clears it, a day or a time is passed as typed."""
    changed = {f.name for f in fields if _differs(_sent(f, form), before.get(f.name, ""))}
    patch: Json = {}
    for f in fields:
        if f.name not in changed or f.name.startswith(("decision_", "next_step_", "notes_")):
            continue
        if f.kind == "checkbox":
            patch[f.name] = form.flag(f.name)
        elif f.kind == "checkboxes":
            patch[f.name] = form.many(f.name)
            if f.required and not patch[f.name]:
                form.fail(f.name, "Tick at least one person you met.")
        elif f.kind == "number":
            patch[f.name] = form.number(f.name, required=f.required)
        elif f.name == "tags":
            tags = [t.strip() for t in (form.text("tags") or "").split(",") if t.strip()]
            patch["tags"] = tags or None
        elif f.name == "topics":  # one per line: a topic may hold a comma
            lines = [t.strip() for t in (form.text("topics") or "").splitlines() if t.strip()]
            patch["topics"] = lines or None
        else:
            value = form.text(f.name, required=f.required)
            patch[f.name] = value.upper() if value and f.name == "country" else value
    names = [f.name for f in fields]
    if changed & {"decision_expected_by", "decision_process"}:
        expected, process = form.text("decision_expected_by"), form.text("decision_process")
        patch["decision"] = (
            {"expected_by": expected, "process": process} if expected or process else None
        )
    if any(n.startswith("next_step_") for n in changed):
        patch["next_step"] = _next_step(form)
    notes = [n for n in names if n.startswith("notes_")]
    if changed & set(notes):
        written = {n.removeprefix("notes_"): form.text(n) for n in notes}
        patch["notes"] = written if any(written.values()) else None
    if kind == "touch" and "states_date" in patch and patch["states_date"] is None:
        patch["acts"] = None  # who acts on a date goes with the date
    return patch


def _differs(sent: Any, before: Any) -> bool:
    if isinstance(sent, list) or isinstance(before, list):
        return sorted(sent or []) != sorted(before or [])
    return str(sent).strip() != str(before).strip()


def _next_step(form: FormReader) -> Json | None:
    what, when = form.text("next_step_what"), form.text("next_step_when")
    who, channel = form.text("next_step_who"), form.text("next_step_channel")
    if not (what or when or who or channel):
        return None
    if not what:
        form.fail("next_step_what", "Say what the next step is.")
    if not when:
        form.fail("next_step_when", "Say when the next step is.")
    return {
        "what": what,
        "when": when,
        "who": who,
        "channel": channel,
        "acts": form.text("next_step_acts"),
    }


# --- the routes ---------------------------------------------------------------------------------


def _state(request: Request) -> WebState:
    state: WebState = web_state(request)
    return state


def _form(
    request: Request,
    target: Target,
    values: Values,
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    """The edit form: alone when htmx loads it into the page, else as a page of its own."""
    fields = edit_fields(target.kind, target.opp)
    context = {
        "title": f"Edit {target.label}",  # the label names the kind: "person 'sam' (Sam Okafor)"
        "target": target,
        "opp": target.opp,
        "fields": fields,
        "values": values,
        "errors": errors,
        "general": errors.get(GENERAL),
        "action": f"{target.url}/edit",
    }
    if is_htmx(request) and not errors:
        context["prefix"] = target.prefix
        return page(request, "partials/edit_form.html", context, status_code=status_code)
    return page(request, "edit.html", context, status_code=status_code)


def _show(request: Request, kind: str, ids: tuple[str, ...]) -> Response:
    found = target(_state(request), kind, ids)
    return _form(request, found, values_of(found, edit_fields(kind, found.opp)), {})


async def _save(request: Request, kind: str, ids: tuple[str, ...]) -> Response:
    from starlette.concurrency import run_in_threadpool

    data = await request.form()
    return await run_in_threadpool(_saved, request, kind, ids, data)


def _saved(request: Request, kind: str, ids: tuple[str, ...], data: Any) -> Response:
    state = _state(request)
    found = target(state, kind, ids)
    fields = edit_fields(kind, found.opp)
    form = FormReader(data, state.tz(state.now()))
    patch = patch_of(kind, fields, form, values_of(found, fields))
    if not form.errors:
        if not patch:
            return _back(request, found.back, f"Nothing changed in {found.label}.", undo=False)
        try:
            editing.edit(state.workspace, kind, list(ids), patch)
        except (InvalidInput, UsageError, NotFound) as exc:  # each problem by its field
            assign(exc, form.errors, {f.name for f in fields})
        else:
            again = target(state, kind, ids)
            return _back(request, found.back, f"Saved {again.label}.")
    values = form.values()
    values.pop("csrf_token", None)
    return _form(request, found, values, form.errors, 422)


async def _remove(request: Request, kind: str, ids: tuple[str, ...]) -> Response:
    from starlette.concurrency import run_in_threadpool

    data = await request.form()
    cascade = data.get("cascade") in ("on", "true", "1", "yes")
    return await run_in_threadpool(_removed, request, kind, ids, cascade)


def _removed(request: Request, kind: str, ids: tuple[str, ...], cascade: bool) -> Response:
    state = _state(request)
    found = target(state, kind, ids)
    try:
        gone = editing.remove(state.workspace, kind, list(ids), cascade=cascade)
    except Dependents as exc:
        context = {
            "title": f"Delete {found.label}?",
            "target": found,
            "message": sentence(exc.message),
            "dependents": exc.dependents,
            "hint": sentence(exc.hint_for("form")),
            "action": f"{found.url}/remove",
        }
        return page(request, "remove.html", context, status_code=409)
    back = "/removed" if kind == "opportunity" else found.back
    return _back(request, back, "Removed " + "; ".join(gone) + ".")


@router.get("/opportunities/{opp_id}/edit", name="edit_opportunity")
def edit_opportunity_form(request: Request, opp_id: str) -> Response:
    return _show(request, "opportunity", (opp_id,))


@router.post("/opportunities/{opp_id}/edit", name="edit_opportunity_save")
async def edit_opportunity(request: Request, opp_id: str) -> Response:
    return await _save(request, "opportunity", (opp_id,))


@router.post("/opportunities/{opp_id}/remove", name="remove_opportunity")
async def remove_opportunity(request: Request, opp_id: str) -> Response:
    return await _remove(request, "opportunity", (opp_id,))


@router.get("/opportunities/{opp_id}/{segment}/{item_id}/edit", name="edit_item")
def edit_item_form(request: Request, opp_id: str, segment: str, item_id: str) -> Response:
    return _show(request, _kind_of(segment), (opp_id, item_id))


@router.post("/opportunities/{opp_id}/{segment}/{item_id}/edit", name="edit_item_save")
async def edit_item(request: Request, opp_id: str, segment: str, item_id: str) -> Response:
    return await _save(request, _kind_of(segment), (opp_id, item_id))


@router.post("/opportunities/{opp_id}/{segment}/{item_id}/remove", name="remove_item")
async def remove_item(request: Request, opp_id: str, segment: str, item_id: str) -> Response:
    return await _remove(request, _kind_of(segment), (opp_id, item_id))


@router.get("/achievements/{item_id}/edit", name="edit_achievement")
def edit_achievement_form(request: Request, item_id: str) -> Response:
    return _show(request, "achievement", (item_id,))


@router.post("/achievements/{item_id}/edit", name="edit_achievement_save")
async def edit_achievement(request: Request, item_id: str) -> Response:
    return await _save(request, "achievement", (item_id,))


@router.post("/achievements/{item_id}/remove", name="remove_achievement")
async def remove_achievement(request: Request, item_id: str) -> Response:
    return await _remove(request, "achievement", (item_id,))


@router.get("/removed", name="removed")
def removed(request: Request) -> Response:
    """Where a removed opportunity leaves you: what went, with Undo."""
    message = take_flash(request)
    response = page(request, "removed.html", {"title": "Removed", "flash": message})
    return shown(response, request, message)
