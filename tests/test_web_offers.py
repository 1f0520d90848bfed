"""Outcomes and offers on the web page: the touch form's outcome, and the offer buttons of an
opportunity (extend, accept, decline), on the demo search (Cobalt Pay's offer is held)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from test_web import make_client, token


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with make_client(f"sqlite:///{tmp_path / 'web.db'}", demo=True) as client:
        yield client


def _opp(client: TestClient, opp_id: str) -> dict[str, Any]:
    found: dict[str, Any] = client.get(f"/api/opportunities/{opp_id}").json()
    return found


def _open(client: TestClient) -> set[str]:
    plan = client.get("/api/plan").json()
    return {a["id"] for a in plan if a["status"] in ("upcoming", "due", "overdue", "missed")}


def _touch(client: TestClient, opp_id: str, **fields: str) -> Any:
    data = {
        "csrf_token": token(client),
        "at": "2026-11-24T09:30",
        "direction": "in",
        "channel": "phone",
        "kind": "other",
        **fields,
    }
    return client.post(f"/record/touch?opportunity={opp_id}", data=data, follow_redirects=False)


def test_the_touch_form_records_an_offer_with_its_expiry(client: TestClient) -> None:
    form = client.get("/record/touch?opportunity=northwind")
    assert 'name="outcome"' in form.text and 'name="offer_expires"' in form.text

    saved = _touch(client, "northwind", person="sam", outcome="offer", offer_expires="2026-12-02")

    assert (saved.status_code, saved.headers["location"]) == (303, "/opportunities/northwind")
    northwind = _opp(client, "northwind")
    assert northwind["status"] == "offer"
    assert northwind["touches"][-1]["outcome"] == "offer"
    assert northwind["offers"] == [
        {"id": "o1", "received": "2026-11-24T09:30-05:00", "expires": "2026-12-02"}
    ]
    assert "decide-by:northwind:-:o1" in _open(client)


def test_the_touch_form_records_a_rejection(client: TestClient) -> None:
    assert any(a.split(":")[1] == "northwind" for a in _open(client))

    saved = _touch(client, "northwind", person="sam", outcome="rejected")

    assert saved.status_code == 303
    assert _opp(client, "northwind")["status"] == "rejected"
    assert not any(a.split(":")[1] == "northwind" for a in _open(client))


def test_problems_with_an_outcome_are_shown_by_their_field(client: TestClient) -> None:
    before = _opp(client, "cobalt")

    no_offer = _touch(client, "cobalt", person="luis", offer_expires="2026-12-09")
    held = _touch(client, "cobalt", person="luis", outcome="offer", offer_expires="2026-12-09")

    assert no_offer.status_code == 422
    assert no_offer.context["errors"] == {  # type: ignore[attr-defined]
        "offer_expires": "Only an offer expires: choose the outcome “an offer”."
    }
    assert held.status_code == 422
    errors = held.context["errors"]  # type: ignore[attr-defined]
    assert errors["offer_expires"].startswith("'cobalt' holds offer 'offer' already")
    assert _opp(client, "cobalt") == before


def test_the_opportunity_page_offers_its_buttons_and_the_plan_points_there(
    client: TestClient,
) -> None:
    page = client.get("/opportunities/cobalt")

    assert 'id="offers"' in page.text
    for verb in ("accept", "decline", "extend"):
        assert f'action="/opportunities/cobalt/offers/offer/{verb}"' in page.text
    # the reminder to decide is answered there, not marked done
    decide = page.text.split('data-action-id="decide-by:cobalt:-:offer"')[1].split("</li>")[0]
    assert 'href="/opportunities/cobalt#offers"' in decide
    assert "/actions/decide-by:cobalt:-:offer/done" not in decide


def test_extend_then_accept_with_the_buttons(client: TestClient) -> None:
    expires = _opp(client, "cobalt")["offers"][0]["expires"]
    later = "2026-12-31"
    assert expires < later

    extended = client.post(
        "/opportunities/cobalt/offers/offer/extend",
        data={"csrf_token": token(client), "expires": later},
        follow_redirects=False,
    )
    assert (extended.status_code, extended.headers["location"]) == (
        303,
        "/opportunities/cobalt#offers",
    )
    assert _opp(client, "cobalt")["offers"][0]["expires"] == later

    accepted = client.post(
        "/opportunities/cobalt/offers/offer/accept",
        data={"csrf_token": token(client)},
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    assert _opp(client, "cobalt")["status"] == "accepted"
    still = _open(client)
    assert {a.split(":")[0] for a in still} == {"withdrawal"}
    assert {a.split(":")[1] for a in still} == {"brightline", "northwind"}
    brightline = client.get("/opportunities/brightline").text
    assert "Withdraw from Brightline" in brightline
    assert "held" not in client.get("/opportunities/cobalt").text.split('id="offers"')[1][:2000]


def test_decline_with_the_button_takes_back_the_counter_offers(client: TestClient) -> None:
    assert any(a.startswith("counter-offer:") for a in _open(client))

    declined = client.post(
        "/opportunities/cobalt/offers/offer/decline",
        data={"csrf_token": token(client)},
        follow_redirects=False,
    )

    assert declined.status_code == 303
    cobalt = _opp(client, "cobalt")
    assert (cobalt["status"], cobalt["offers"][0]["decision"]) == ("active", "declined")
    assert not any(a.startswith("counter-offer:") for a in _open(client))


def test_a_bad_answer_shows_why_and_changes_nothing(client: TestClient) -> None:
    before = _opp(client, "cobalt")

    earlier = client.post(
        "/opportunities/cobalt/offers/offer/extend",
        data={"csrf_token": token(client), "expires": "2026-11-01"},
    )
    garbled = client.post(
        "/opportunities/cobalt/offers/offer/extend",
        data={"csrf_token": token(client), "expires": "next week"},
    )
    unknown = client.post(
        "/opportunities/cobalt/offers/o9/accept", data={"csrf_token": token(client)}
    )
    forged = client.post("/opportunities/cobalt/offers/offer/accept", data={})

    assert earlier.status_code == 400 and "is not later than the offer" in earlier.text
    assert garbled.status_code == 400 and "offer.expires" in garbled.text
    assert unknown.status_code == 404 and "unknown offer &#39;o9&#39;" in unknown.text
    assert forged.status_code == 403
    assert _opp(client, "cobalt") == before


def test_the_api_answers_offers_with_clear_errors(client: TestClient) -> None:
    naive = client.post(
        "/api/opportunities/cobalt/offers/offer/accept", json={"at": "2026-11-24T10:00"}
    )
    twice_ok = client.post("/api/opportunities/cobalt/offers/offer/decline", json={})
    twice = client.post("/api/opportunities/cobalt/offers/offer/accept", json={})
    touch = client.post(
        "/api/opportunities/northwind/touches",
        json={"at": "2026-11-24T09:30:00-05:00", "person": "sam", "channel": "email",
              "direction": "in", "kind": "other", "outcome": "rejected",
              "offer_expires": "2026-12-01"},
    )  # fmt: skip

    assert naive.status_code == 400 and "offset" in naive.json()["error"]
    assert twice_ok.json() == {
        "offer": "offer",
        "decision": "declined",
        "decided": "2026-11-24T15:00:00+00:00",
    }
    assert twice.status_code == 409
    assert twice.json()["error"].startswith("you declined offer 'offer' of 'cobalt'")
    assert touch.status_code == 400
    assert touch.json()["problems"] == [
        {"path": "touch.offer_expires", "message": "only an offer expires: give outcome offer too"}
    ]
    assert _opp(client, "northwind")["status"] == "active"
