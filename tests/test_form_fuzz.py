"""Every form of the web page, fuzzed: any text in any field (control characters, huge
numbers, dates at the ends of time, long strings) gets a page or a refusal, never a server
error. Short in CI, long with `make fuzz` (the Hypothesis profiles in conftest.py)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from followup.core.playbook import BOUNDS
from followup.web.app import create_app
from followup.web.pages.record_fields import fields_for
from followup.web.settings import WebSettings
from test_web import NOW, token

_FOLDER = Path(tempfile.mkdtemp(prefix="followup-form-fuzz-"))
CLIENT = TestClient(
    create_app(WebSettings(f"sqlite:///{_FOLDER / 'forms.db'}", clock=lambda: NOW)),
    raise_server_exceptions=False,
)
CLIENT.get("/")
CLIENT.post("/demo", data={"csrf_token": token(CLIENT)})
OPP = CLIENT.get("/api/opportunities/brightline").json()

#: what a person (or an attacker) may type into a field
values = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "", " ", "0", "-1", "1e400", "10" * 20, "NaN", "inf", "0001-01-01", "9999-12-31",
            "1899-12-31T23:59", "2026-02-30", "2026-11-29T25:61", "\x00", "\x1b]0;x\x07",
            "a@b.example\r\nBcc: x@y.example", "dana", "on", "true", "Europe/Nowhere", "ZZ",
            "é" * 3000,
        ]
    ),
)  # fmt: skip

KINDS = ("opportunity", "person", "interview", "touch", "offer", "achievement", "profile")


def _fields(kind: str) -> list[str]:
    from followup.core.interchange import parse_document

    facts, _ = parse_document(
        {"version": 2, "profile": {"name": "", "timezone": "UTC", "country": "US"},
         "opportunities": [OPP]}, stored=True,
    )  # fmt: skip
    assert facts is not None
    return [f.name for f in fields_for(kind, facts.opportunities[0])]


FIELDS = {kind: _fields(kind) for kind in KINDS}


@given(st.sampled_from(KINDS), st.data())
def test_record_forms_never_fail(kind: str, data: st.DataObject) -> None:
    form = {name: data.draw(values, label=name) for name in FIELDS[kind]}
    form["csrf_token"] = token(CLIENT)
    response = CLIENT.post(f"/record/{kind}?opportunity=brightline", data=form)
    assert response.status_code < 500, (kind, form, response.text[:300])


EDITED = [
    ("people/dana", "person"),
    ("interviews/screen", "interview"),
    ("touches/screen-call", "touch"),
]


@given(st.sampled_from(EDITED), st.data())
def test_edit_forms_never_fail(edited: tuple[str, str], data: st.DataObject) -> None:
    item, kind = edited
    form = {name: data.draw(values, label=name) for name in FIELDS[kind] if name != "id"}
    form["csrf_token"] = token(CLIENT)
    response = CLIENT.post(f"/opportunities/brightline/{item}/edit", data=form)
    assert response.status_code < 500, (item, form, response.text[:300])


@given(st.dictionaries(st.sampled_from(sorted(BOUNDS)), values, max_size=4))
def test_the_settings_form_never_fails(form: dict[str, str]) -> None:
    response = CLIENT.post("/playbook", data={**form, "csrf_token": token(CLIENT)})
    assert response.status_code < 500, (form, response.text[:300])
