"""Schemathesis over the JSON API's OpenAPI description: whatever a client sends that the
description allows — and much that it does not — no answer is a server error (5xx).

The number of examples per operation is Hypothesis's profile: short in CI (``ci``, the
default here), long with `make fuzz` (``HYPOTHESIS_PROFILE=fuzz``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from fastapi.testclient import TestClient
from schemathesis.checks import not_a_server_error

from followup.web.app import create_app
from followup.web.settings import WebSettings
from test_web import NOW, token

_FOLDER = Path(tempfile.mkdtemp(prefix="followup-fuzz-"))
APP = create_app(WebSettings(f"sqlite:///{_FOLDER / 'fuzz.db'}", clock=lambda: NOW))
with TestClient(APP) as _client:  # the demo's facts, so that ids in paths can name something
    _client.get("/")
    _client.post("/demo", data={"csrf_token": token(_client)})

schema = schemathesis.openapi.from_asgi("/api/openapi.json", APP)


@schema.parametrize()
def test_no_request_makes_a_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error])
