"""Data: export and import the interchange document, and the playbook settings in effect.

Export is a download (a GET that changes nothing); import is a form upload, checked completely
before anything is replaced, with every problem listed by its place in the document.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from followup.core.playbook import settings
from followup.errors import FollowupError, InvalidDocument, UsageError
from followup.services import documents
from followup.web.render import page
from followup.web.state import WebState

router = APIRouter()


def _context(state: WebState) -> dict[str, object]:
    rows = settings(state.playbook.playbook)
    return {
        "title": "Data and settings",
        "settings": rows,
        "config_file": state.settings.config_file,
        "entered": {},
    }


@router.post("/playbook", name="playbook")
async def save_playbook(request: Request) -> Response:
    """Save the playbook settings; the plan follows them at once. Nothing is written when any
    value is wrong: the form comes back with the values as typed and every problem."""
    from followup.services.settings import save_playbook as save

    state: WebState = request.app.state.web
    form = await request.form()
    texts = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    config_file = state.settings.config_file
    if config_file is None:
        raise UsageError("this server has no config file to save settings to")
    try:
        save(config_file, texts)
    except InvalidDocument as exc:
        context = _context(state)
        context.update(entered=texts, playbook_message=exc.message, playbook_problems=exc.problems)
        return page(request, "data.html", context, status_code=422)
    state.reload_playbook()
    return RedirectResponse("/data?saved=1#playbook", status_code=303)


@router.get("/data", name="data")
def data_page(request: Request, saved: int = 0) -> Response:
    context = _context(request.app.state.web)
    if saved:
        context["saved"] = "Saved: the plan follows the new settings."
    return page(request, "data.html", context)


@router.get("/export.json", name="export")
def export(request: Request) -> Response:
    state: WebState = request.app.state.web
    text = documents.dumps(documents.export_document(state.workspace))
    day = state.now().date().isoformat()
    headers = {"Content-Disposition": f'attachment; filename="followup-{day}.json"'}
    return Response(text, media_type="application/json", headers=headers)


@router.post("/import", name="import")
async def import_(request: Request) -> Response:
    state: WebState = request.app.state.web
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
