"""Problems with what came in, told one by one wherever they come in: the API gives each with
its place, and every date flag or field uses the checks of ``followup.core.problems``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from followup.cli import fast
from followup.core.problems import Problem
from followup.errors import InvalidInput, UsageError
from followup.services import checks
from followup.web import api_models
from test_web import make_client


@pytest.fixture
def api(tmp_path: Path) -> Iterator[TestClient]:
    with make_client(f"sqlite:///{tmp_path / 'api.db'}", demo=True) as client:
        yield client


def test_invalid_input_lives_with_the_other_errors_and_the_checks_still_offer_it() -> None:
    assert checks.InvalidInput is InvalidInput
    error = InvalidInput([Problem("a", "bad"), Problem("", "worse")])
    assert isinstance(error, UsageError) and error.exit_code == 2
    assert error.message == "a: bad\n  worse"


def test_the_api_gives_each_problem_with_its_place(api: TestClient) -> None:
    bad = api.post(
        "/api/opportunities/brightline/people", json={"id": "x", "name": "", "timezone": "Nope/No"}
    )
    assert bad.status_code == 400
    body = bad.json()
    assert set(body) == {"error", "hint", "problems"}
    assert "person.name" in body["error"] and "person.timezone" in body["error"]
    assert body["problems"] == [
        {"path": "person.name", "message": "must not be empty"},
        {
            "path": "person.timezone",
            "message": "'Nope/No' is not an IANA time zone name "
            "(e.g. America/New_York, Europe/Berlin, UTC)",
        },
    ]


def test_other_api_errors_keep_an_empty_list_of_problems(api: TestClient) -> None:
    missing = api.post("/api/actions/nothing:here/skip", json={})
    assert missing.status_code == 404
    body = missing.json()
    assert set(body) == {"error", "hint", "problems"} and body["problems"] == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9999-12-31", "'9999-12-31' is outside the years 1900 to 2999"),
        ("2026-12-10T10:00", "'2026-12-10T10:00' is not an ISO 8601 time with a UTC offset"),
        (5, "got a number (5)"),  # not a Unix timestamp
    ],
)
def test_an_api_when_is_read_as_the_document_reads_it(value: object, message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        api_models.DecisionIn.model_validate({"expected_by": value})


def test_an_api_when_keeps_a_day_a_day_and_a_time_its_offset() -> None:
    day = api_models.DecisionIn.model_validate({"expected_by": "2026-12-10"})
    moment = api_models.DecisionIn.model_validate({"expected_by": "2026-12-10T10:00-05:00"})
    assert day.expected_by == date(2026, 12, 10)
    assert isinstance(moment.expected_by, datetime) and moment.expected_by.utcoffset()
    assert api_models.DecisionIn.model_validate({}).expected_by is None


@pytest.mark.parametrize("value", ["9999-12-31", "1899-12-31T09:00", "2030-13-01", "soon"])
def test_the_fast_path_leaves_a_bad_as_of_to_click(value: str) -> None:
    assert fast.parse(["today", "--as-of", value]) is None


def test_the_fast_path_takes_a_good_as_of() -> None:
    found = fast.parse(["today", "--as-of", " 2999-12-31 "])
    assert found is not None and found.as_of == date(2999, 12, 31)
