"""Requests that used to answer 500 (the hardening issue's item 9): each is a 4xx with a clear
message now, and writes nothing. Bodies have a documented limit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from followup.web.app import create_app
from followup.web.limits import MAX_BODY
from followup.web.settings import WebSettings
from test_web import NOW, token


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = WebSettings(f"sqlite:///{tmp_path / 'l.db'}", clock=lambda: NOW)
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        c.get("/")
        c.post("/demo", data={"csrf_token": token(c)})
        yield c


def _export(client: TestClient) -> str:
    return client.get("/export.json").text


def _json(client: TestClient, method: str, url: str, body: bytes) -> httpx.Response:
    response = client.request(
        method, url, content=body, headers={"content-type": "application/json"}
    )
    assert 400 <= response.status_code < 500, (url, response.status_code, response.text[:200])
    return response


def test_absurd_values_are_refused_with_their_field(client: TestClient) -> None:
    before = _export(client)
    rank = client.post(
        "/api/opportunities", json={"id": "z", "company": "Z", "role": "R", "rank": 10**30}
    )
    assert rank.status_code == 400 and rank.json()["problems"][0]["path"] == "opportunity.rank"
    nan = _json(
        client, "POST", "/api/opportunities", b'{"id":"n","company":"N","role":"R","rank":NaN}'
    )
    assert nan.status_code == 422 and nan.json()["problems"][0]["path"] == "rank"
    target = client.patch("/api/profile", json={"weekly_target": 10**30})
    assert target.status_code == 400 and "profile.weekly_target" in target.json()["error"]
    crlf = client.post(
        "/api/opportunities/brightline/people",
        json={"id": "q", "name": "Q", "role": "hr", "email": "a@b.example\r\nBcc: x@y.example"},
    )
    assert crlf.status_code == 400 and crlf.json()["problems"][0]["path"] == "person.email"
    edge = client.post(
        "/api/opportunities/brightline/touches",
        json={"at": "1900-01-01T00:30:00+01:00", "person": "dana", "channel": "email",
              "direction": "in", "kind": "other"},
    )  # fmt: skip
    assert edge.status_code == 400 and "too close to the edge" in edge.json()["error"]
    assert _export(client) == before


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00"])
def test_a_plan_as_of_the_end_of_time_is_refused(client: TestClient, moment: str) -> None:
    response = client.get("/api/plan", params={"as_of": moment})
    assert response.status_code == 400
    assert response.json()["problems"][0]["path"] == "as_of"
    assert "outside the years" in response.json()["error"]


def test_odd_calendar_tokens_are_not_found(client: TestClient) -> None:
    for token_ in ("%C3%A9", "%00", "x" * 300):
        assert client.get(f"/calendar/{token_}.ics").status_code == 404


def test_deep_json_is_refused_everywhere(client: TestClient) -> None:
    before = _export(client)
    deep = b"[" * 100_000 + b"]" * 100_000
    assert _json(client, "POST", "/api/opportunities", deep).status_code in (400, 422)
    nested = ('{"decision":' + '{"a":' * 500 + "1" + "}" * 501).encode()
    patched = _json(client, "PATCH", "/api/opportunities/brightline", nested)
    assert patched.status_code in (400, 422)
    files = {"file": ("deep.json", deep, "application/json")}
    page = client.post("/import", data={"csrf_token": token(client), "force": "on"}, files=files)
    assert page.status_code == 422 and "nest too deeply" in page.text
    assert _export(client) == before


def test_bodies_over_the_limit_are_refused_before_they_are_read(client: TestClient) -> None:
    before = _export(client)
    huge = json.dumps({"id": "h", "company": "x" * (MAX_BODY + 10), "role": "R"}).encode()
    response = _json(client, "POST", "/api/opportunities", huge)
    assert response.status_code == 413
    assert "larger than 2 MB" in response.json()["error"]
    long_name = client.post(
        "/api/opportunities", json={"id": "l", "company": "x" * 200_000, "role": "R"}
    )
    assert long_name.status_code == 400 and "at most 100,000" in long_name.json()["error"]
    assert _export(client) == before
