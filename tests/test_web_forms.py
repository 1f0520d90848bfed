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
