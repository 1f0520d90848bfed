"""The JSON API, through its OpenAPI description: every documented operation is called and
answers with a documented status; writes refuse anything but JSON; errors are JSON too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from test_web import THANK_DANA, make_client

#: (method, path template) -> (concrete path, JSON body or None), for every documented operation.
CALLS: dict[tuple[str, str], tuple[str, Any]] = {
    ("get", "/api/opportunities"): ("/api/opportunities", None),
    ("get", "/api/opportunities/{opp_id}"): ("/api/opportunities/brightline", None),
    ("post", "/api/opportunities"): (
        "/api/opportunities",
        {"id": "kite", "company": "Kite Labs", "role": "PM", "rank": 5,
         "decision": {"expected_by": "2026-12-10"}},
    ),
    ("post", "/api/opportunities/{opp_id}/people"): (
        "/api/opportunities/kite/people",
        {"id": "lee", "name": "Lee Park", "role": "hiring-manager", "email": "lee@kite.example"},
    ),
    ("post", "/api/opportunities/{opp_id}/interviews"): (
        "/api/opportunities/kite/interviews",
        {"id": "i1", "at": "2026-11-24T09:00:00-05:00", "with": ["lee"],
         "notes": {"lee": "Routing at scale"}},
    ),
    ("post", "/api/opportunities/{opp_id}/touches"): (
        "/api/opportunities/kite/touches",
        {"at": "2026-11-24T11:00:00-05:00", "person": "lee", "channel": "email",
         "direction": "in", "kind": "other", "states_date": "2026-12-01"},
    ),
    ("post", "/api/opportunities/{opp_id}/offers"): (
        "/api/opportunities/kite/offers",
        {"id": "o1", "received": "2026-11-24", "expires": "2026-12-04T17:00:00-05:00"},
    ),
    ("post", "/api/opportunities/{opp_id}/status"): (
        "/api/opportunities/cobalt/status", {"status": "withdrawn"},
    ),
    ("get", "/api/plan"): ("/api/plan?as_of=2026-11-26T12:00:00%2B00:00", None),
    ("post", "/api/actions/{action_id}/done"): (
        f"/api/actions/{THANK_DANA}/done", {"note": "Sent"},
    ),
    ("post", "/api/actions/{action_id}/skip"): (
        "/api/actions/value-add:brightline:dana:final-panel/skip", {},
    ),
    ("post", "/api/actions/{action_id}/reopen"): (
        "/api/actions/thank-you:brightline:elena:final-panel/reopen", {},
    ),
    ("post", "/api/actions/{action_id}/snooze"): (
        "/api/actions/continued-interest:northwind:sam:onsite/snooze",
        {"until": "2026-11-27T14:00:00+00:00"},
    ),
    ("post", "/api/actions/{action_id}/unskip"): (
        "/api/actions/continued-interest:northwind:sam:onsite/unskip", {},
    ),
    ("get", "/api/profile"): ("/api/profile", None),
    ("patch", "/api/profile"): ("/api/profile", {"weekly_target": 4}),
    ("patch", "/api/opportunities/{opp_id}"): ("/api/opportunities/kite", {"rank": 2}),
    ("patch", "/api/opportunities/{opp_id}/{segment}/{item_id}"): (
        "/api/opportunities/kite/people/lee", {"phone": "+1 212 555 0100", "key": True},
    ),
    ("delete", "/api/opportunities/{opp_id}/{segment}/{item_id}"): (
        "/api/opportunities/kite/touches/t1", None,
    ),
    ("patch", "/api/achievements/{item_id}"): (
        "/api/achievements/discharge-article", {"tags": ["routing"]},
    ),
    ("delete", "/api/achievements/{item_id}"): ("/api/achievements/discharge-article", None),
    ("get", "/api/history"): ("/api/history?limit=5", None),
    ("post", "/api/undo"): ("/api/undo", {}),  # the snooze just made, undone then redone
    ("post", "/api/redo"): ("/api/redo", {}),
}  # fmt: skip
#: Taking back: called last, after everything above is checked.
LAST_CALLS: dict[tuple[str, str], tuple[str, Any]] = {
    ("post", "/api/actions/{action_id}/undone"): (f"/api/actions/{THANK_DANA}/undone", {}),
    ("delete", "/api/opportunities/{opp_id}"): ("/api/opportunities/northwind?cascade=true", None),
}  # fmt: skip
#: The answers to offers, called after the plan above is checked: accepting one stops the rest.
OFFER_CALLS: dict[tuple[str, str], tuple[str, Any]] = {
    ("post", "/api/opportunities/{opp_id}/offers/{offer_id}/extend"): (
        "/api/opportunities/kite/offers/o1/extend", {"expires": "2026-12-08"},
    ),
    ("post", "/api/opportunities/{opp_id}/offers/{offer_id}/decline"): (
        "/api/opportunities/cobalt/offers/offer/decline", {},
    ),
    ("post", "/api/opportunities/{opp_id}/offers/{offer_id}/accept"): (
        "/api/opportunities/kite/offers/o1/accept", {"at": "2026-11-24T10:30:00-05:00"},
    ),
}  # fmt: skip


@pytest.fixture
def api(db_url: str) -> Iterator[TestClient]:
    with make_client(db_url, demo=True) as client:
        yield client


@pytest.fixture
def sqlite_api(tmp_path: Path) -> Iterator[TestClient]:
    with make_client(f"sqlite:///{tmp_path / 'api.db'}", demo=True) as client:
        yield client


def test_every_documented_operation_answers_as_documented(api: TestClient) -> None:
    schema = api.get("/api/openapi.json").json()
    documented = {
        (method, path): operation
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    }
    assert set(documented) == set(CALLS) | set(OFFER_CALLS) | set(LAST_CALLS)

    def call_all(calls: dict[tuple[str, str], tuple[str, Any]]) -> None:
        for key, (url, body) in calls.items():  # in order: later calls use earlier writes
            method, _ = key
            response = api.request(method.upper(), url, json=body)
            assert str(response.status_code) in documented[key]["responses"], (key, response.text)
            assert response.status_code < 300, (key, response.text)

    call_all(CALLS)
    kite = api.get("/api/opportunities/kite").json()
    assert kite["people"][0]["id"] == "lee" and kite["interviews"][0]["notes"]["lee"]
    assert kite["people"][0]["phone"] == "+12125550100" and kite["rank"] == 2
    assert "touches" not in kite  # its one touch was removed
    assert api.get("/api/profile").json()["weekly_target"] == 4
    assert kite["offers"][0]["expires"].startswith("2026-12-04T17:00")
    plan = {a["id"]: a for a in api.get("/api/plan").json()}
    assert plan[THANK_DANA]["status"] == "done"
    assert plan["value-add:brightline:dana:final-panel"]["status"] == "skipped"
    # snoozed, then unskipped (undone and redone): planned as the playbook says again
    assert plan["continued-interest:northwind:sam:onsite"]["status"] in ("upcoming", "due")
    assert not any(a["opportunity"] == "cobalt" and a["status"] == "due" for a in plan.values())
    call_all(OFFER_CALLS)
    kite = api.get("/api/opportunities/kite").json()
    assert (kite["status"], kite["offers"][0]["expires"]) == ("accepted", "2026-12-08")
    cobalt = api.get("/api/opportunities/cobalt").json()
    assert cobalt["offers"][0]["decision"] == "declined"
    open_ = ("upcoming", "due", "overdue", "missed")
    still = {a["id"] for a in api.get("/api/plan").json() if a["status"] in open_}
    others = {a for a in still if a.split(":")[1] in ("brightline", "northwind")}
    assert others == {
        "withdrawal:brightline:marcus:kite.o1",
        "withdrawal:northwind:jordan:kite.o1",
    }
    call_all(LAST_CALLS)
    touches = api.get("/api/opportunities/brightline").json()["touches"]
    assert all(t.get("completes", {}).get("action") != THANK_DANA for t in touches)
    assert api.get("/api/opportunities/northwind").status_code == 404
    assert not any(a["opportunity"] == "northwind" for a in api.get("/api/plan").json())


def test_plan_as_of_and_for_one_opportunity(sqlite_api: TestClient) -> None:
    later = sqlite_api.get(
        "/api/plan", params={"as_of": "2026-12-20T12:00:00+00:00", "opportunity": "northwind"}
    ).json()
    assert later and {a["opportunity"] for a in later} == {"northwind"}
    keys = {"id", "rule", "opportunity", "person", "channel", "window_start", "window_end",
            "status", "reason"}  # fmt: skip
    assert all(keys <= set(a) for a in later)
    now = sqlite_api.get("/api/plan", params={"opportunity": "northwind"}).json()
    assert {a["status"] for a in now} != {a["status"] for a in later}


def test_writes_must_be_json(sqlite_api: TestClient) -> None:
    """A form posted by another site cannot reach the API."""
    response = sqlite_api.post(f"/api/actions/{THANK_DANA}/skip", data={"x": "1"})
    assert response.status_code == 415
    assert response.json()["error"] == "send the request body as application/json"
    plan = {a["id"]: a["status"] for a in sqlite_api.get("/api/plan").json()}
    assert plan[THANK_DANA] != "skipped"


def test_errors_are_json_with_a_message(sqlite_api: TestClient) -> None:
    missing = sqlite_api.post("/api/actions/nothing:here/skip", json={})
    assert missing.status_code == 404 and missing.json()["error"] == "unknown action 'nothing:here'"
    duplicate = sqlite_api.post(
        "/api/opportunities", json={"id": "brightline", "company": "B", "role": "R"}
    )
    assert duplicate.status_code == 409
    bad = sqlite_api.post(
        "/api/opportunities/brightline/people", json={"id": "x", "name": "", "timezone": "Nope/No"}
    )
    assert bad.status_code == 400
    assert "person.name" in bad.json()["error"] and "person.timezone" in bad.json()["error"]
    unknown_field = sqlite_api.post(
        "/api/opportunities", json={"id": "z", "company": "Z", "role": "R", "salary": 1}
    )
    assert unknown_field.status_code == 422
    naive = sqlite_api.get("/api/plan", params={"as_of": "2026-12-20T12:00"})
    assert naive.status_code == 400 and "offset" in naive.json()["error"]
    assert len(sqlite_api.get("/api/opportunities").json()) == 3


def test_corrections_say_what_and_where(sqlite_api: TestClient) -> None:
    bad = sqlite_api.patch("/api/opportunities/brightline/people/dana", json={"email": "nope"})
    assert bad.status_code == 400
    assert [p["path"] for p in bad.json()["problems"]] == ["person.email"]
    fixed = sqlite_api.patch(
        "/api/opportunities/brightline/people/dana",
        content=b'{"email": "Dana@Brightline.Example", "timezone": null}',
        headers={"content-type": "application/merge-patch+json"},
    )
    assert fixed.status_code == 200 and fixed.json()["email"] == "Dana@brightline.example"
    refused = sqlite_api.delete("/api/opportunities/brightline/people/dana")
    assert refused.status_code == 409
    assert "cascade=true" in refused.json()["hint"]
    assert {"path": "", "message": "interview 'screen'"} in refused.json()["problems"]
    unknown = sqlite_api.patch("/api/opportunities/brightline/pets/rex", json={"name": "x"})
    assert unknown.status_code == 404 and "pets" in unknown.json()["error"]
    fixed_id = sqlite_api.patch("/api/opportunities/brightline", json={"id": "other"})
    assert fixed_id.status_code == 400 and "ids never change" in fixed_id.json()["error"]
    not_object = sqlite_api.patch("/api/opportunities/brightline", json=["rank", 1])
    assert not_object.status_code == 422
    people = sqlite_api.get("/api/opportunities/brightline").json()["people"]
    assert any(p["id"] == "dana" for p in people)


def test_statuses_follow_the_clock_between_rebuilds(tmp_path: Path) -> None:
    """The plan served as of now (actions built once, statuses brought up to the moment) equals
    the plan computed afresh for that moment, as time passes windows' edges."""
    from datetime import timedelta

    from fastapi.testclient import TestClient

    from followup.web.app import create_app
    from followup.web.settings import WebSettings
    from test_web import NOW, token

    clock = [NOW]
    app = create_app(WebSettings(f"sqlite:///{tmp_path / 'clock.db'}", clock=lambda: clock[0]))
    with TestClient(app) as client:
        client.get("/")
        client.post("/demo", data={"csrf_token": token(client)})
        snooze = "counter-offer:brightline:dana:cobalt.offer"
        until = (NOW + timedelta(hours=20)).isoformat()
        client.post(f"/api/actions/{snooze}/snooze", json={"until": until})
        changed = 0
        previous = None
        for minutes in (0, 7, 14, 60 * 6, 60 * 19 + 59, 60 * 20, 60 * 30, 60 * 24 * 3):
            clock[0] = NOW + timedelta(minutes=minutes)
            served = client.get("/api/plan").json()
            fresh = client.get("/api/plan", params={"as_of": clock[0].isoformat()}).json()
            assert served == fresh, minutes
            statuses = {a["id"]: a["status"] for a in served}
            changed += previous is not None and statuses != previous
            previous = statuses
        assert changed >= 3  # the moments above do cross windows' edges and the snooze's end


def test_a_repeat_is_a_conflict_naming_what_it_repeats_until_new_is_sent(api: TestClient) -> None:
    northwind = api.get("/api/opportunities/northwind").json()
    sam = {"id": "sam2", "name": "sam OKAFOR", "role": "panel"}

    refused = api.post("/api/opportunities/northwind/people", json=sam)

    assert refused.status_code == 409
    assert refused.json() == {
        "error": "opportunity 'northwind' has Sam Okafor already, as person 'sam'",
        "hint": 'if this is another person, send "new": true to add it anyway',
        "problems": [
            {
                "path": "person.name",
                "message": "opportunity 'northwind' has Sam Okafor already, as person 'sam'",
                "existing": "sam",
            }
        ],
    }
    first = northwind["interviews"][0]
    interview = {"id": "again", "at": first["at"], "with": list(reversed(first["with"]))}
    again = api.post("/api/opportunities/northwind/interviews", json=interview)
    assert again.status_code == 409
    assert again.json()["problems"][0]["existing"] == first["id"]
    opportunity = {
        "id": "nw2",
        "company": f" {northwind['company'].lower()} ",
        "role": northwind["role"],
    }
    repeated = api.post("/api/opportunities", json=opportunity)
    assert repeated.status_code == 409
    assert repeated.json()["problems"][0] == {
        "path": "opportunity.company",
        "message": repeated.json()["error"],
        "existing": "northwind",
    }
    assert api.get("/api/opportunities/northwind").json() == northwind
    assert api.get("/api/opportunities/nw2").status_code == 404

    assert (
        api.post("/api/opportunities/northwind/people", json=sam | {"new": True}).status_code == 201
    )
    added = api.post("/api/opportunities/northwind/interviews", json=interview | {"new": True})
    assert added.status_code == 201
    assert api.post("/api/opportunities", json=opportunity | {"new": True}).status_code == 201
    now = api.get("/api/opportunities/northwind").json()
    assert [p["id"] for p in now["people"]][-1] == "sam2"
    assert [i["id"] for i in now["interviews"]][-1] == "again"


def test_contacts_are_checked_and_stored_normalised(api: TestClient) -> None:
    before = api.get("/api/opportunities/northwind").json()
    kim = {"id": "kim", "name": "Kim Park", "email": "kim@northwind", "phone": "555-01"}

    bad = api.post("/api/opportunities/northwind/people", json=kim)

    assert bad.status_code == 400
    assert [p["path"] for p in bad.json()["problems"]] == ["person.email", "person.phone"]
    assert "'555-01' is not a valid phone number" in bad.json()["problems"][1]["message"]
    assert api.get("/api/opportunities/northwind").json() == before
    good = kim | {"email": "Kim.Park@NorthWind.Example", "phone": "+1 (312) 555-0142"}
    assert api.post("/api/opportunities/northwind/people", json=good).status_code == 201
    stored = api.get("/api/opportunities/northwind").json()["people"][-1]
    assert (stored["email"], stored["phone"]) == ("Kim.Park@northwind.example", "+13125550142")
