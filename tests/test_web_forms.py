"""Web forms: each problem next to its field, placed by the Problem's path (never by its text)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from followup.core.problems import Problem
from followup.errors import NotFound
from followup.services.checks import InvalidInput
from followup.web.forms import GENERAL, assign, field_name
from test_web import make_client, token


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with make_client(f"sqlite:///{tmp_path / 'web.db'}", demo=True) as client:
        yield client


@pytest.mark.parametrize(
    ("path", "fields", "name"),
    [
        ("interview.next_step.what", None, "next_step_what"),
        ("interview.notes['li.wei_2']", {"notes_li.wei_2"}, "notes_li.wei_2"),
        ("interview.notes['a b']", None, "notes_a b"),
        ("achievement.tags[2]", {"title", "tags"}, "tags"),  # the list's field, not an element
        ("person.timezone", {"name", "timezone"}, "timezone"),
        ("status", {"status"}, "status"),  # a path of one step is the field itself
        ("opportunity.decision.expected_by", {"decision_expected_by"}, "decision_expected_by"),
        ("opportunity.url", {"company"}, None),  # not on this form
        ("", None, None),
    ],
)
def test_the_path_names_the_field(path: str, fields: set[str] | None, name: str | None) -> None:
    assert field_name(path, fields) == name


def test_assign_places_problems_and_keeps_the_rest_at_the_top() -> None:
    errors: dict[str, str] = {}
    problems = [
        Problem("person.timezone", "'Mars/Olympus' is not an IANA time zone name"),
        Problem("person.timezone", "a second problem of the same field is not shown"),
        Problem("person.url", "is not on this form"),
        Problem("", "nothing was saved"),
    ]
    assign(InvalidInput(problems, hint="see the help"), errors, {"name", "timezone"})
    assert errors == {
        "timezone": "'Mars/Olympus' is not an IANA time zone name.",
        GENERAL: "person.url: is not on this form. Nothing was saved. (see the help)",
    }


def test_an_error_that_is_not_about_values_goes_at_the_top_with_its_hint() -> None:
    errors: dict[str, str] = {}
    assign(NotFound("unknown person 'ghost'", hint="add them first"), errors, {"person"})
    assert errors == {GENERAL: "Unknown person 'ghost'. (add them first)"}


def _errors(page: object) -> dict[str, str]:
    return page.context["errors"]  # type: ignore[attr-defined, no-any-return]


def test_a_note_the_service_refuses_lands_by_its_person(client: TestClient) -> None:
    before = client.get("/api/opportunities/northwind").json()
    page = client.post(
        "/record/interview?opportunity=northwind",
        data={
            "csrf_token": token(client),
            "at": "2026-11-24T08:00",
            "with": ["sam"],
            "notes_sam": "Routing \x00 team",
        },
    )
    assert page.status_code == 422
    assert _errors(page) == {"notes_sam": "Contains the character '\\x00', which cannot be stored."}
    assert 'id="err-notes_sam"' in page.text
    assert client.get("/api/opportunities/northwind").json() == before


def test_a_tag_the_service_refuses_lands_at_the_tags_field(client: TestClient) -> None:
    page = client.post(
        "/record/achievement",
        data={
            "csrf_token": token(client),
            "title": "Talk",
            "kind": "talk",
            "at": "2026-11-20",
            "tags": "ok, bad\x00",
        },
    )
    assert page.status_code == 422
    assert set(_errors(page)) == {"tags"}
    assert "cannot be stored" in _errors(page)["tags"]


def test_form_dates_use_the_same_checks_as_imports(client: TestClient) -> None:
    page = client.post(
        "/record/touch?opportunity=northwind",
        data={
            "csrf_token": token(client),
            "person": "sam",
            "at": "1066-10-14T09:00",
            "direction": "in",
            "states_date": "2026-11-02T10:00:00",
        },
    )
    assert page.status_code == 422
    assert _errors(page) == {"at": "'1066-10-14T09:00' is outside the years 1900 to 2999."}


def test_profile_problems_from_the_service_land_by_their_fields(client: TestClient) -> None:
    page = client.post(
        "/record/profile",
        data={"csrf_token": token(client), "timezone": "Mars/Olympus", "country": "usa"},
    )
    assert page.status_code == 422
    errors = _errors(page)
    assert set(errors) == {"timezone", "country"}
    assert errors["country"].startswith("'USA' is not a two-letter country code")
    assert errors["timezone"].startswith("'Mars/Olympus' is not an IANA time zone name")


# -- no silent duplicates: refused with the value, a box to tick, then added --------------------


def test_the_same_person_again_is_refused_with_a_box_to_add_them_anyway(
    client: TestClient,
) -> None:
    before = client.get("/api/opportunities/northwind").json()
    form = {"csrf_token": token(client), "name": "  SAM  okafor ", "role": "panel"}

    page = client.post("/record/person?opportunity=northwind", data=form)

    assert page.status_code == 422
    assert _errors(page) == {
        "name": "Opportunity 'northwind' has Sam Okafor already, as person 'sam'.",
        GENERAL: "If this is another person, tick “add anyway” to add it all the same.",
    }
    assert '<input type="checkbox" name="new">' in page.text
    assert client.get("/api/opportunities/northwind").json() == before

    added = client.post(
        "/record/person?opportunity=northwind", data=form | {"new": "on"}, follow_redirects=False
    )
    assert added.status_code == 303
    people = client.get("/api/opportunities/northwind").json()["people"]
    assert [p["id"] for p in people] == [*(p["id"] for p in before["people"]), "sam-okafor"]


def test_the_same_interview_again_is_refused_by_its_time(client: TestClient) -> None:
    before = client.get("/api/opportunities/northwind").json()
    first = before["interviews"][0]
    form = {"csrf_token": token(client), "at": first["at"], "with": first["with"]}

    page = client.post("/record/interview?opportunity=northwind", data=form)

    assert page.status_code == 422
    assert set(_errors(page)) == {"at", GENERAL}
    assert _errors(page)["at"].startswith(f"Interview '{first['id']}' of opportunity 'northwind'")
    assert 'name="new"' in page.text
    assert client.get("/api/opportunities/northwind").json() == before


def test_the_same_opportunity_again_is_refused_at_the_company(client: TestClient) -> None:
    northwind = client.get("/api/opportunities/northwind").json()
    form = {
        "csrf_token": token(client),
        "company": northwind["company"].upper(),
        "role": northwind["role"],
        "id": "northwind-again",
    }

    page = client.post("/record/opportunity", data=form)

    assert page.status_code == 422
    assert _errors(page)["company"] == (
        f"{northwind['company']} — {northwind['role']} is recorded already, "
        "as opportunity 'northwind'."
    )
    assert client.get("/api/opportunities/northwind-again").status_code == 404


def test_contacts_the_service_refuses_land_by_their_fields(client: TestClient) -> None:
    before = client.get("/api/opportunities/northwind").json()
    page = client.post(
        "/record/person?opportunity=northwind",
        data={
            "csrf_token": token(client),
            "name": "Kim Park",
            "role": "panel",
            "email": "kim@northwind",
            "phone": "12",
        },
    )
    assert page.status_code == 422
    errors = _errors(page)
    assert set(errors) == {"email", "phone"}
    assert errors["email"].startswith("'kim@northwind' is not a valid e-mail address")
    assert errors["phone"].startswith("'12' is not a valid phone number: write it as dialled in US")
    assert 'name="new"' not in page.text  # the box comes with a repeat only
    assert client.get("/api/opportunities/northwind").json() == before


def test_a_bad_contact_stored_earlier_breaks_no_page_plan_or_write(tmp_path: Path) -> None:
    """A value an older release accepted is shown as it is, never checked again on reading."""
    import sqlite3
    from contextlib import closing

    db = tmp_path / "older.db"
    with make_client(f"sqlite:///{db}", demo=True):
        pass
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute(
            "UPDATE person SET phone = 'ask reception', email = 'sam at nw' WHERE id = 'sam'"
        )

    with make_client(f"sqlite:///{db}", demo=False) as client:
        for url in (
            "/",
            "/opportunities/northwind",
            "/api/plan",
            "/record/touch?opportunity=northwind",
        ):
            assert client.get(url).status_code == 200, url
        sam = client.get("/api/opportunities/northwind").json()["people"][0]
        assert (sam["email"], sam["phone"]) == ("sam at nw", "ask reception")
        added = client.post(
            "/record/person?opportunity=northwind",
            data={"csrf_token": token(client), "name": "Kim Park", "phone": "312 555 0142"},
            follow_redirects=False,
        )
        assert added.status_code == 303
        kim = client.get("/api/opportunities/northwind").json()["people"][-1]
        assert kim["phone"] == "+13125550142"
