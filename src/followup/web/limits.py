"""What a request may be: a bounded body, and a refused JSON body told in the API's own words.

``BodyLimit`` refuses a body larger than its limit with 413 before it is read whole (by its
``Content-Length``, or as it streams in without one): a 100 MB request must not reach a form
parser or ``json.loads``. ``on_invalid_request`` answers a body FastAPI could not validate as
``{"error", "hint", "problems": [{"path", "message"}]}`` like every other refusal, without
echoing the input (a ``NaN`` in it could not even be written back as JSON).
"""

from __future__ import annotations

import json
from typing import Final

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: the largest body of a form or an API call: a long message's text is a few kilobytes
MAX_BODY: Final = 2 * 1024 * 1024
#: the largest document `POST /import` or `/restore` takes (years of searching, with the
#: undo journal, is far smaller)
MAX_IMPORT: Final = 64 * 1024 * 1024
#: the routes that take a whole document
_DOCUMENTS: Final = frozenset({"/import", "/restore"})


def limit_for(path: str) -> int:
    return MAX_IMPORT if path in _DOCUMENTS else MAX_BODY


class BodyLimit:
    """ASGI middleware: 413 for a request body over ``limit_for(path)`` bytes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope.get("path", ""))
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(send, limit)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if not started:
                await _too_large(send, limit)


class _TooLarge(Exception):
    pass


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "error": f"the request body is larger than {limit // (1024 * 1024)} MB",
            "hint": "send less at once (an import takes a document of up to "
            f"{MAX_IMPORT // (1024 * 1024)} MB)",
            "problems": [],
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})


def on_invalid_request(request: Request, exc: Exception) -> JSONResponse:
    """A body or query the API's models refuse: 422, each problem at its path, no input echoed."""
    errors = list(exc.errors()) if isinstance(exc, RequestValidationError) else []
    problems = [
        {
            "path": ".".join(str(p) for p in e.get("loc", ())[1:]) or str(e.get("loc", [""])[0]),
            "message": str(e.get("msg", "is not valid")),
        }
        for e in errors[:50]
    ]
    first = problems[0] if problems else {"path": "", "message": "the request is not valid"}
    body = {
        "error": f"{first['path']}: {first['message']}" if first["path"] else first["message"],
        "hint": "see /api/docs for what each operation takes",
        "problems": problems,
    }
    return JSONResponse(body, status_code=422)
