"""Data: export and import the interchange document, and the playbook settings in effect.

Export is a download (a GET that changes nothing); import is a form upload, checked completely
before anything is replaced, with every problem listed by its place in the document.

The playbook settings are shown by ``LABELS`` (what a person calls them), each with its meaning
from ``core.playbook.HELP`` and its name in config.toml in small print; a wrong value's problem
shows next to its field, in the same words.
"""

from __future__ import annotations

import re
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from followup.core.playbook import HELP, settings
from followup.errors import FollowupError, InvalidDocument, UsageError
from followup.services import documents
from followup.web.render import page
from followup.web.state import WebState, web_state

router = APIRouter()

#: each playbook setting's label on the page, by its name in config.toml
LABELS: Final[dict[str, str]] = {
    "next_step_lead_days": "Next step: remind me (days before an interview)",
    "thank_you_hours": "Thank-you: due within (hours after an interview)",
    "value_add_start_days": "Value-add: opens (days after an interview)",
    "value_add_end_days": "Value-add: closes (days after an interview)",
    "phone_call_start_business_days": "Call: opens (working days after an interview)",
    "phone_call_end_days": "Call: closes (days after an interview)",
    "continued_interest_start_days": "Continued interest: opens (days after an interview)",
    "continued_interest_end_days": "Continued interest: closes (days after an interview)",
    "cycle_min_days": "Keeping in touch: no sooner than (days)",
    "cycle_max_days": "Keeping in touch: no later than (days)",
    "callback_window_hours": "Callback: time to act on a date they named (hours)",
    "still_in_running_after_days": "Still in the running: ask after (days of silence)",
    "still_in_running_window_days": "Still in the running: time to ask (days)",
    "counter_offer_hours": "Counter-offer: time they get to answer (hours)",
    "counter_offer_notice_hours": "Counter-offer: answer due before my offer expires (hours)",
    "set_apart_days": "Set apart: share a new achievement within (days)",
    "missed_after_days": "Missed after (working days past the window)",
    "offer_decide_days": "Offer: remind me before it expires (working days)",
    "withdrawal_days": "Withdrawing elsewhere after accepting (working days)",
    "weekly_target": "New applications per week",
    "thin_pipeline": "Warn when active opportunities are fewer than",
    "person_gap_days": "Days between touches to the same person",
    "call_min_business_days": "Call window: at least (working days)",
    "opportunity_max_touches": "Touches per opportunity in a window",
    "opportunity_window_days": "That window (days)",
    "business_hours_start": "Business hours start (their time)",
    "business_hours_end": "Business hours end (their time)",
    "working_days": "Working days (0 = Monday … 6 = Sunday)",
    "candidate_day_start": "My day starts (hour, my time)",
    "candidate_day_end": "My day ends (hour, my time)",
    "call_overlap_hours": "Call window overlap with my day (hours)",
    "cycle_channels": "Keeping in touch: channels, in turn",
}
_NAMED: Final = re.compile(r"\b(?:playbook\.)?([a-z]+(?:_[a-z]+)+)\b")


def label(name: str) -> str:
    """A setting's label; one this page does not know yet, from its name ("Foo bar days")."""
    found = LABELS.get(name)
    return found if found is not None else name.replace("_", " ").capitalize()


def in_words(problem: str) -> tuple[str | None, str]:
    """A problem of the settings as the page says it beside the first setting it names: (that
    setting, the message without its name and with any other setting's name as its label)."""
    names = [m.group(1) for m in _NAMED.finditer(problem) if m.group(1) in HELP]
    first = names[0] if names else None
    text = problem
    if first is not None:  # beside its field, the message need not name it
        text = re.sub(rf"^(?:playbook\.)?{first}:?\s*", "", text)
    text = _NAMED.sub(lambda m: f"“{label(m.group(1))}”" if m.group(1) in HELP else m[0], text)
    text = text[:1].upper() + text[1:]
    return first, text if text.endswith(".") else text + "."


def _context(state: WebState) -> dict[str, object]:
    rows = [
        {"name": name, "label": label(name), "value": value, "default": default, "help": help_}
        for name, value, default, help_ in settings(state.playbook.playbook)
    ]
    return {
        "title": "Data and settings",
        "settings": rows,
        "config_file": state.settings.config_file,
        "entered": {},
        "setting_errors": {},
    }


@router.post("/playbook", name="playbook")
async def save_playbook(request: Request) -> Response:
    """Save the playbook settings; the plan follows them at once. Nothing is written when any
    value is wrong: the form comes back with the values as typed and every problem."""
    from followup.services.settings import save_playbook as save

    state: WebState = web_state(request)
    form = await request.form()
    texts = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    config_file = state.settings.config_file
    if config_file is None:
        raise UsageError("this server has no config file to save settings to")
    try:
        save(config_file, texts)
    except InvalidDocument as exc:
        context = _context(state)
        errors: dict[str, str] = {}
        general: list[str] = []
        for problem in exc.problems:
            name, words = in_words(problem)
            if name is not None and name not in errors:
                errors[name] = words
            else:
                general.append(words)
        message = exc.message[:1].upper() + exc.message[1:] + ":"
        context.update(
            entered=texts,
            playbook_message=message,
            playbook_problems=general,
            setting_errors=errors,
            raw_problems=exc.problems,
        )
        return page(request, "data.html", context, status_code=422)
    state.reload_playbook()
    return RedirectResponse("/data?saved=1#playbook", status_code=303)


@router.get("/data", name="data")
def data_page(request: Request, saved: int = 0) -> Response:
    context = _context(web_state(request))
    if saved:
        context["saved"] = "Saved: the plan follows the new settings."
    return page(request, "data.html", context)


@router.get("/export.json", name="export")
def export(request: Request) -> Response:
    state: WebState = web_state(request)
    text = documents.dumps(documents.export_document(state.workspace))
    day = state.now().date().isoformat()
    headers = {"Content-Disposition": f'attachment; filename="followup-{day}.json"'}
    return Response(text, media_type="application/json", headers=headers)


@router.get("/backup.json", name="backup")
def backup(request: Request) -> Response:
    """Everything, not only the facts (`followup backup`): read in one transaction."""
    from followup.services import backup as backups

    state: WebState = web_state(request)
    now = state.now()
    taken = backups.take(state.workspace, now=now, config_file=state.settings.config_file)
    name = f"followup-backup-{now.date().isoformat()}.json"
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store",  # it holds password and token hashes, and mail
    }
    return Response(backups.dumps(taken), media_type="application/json", headers=headers)


@router.post("/restore", name="restore")
async def restore(request: Request) -> Response:
    """Replace everything by a backup: checked whole first, written in one transaction."""
    from starlette.concurrency import run_in_threadpool

    from followup.services import backup as backups

    state: WebState = web_state(request)
    form = await request.form()
    try:
        upload = form.get("file")
        if upload is None or isinstance(upload, str) or not upload.filename:
            message, problems = "Choose a backup file to restore.", list[str]()
        else:
            raw = await upload.read()
            try:
                checked = backups.check(backups.read_json(raw.decode("utf-8"), upload.filename))
                await run_in_threadpool(
                    backups.restore,
                    state.workspace,
                    checked,
                    config_file=state.settings.config_file,
                    force=form.get("force") == "on",
                )
            except UnicodeDecodeError:
                message, problems = f"{upload.filename} is not a UTF-8 text file.", []
            except InvalidDocument as exc:
                message, problems = exc.message, exc.problems
            except FollowupError as exc:
                message, problems = exc.message + (f" ({exc.hint})" if exc.hint else ""), []
            else:
                state.reload_playbook()
                return RedirectResponse("/", status_code=303)
    finally:
        await form.close()
    context = {**_context(state), "restore_error": message, "restore_problems": problems}
    return page(request, "data.html", context, status_code=422)


@router.post("/import", name="import")
async def import_(request: Request) -> Response:
    state: WebState = web_state(request)
    form = await request.form()
    try:
        return await _import(request, state, form)
    finally:
        await form.close()  # the uploaded file's temporary storage


async def _import(request: Request, state: WebState, form: FormData) -> Response:
    from starlette.concurrency import run_in_threadpool

    upload = form.get("file")
    force = form.get("force") == "on"
    problems: list[str] = []
    message = None
    if upload is None or isinstance(upload, str) or not upload.filename:
        message = "Choose a file to import."
    else:
        raw = await upload.read()
        try:
            text = raw.decode("utf-8")
            obj = documents.read_json(text, upload.filename)
            await run_in_threadpool(
                documents.import_document,
                state.workspace,
                obj,
                now=state.now(),
                force=force,
                source=upload.filename,
            )
        except UnicodeDecodeError:
            message = f"{upload.filename} is not a UTF-8 text file."
        except InvalidDocument as exc:
            message, problems = exc.message, exc.problems
        except FollowupError as exc:  # e.g. the database already has opportunities
            message = exc.message + (f" ({exc.hint})" if exc.hint else "")
        else:
            return RedirectResponse("/", status_code=303)
    context = {**_context(state), "import_error": message, "problems": problems}
    return page(request, "data.html", context, status_code=422)
