"""Correcting the record on the pages: the Edit forms, the Delete buttons (with what depends on
a fact, and "remove those too"), Undo after each, and "Not done" after a done — on SQLite and
PostgreSQL, through the real app and database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from test_web import THANK_DANA, make_client, pending_ids, token


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    with make_client(db_url, demo=True) as client:
        yield client


def _opp(client: TestClient, opp_id: str) -> dict[str, Any]:
    response = client.get(f"/api/opportunities/{opp_id}")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def _item(client: TestClient, opp_id: str, segment: str, item_id: str) -> dict[str, Any] | None:
    return next((i for i in _opp(client, opp_id).get(segment, []) if i.get("id") == item_id), None)


def _form_values(client: TestClient, url: str) -> dict[str, Any]:
    """What the edit form at ``url`` sends when nothing is changed (as a browser sends it:
    an unticked box not at all)."""
    form = client.get(url)
    assert form.status_code == 200
    values = {k: v for k, v in form.context["values"].items() if v != ""}  # type: ignore[attr-defined]
    return {**values, "csrf_token": token(client)}


def _history_size(client: TestClient) -> int:
    return len(client.get("/api/history?limit=100").json())


DANA = "/opportunities/brightline/people/dana"


def test_the_opportunity_page_has_edit_and_delete_beside_each_fact(client: TestClient) -> None:
    page = client.get("/opportunities/brightline").text
    for url in (
        "/opportunities/brightline",
        DANA,
        "/opportunities/brightline/interviews/screen",
        "/opportunities/brightline/touches/screen-call",
    ):
        assert f'hx-get="{url}/edit"' in page and f'href="{url}/edit"' in page
        assert f'action="{url}/remove"' in page
    assert "Delete the person Dana Lee? You can undo it right after." in page
    offers = client.get("/opportunities/cobalt").text
    assert 'action="/opportunities/cobalt/offers/offer/remove"' in offers


def test_the_edit_form_is_filled_with_the_fact_and_loads_in_place(client: TestClient) -> None:
    page = client.get(f"{DANA}/edit")
    assert page.status_code == 200
    assert page.context["values"]["email"] == "dana.lee@brightlinehealth.example"  # type: ignore[attr-defined]
    assert 'name="id"' not in page.text  # ids never change
    assert "<label" in page.text and "E-mail" in page.text  # labels in words
    fragment = client.get(f"{DANA}/edit", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text  # a fragment for the page's slot
    assert 'id="edit-person-brightline-dana-in-email"' in fragment.text
    assert 'value="dana.lee@brightlinehealth.example"' in fragment.text


def test_edit_a_persons_email_through_the_form(client: TestClient) -> None:
    before = _item(client, "brightline", "people", "dana")
    values = _form_values(client, f"{DANA}/edit")
    page = client.post(f"{DANA}/edit", data={**values, "email": " Dana@Brightline.EXAMPLE "})
    assert page.status_code == 200 and page.url.path == "/opportunities/brightline"
    assert "Saved person &#39;dana&#39; (Dana Lee)." in page.text
    assert 'action="/undo"' in page.text and ">Undo</button>" in page.text
    assert 'href="mailto:Dana@brightline.example"' in page.text
    assert _item(client, "brightline", "people", "dana") == {
        **before,  # type: ignore[dict-item]
        "email": "Dana@brightline.example",  # stored normalised, the rest as it was
    }
    again = client.get("/opportunities/brightline").text
    assert "Saved person" not in again  # the message shows once


def test_a_bad_email_shows_next_to_its_field_and_writes_nothing(client: TestClient) -> None:
    before, journal = _opp(client, "brightline"), _history_size(client)
    values = _form_values(client, f"{DANA}/edit")
    page = client.post(f"{DANA}/edit", data={**values, "email": "not-an-email", "name": ""})
    assert page.status_code == 422
    errors = page.context["errors"]  # type: ignore[attr-defined]
    assert errors["name"] == "Required."
    assert set(errors) == {"name"}  # a required field is checked before the service
    page = client.post(f"{DANA}/edit", data={**values, "email": "not-an-email"})
    assert page.status_code == 422
    errors = page.context["errors"]  # type: ignore[attr-defined]
    assert set(errors) == {"email"}
    assert errors["email"].startswith("'not-an-email' is not a valid e-mail address")
    assert 'id="err-email"' in page.text and 'aria-describedby="err-email"' in page.text
    assert 'value="not-an-email"' in page.text  # what was typed is kept
    assert "Nothing was saved" in page.text
    assert _opp(client, "brightline") == before
    assert _history_size(client) == journal


def test_an_unchanged_form_writes_nothing(client: TestClient) -> None:
    journal = _history_size(client)
    url = "/opportunities/brightline/interviews/final-panel/edit"
    page = client.post(url, data=_form_values(client, url))
    assert "Nothing changed in interview &#39;final-panel&#39;." in page.text
    assert ">Undo</button>" not in page.text
    assert _history_size(client) == journal


def test_emptied_fields_clear_them(client: TestClient) -> None:
    url = "/opportunities/brightline/interviews/final-panel/edit"
    values = _form_values(client, url)
    for name in ("next_step_what", "next_step_when", "next_step_who", "next_step_channel"):
        values[name] = ""
    values["notes_dana"] = ""
    values["kind"] = ""
    client.post(url, data=values)
    interview = _item(client, "brightline", "interviews", "final-panel")
    assert interview is not None
    assert "next_step" not in interview and "kind" not in interview
    assert "dana" not in interview["notes"] and "priya" in interview["notes"]
    opp = "/opportunities/brightline/edit"
    values = _form_values(client, opp)
    client.post(opp, data={**values, "rank": "", "decision_process": "Panel, then the VP"})
    edited = _opp(client, "brightline")
    assert "rank" not in edited
    assert edited["decision"]["process"] == "Panel, then the VP"


def test_a_changed_time_is_read_in_the_profiles_zone(client: TestClient) -> None:
    url = "/opportunities/brightline/touches/screen-call/edit"
    values = _form_values(client, url)
    assert values["at"] == "2026-11-12T11:00"  # shown on the profile's clock
    client.post(url, data={**values, "at": "2026-11-12T11:30"})
    touch = _item(client, "brightline", "touches", "screen-call")
    assert touch is not None and touch["at"] == "2026-11-12T11:30-05:00"


def test_a_service_problem_lands_at_its_field(client: TestClient) -> None:
    url = "/opportunities/cobalt/offers/offer/edit"
    values = _form_values(client, url)
    page = client.post(url, data={**values, "expires": "2026-13-40"})
    assert page.status_code == 422
    assert set(page.context["errors"]) == {"expires"}  # type: ignore[attr-defined]
    assert 'value="2026-13-40"' in page.text


def test_delete_an_interview(client: TestClient) -> None:
    url = "/opportunities/cobalt/interviews/first-round/remove"
    page = client.post(url, data={"csrf_token": token(client)})
    assert page.status_code == 200 and page.url.path == "/opportunities/cobalt"
    assert "Removed interview &#39;first-round&#39;." in page.text and ">Undo</button>" in page.text
    assert _item(client, "cobalt", "interviews", "first-round") is None
    assert _item(client, "cobalt", "interviews", "final") is not None


def test_a_person_named_elsewhere_shows_what_depends_then_goes_with_it(
    client: TestClient,
) -> None:
    before = _opp(client, "brightline")
    page = client.post(f"{DANA}/remove", data={"csrf_token": token(client)})
    assert page.status_code == 409
    assert page.context["dependents"] == [  # type: ignore[attr-defined]
        "interview 'screen'",
        "interview 'final-panel'",
        "touch 'screen-thanks'",
        "touch 'screen-article'",
    ]
    assert "<li>interview &#39;screen&#39;</li>" in page.text
    assert 'name="cascade"' in page.text and "Remove those too" in page.text
    assert "Tick “remove those too” to remove them as well." in page.text
    assert _opp(client, "brightline") == before  # nothing went
    page = client.post(f"{DANA}/remove", data={"csrf_token": token(client), "cascade": "on"})
    assert page.status_code == 200 and page.url.path == "/opportunities/brightline"
    assert "Removed person &#39;dana&#39; (Dana Lee);" in page.text
    after = _opp(client, "brightline")
    assert "dana" not in {p["id"] for p in after["people"]}
    assert {i["id"] for i in after["interviews"]} == {"final-panel"}  # the screen had only Dana
    assert {t["person"] for t in after["touches"]} == {"marcus"}


def test_undo_after_an_edit_puts_it_back(client: TestClient) -> None:
    before = _opp(client, "brightline")
    values = _form_values(client, f"{DANA}/edit")
    client.post(f"{DANA}/edit", data={**values, "email": "dana@elsewhere.example"})
    assert _item(client, "brightline", "people", "dana")["email"] == "dana@elsewhere.example"  # type: ignore[index]
    page = client.post(
        "/undo",
        data={"csrf_token": token(client)},
        headers={"referer": "http://testserver/opportunities/brightline"},
    )
    assert page.url.path == "/opportunities/brightline"
    assert _opp(client, "brightline") == before
    [last] = client.get("/api/history?limit=1").json()
    assert last["undone"] and last["command"] == f"web: POST {DANA}/edit"


def test_undo_after_a_delete_brings_it_back(client: TestClient) -> None:
    before = _opp(client, "brightline")
    url = "/opportunities/brightline/touches/screen-call/remove"
    client.post(url, data={"csrf_token": token(client)})
    assert _item(client, "brightline", "touches", "screen-call") is None
    undone = client.post(
        "/undo", data={"csrf_token": token(client)}, headers={"HX-Request": "true"}
    )
    assert undone.status_code == 204 and undone.headers["HX-Refresh"] == "true"
    assert _opp(client, "brightline") == before


def test_remove_an_opportunity_with_everything_in_it(client: TestClient) -> None:
    page = client.post("/opportunities/northwind/remove", data={"csrf_token": token(client)})
    assert page.status_code == 409
    assert page.context["dependents"] == ["3 people", "1 interview", "6 touches"]  # type: ignore[attr-defined]
    page = client.post(
        "/opportunities/northwind/remove", data={"csrf_token": token(client), "cascade": "on"}
    )
    assert page.url.path == "/removed"
    assert "Removed opportunity &#39;northwind&#39;" in page.text and ">Undo</button>" in page.text
    assert client.get("/api/opportunities/northwind").status_code == 404


def test_achievements_are_listed_with_edit_and_delete(client: TestClient) -> None:
    url = "/achievements/discharge-article"
    form = client.get("/record/achievement").text
    assert 'data-achievement-id="discharge-article"' in form and f'action="{url}/remove"' in form
    values = _form_values(client, f"{url}/edit")
    assert values["tags"] == "care coordination, healthcare"
    page = client.post(f"{url}/edit", data={**values, "tags": "healthcare, writing"})
    assert page.url.path == "/record/achievement" and "Saved achievement" in page.text
    assert "healthcare, writing" in page.text
    page = client.post(f"{url}/remove", data={"csrf_token": token(client)})
    assert "Removed achievement &#39;discharge-article&#39;" in page.text
    assert 'data-achievement-id="discharge-article"' not in page.text


def test_the_not_done_button_plans_a_done_action_again(client: TestClient) -> None:
    done = client.post(
        f"/actions/{THANK_DANA}/done",
        data={"csrf_token": token(client)},
        headers={"HX-Request": "true"},
    )
    assert f'hx-post="/actions/{THANK_DANA}/undone"' in done.text
    assert ">Not done</button>" in done.text and ">Undo</button>" in done.text
    assert THANK_DANA not in pending_ids(client)
    touches = len(_opp(client, "brightline")["touches"])
    undone = client.post(
        f"/actions/{THANK_DANA}/undone",
        data={"csrf_token": token(client)},
        headers={"HX-Request": "true"},
    )
    assert undone.status_code == 204 and undone.headers["HX-Refresh"] == "true"
    assert THANK_DANA in pending_ids(client)
    assert len(_opp(client, "brightline")["touches"]) == touches - 1  # the logged touch went


def test_a_done_action_on_the_opportunity_page_can_be_not_done(client: TestClient) -> None:
    client.post(f"/actions/{THANK_DANA}/done", data={"csrf_token": token(client)})
    page = client.get("/opportunities/brightline").text
    assert f'action="/actions/{THANK_DANA}/undone"' in page
    assert page.count(">Not done</button>") == 1  # only the one `done` logged a touch for
    back = client.post(
        f"/actions/{THANK_DANA}/undone",
        data={"csrf_token": token(client)},
        headers={"referer": "http://testserver/opportunities/brightline"},
    )
    assert back.url.path == "/opportunities/brightline"
    assert "Not done: removed the touch" in back.text
    assert THANK_DANA in pending_ids(client)


def test_the_message_shows_only_on_the_page_it_names(client: TestClient) -> None:
    client.post(
        "/opportunities/cobalt/touches/final-article/remove",
        data={"csrf_token": token(client)},
        follow_redirects=False,
    )
    assert "Removed touch" not in client.get("/opportunities/brightline").text
    client.cookies.set("followup_flash", "forged.0000", path="/opportunities/cobalt")
    assert "forged" not in client.get("/opportunities/cobalt").text


def test_edit_and_delete_need_the_csrf_token(client: TestClient) -> None:
    before = _opp(client, "brightline")
    values = {k: v for k, v in _form_values(client, f"{DANA}/edit").items() if k != "csrf_token"}
    assert client.post(f"{DANA}/edit", data={**values, "email": "x@y.example"}).status_code == 403
    assert client.post(f"{DANA}/remove", data={"cascade": "on"}).status_code == 403
    assert _opp(client, "brightline") == before


def test_unknown_facts_are_404(client: TestClient) -> None:
    assert client.get("/opportunities/brightline/people/ghost/edit").status_code == 404
    assert client.get("/opportunities/brightline/pets/rex/edit").status_code == 404
    assert client.get("/achievements/ghost/edit").status_code == 404
