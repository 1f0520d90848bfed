"""One set of input checks: `Problem(path, message)` values, the same wherever a value comes in.

The interchange document, the use cases (`Checker`), the command line's date flags and the web
forms all run the checks of `followup.core.problems`, so one mistake gets one message, and a
page can place each problem by its path.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.datastructures import FormData

from followup.cli.when import parse_when as flag_shape
from followup.cli.when import read_when
from followup.core.interchange import parse_document
from followup.core.problems import (
    MAX_YEAR,
    MIN_YEAR,
    Problem,
    check_action_id,
    check_choice,
    check_country,
    check_id,
    check_number,
    check_text,
    check_when,
    check_zone,
    child,
    iso_when,
    item,
    parse_day,
    parse_email,
    parse_moment,
    parse_phone,
    parse_when,
    steps,
)
from followup.errors import UsageError
from followup.services.checks import Checker, InvalidInput
from followup.web.forms import FormReader

NY = ZoneInfo("America/New_York")


# --------------------------------------------------------------------------- the value


def test_a_problem_names_its_place_unless_it_has_none() -> None:
    problem = Problem("profile.country", "'usa' is not a two-letter country code")
    assert str(problem) == "profile.country: 'usa' is not a two-letter country code"
    assert problem.path == "profile.country"
    assert str(Problem("", "the database is locked")) == "the database is locked"
    assert Problem("a", "b") == ("a", "b")  # a plain value: comparable, hashable
    assert len({Problem("a", "b"), Problem("a", "b")}) == 1


def test_paths_are_built_and_read_back_step_by_step() -> None:
    path = item(child(child(item("opportunities", 0), "interviews"), "notes"), 3)
    assert path == "opportunities[0].interviews.notes[3]"
    assert steps(path) == ["opportunities", "0", "interviews", "notes", "3"]
    odd = child("interview.notes", "a b")
    assert odd == "interview.notes['a b']"
    assert steps(odd) == ["interview", "notes", "a b"]
    assert steps(child("x", "it's")) == ["x", "it's"]
    assert steps("--until") == ["--until"]  # a flag is one step
    assert steps("notes_dana") == ["notes_dana"]


keys = st.one_of(st.text(max_size=12), st.integers(0, 999))


@given(st.lists(keys, min_size=1, max_size=6))
def test_steps_is_the_inverse_of_child_and_item(path_keys: list[str | int]) -> None:
    path = ""
    for key in path_keys:
        path = item(path, key) if isinstance(key, int) else child(path, key)
    assert steps(path) == [str(k) for k in path_keys]


# --------------------------------------------------------------------------- the checks


@pytest.mark.parametrize(
    ("problem", "expected"),
    [
        (check_id("Acme Corp", "id"), "id: 'Acme Corp' is not a valid id (ids are 1 to 64"),
        (check_id(None, "id"), "id: expected an id (a string), got null"),
        (check_text("a\x00b", "t"), "t: contains the character '\\x00', which cannot be stored"),
        (check_text("PM \ud800", "t"), "t: contains the character '\\ud800', which cannot be"),
        (check_text(" ", "t", nonblank=True), "t: must not be empty"),
        (check_text(5, "t"), "t: expected a string, got a number (5)"),
        (check_zone("Mars/Olympus", "z"), "z: 'Mars/Olympus' is not an IANA time zone name"),
        (check_zone("localtime", "z"), "z: 'localtime' is not an IANA time zone name"),
        (check_zone("../../etc/passwd", "z"), "z: '../../etc/passwd' is not an IANA time zone"),
        (check_country("usa", "c"), "c: 'usa' is not a two-letter country code (ISO 3166"),
        (check_country(1, "c"), "c: a number (1) is not a two-letter country code"),
        (check_choice("boss", ("hr", "panel"), "role"), "role: 'boss' is not one of: hr, panel"),
        (check_number(0, 1, 1000, "rank"), "rank: 0 must be between 1 and 1000"),
        (check_number(-1, 0, None, "n"), "n: -1 must be at least 0"),
        (check_number(True, 0, 9, "n"), "n: expected a whole number, got true"),
        (check_action_id("a b", "x"), "x: 'a b' is not an action id (up to 256 characters"),
        (check_action_id("", "x"), "x: '' is not an action id"),
        (check_action_id("x" * 257, "x"), "x: 'xxxx"),
        (check_when(datetime(2026, 11, 2, 10), "at"), "at: a time needs its time zone (a UTC"),
        (check_when(date(1899, 12, 31), "at"), "at: 1899-12-31 is outside the years 1900 to 2999"),
    ],
)
def test_each_check_says_what_and_where(problem: Problem | None, expected: str) -> None:
    assert problem is not None
    assert str(problem).startswith(expected), problem


def test_good_values_pass() -> None:
    assert check_id("li.wei_2", "id") is None
    assert check_text("Zoë — 東京 🙂", "t", nonblank=True) is None
    assert check_zone("America/St_Johns", "z") is None
    assert check_country("DE", "c") is None
    assert check_choice("hr", ("hr",), "r") is None
    assert check_number(1000, 1, 1000, "n") is None
    assert check_action_id("keep-searching:-:-:2026-W48", "x") is None
    assert check_when(None, "x") is None
    assert check_when(datetime(2026, 11, 2, 10, tzinfo=NY), "x") is None


# --------------------------------------------------------------------------- days and moments


def test_a_document_needs_the_offset_a_person_at_a_terminal_does_not() -> None:
    strict = parse_moment("2026-11-02T10:00", "at")[1]
    assert strict is not None
    assert strict.message == (
        "'2026-11-02T10:00' is not an ISO 8601 time with a UTC offset (e.g. 2026-11-02T10:00-05:00)"
    )
    assert parse_moment("2026-11-02T10:00", "--at", local=True) == (datetime(2026, 11, 2, 10), None)
    assert parse_moment("2026-11-02T10:00", "at", assume=NY) == (
        datetime(2026, 11, 2, 10, tzinfo=NY),
        None,
    )


def test_time_messages_say_how_to_fix_it() -> None:
    day_for_moment = parse_moment("2030-03-04", "--at", local=True)[1]
    assert day_for_moment == Problem(
        "--at", "'2030-03-04' needs a time of day, e.g. 2030-03-04T14:00"
    )
    moment_for_day = parse_day("2030-03-04T10:00", "--applied")[1]
    assert moment_for_day is not None
    assert moment_for_day.message.endswith("give the day only, e.g. 2030-03-04")
    garbage = parse_when("next friday", "--when", local=True)[1]
    assert garbage is not None
    assert garbage.message == (
        "'next friday' is not an ISO 8601 date or time "
        "(e.g. 2026-11-02, 2026-11-02T14:00 or 2026-11-02T14:00-05:00)"
    )
    form = parse_moment("yesterday", "at", assume=NY)[1]
    assert form is not None
    assert form.message.startswith("'yesterday' is not a date and time (ISO 8601, e.g.")


@pytest.mark.parametrize(
    ("text", "fine"),
    [
        (f"{MIN_YEAR - 1}-12-31", False),
        (f"{MIN_YEAR}-01-01", True),
        (f"{MAX_YEAR}-12-31", True),
        (f"{MAX_YEAR + 1}-01-01", False),
    ],
)
def test_one_pair_of_year_bounds_everywhere(text: str, fine: bool) -> None:
    """A day and a moment, through every way in: the same bounds and the same message."""
    moment = f"{text}T{'23:00-05:00' if text.endswith('01-01') else '00:00+05:00'}"
    expected = f"'{text}' is outside the years {MIN_YEAR} to {MAX_YEAR}"
    results: list[Problem | None] = [
        parse_day(text, "x")[1],
        parse_when(text, "x")[1],
        parse_when(text, "x", local=True)[1],
        read_when(text, "x")[1],
        read_when(text, "x", "day")[1],
    ]
    moments: list[Problem | None] = [
        parse_moment(moment, "x")[1],
        parse_when(moment, "x", assume=NY)[1],
        read_when(moment, "x", "moment")[1],
    ]
    assert all((p is None) == fine for p in results + moments), results + moments
    if not fine:
        assert {p.message for p in results if p} == {expected}
        assert {p.message for p in moments if p} == {expected.replace(text, moment)}
    assert (check_when(date.fromisoformat(text), "x") is None) == fine  # a value built elsewhere


@pytest.mark.parametrize(
    "moment",
    [
        f"{MIN_YEAR}-01-01T00:30+01:00",
        f"{MIN_YEAR}-01-01T09:00-05:00",
        f"{MAX_YEAR}-12-31T20:00-05:00",
    ],
)
def test_a_time_at_the_edge_of_the_years_is_refused_as_an_instant(moment: str) -> None:
    """Within the years as written, but not on every clock: an export in another zone would
    shift it across the bound, and the document could not be imported back."""
    value, problem = parse_moment(moment, "touch.at")
    assert value is None and problem is not None
    assert problem.path == "touch.at" and "too close to the edge" in problem.message


def test_the_shape_check_alone_keeps_any_year_for_the_flags_messages() -> None:
    assert iso_when("1066-10-14T09:00") == datetime(1066, 10, 14, 9)
    assert flag_shape("2030-03-05") == date(2030, 3, 5)
    assert flag_shape("2030-03-05T10:00-05:00") is not None
    assert flag_shape("2030-13-01") is None
    assert flag_shape("05/03/2030") is None
    assert flag_shape("2030-03-05T25:00") is None


# --------------------------------------------------------------------------- the same message


def test_one_mistake_one_message_from_the_document_the_use_case_and_the_form() -> None:
    """A bad time zone: the import, the Checker and a web form say the same thing."""
    profile = {"name": "A", "timezone": "Mars/Olympus", "country": "US"}
    _, (from_document,) = parse_document({"version": 2, "profile": profile})

    checker = Checker()
    checker.zone("Mars/Olympus", "profile.timezone")

    assert checker.problems == [from_document]


def test_dates_read_the_same_from_a_flag_and_from_a_form() -> None:
    form = FormReader(FormData([("at", "2026-11-02"), ("when", "soon")]), NY)
    assert form.moment("at") is None
    assert form.when("when") is None
    flag_at = read_when("2026-11-02", "at", "moment")[1]
    flag_when = read_when("soon", "when")[1]
    assert flag_at is not None and flag_when is not None
    assert form.errors == {
        "at": "'2026-11-02' needs a time of day, e.g. 2026-11-02T14:00.",
        "when": flag_when.message + ".",
    }
    assert form.errors["at"] == flag_at.message + "."


# --------------------------------------------------------------------------- the use cases' checker


def test_the_checker_raises_every_problem_as_values_and_as_text() -> None:
    c = Checker()
    c.id("Bad Id", "opportunity.id")
    c.text("  ", "opportunity.company", required=True)
    c.text(None, "opportunity.source")
    c.at_least(0, 1, "opportunity.rank", 1000)
    c.country("usa", "profile.country")
    c.when(datetime(2030, 3, 4, 14), "interview.at")
    c.add(Problem("interview.with", "name at least one person you met"))
    c.add("the whole request is odd")
    c.add(None)

    with pytest.raises(UsageError) as raised:  # callers that catch UsageError keep working
        c.done()

    error = raised.value
    assert isinstance(error, InvalidInput)
    assert error.exit_code == 2
    assert [p.path for p in error.problems] == [
        "opportunity.id",
        "opportunity.company",
        "opportunity.rank",
        "profile.country",
        "interview.at",
        "interview.with",
        "",
    ]
    assert str(error).split("\n  ") == [str(p) for p in error.problems]
    assert "opportunity.rank: 0 must be between 1 and 1000" in str(error)


def test_a_checker_without_problems_is_silent() -> None:
    c = Checker()
    c.text("Acme", "opportunity.company", required=True)
    c.when(datetime(2030, 3, 4, 14, tzinfo=UTC), "interview.at")
    c.done()
    assert c.problems == []


# --------------------------------------------------------------------------- e-mail and phone


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dana.Lee@ACME.Example", "Dana.Lee@acme.example"),  # the domain in lower case
        ("  dana@acme.example\n", "dana@acme.example"),
        ("zoë@bücher.example", "zoë@bücher.example"),
    ],
)
def test_an_email_address_is_kept_as_email_validator_normalises_it(
    text: str, expected: str
) -> None:
    assert parse_email(text, "person.email") == (expected, None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("dana@", "person.email: 'dana@' is not a valid e-mail address (there must be something"),
        ("dana lee@acme.example", "person.email: 'dana lee@acme.example' is not a valid e-mail"),
        ("dana.acme.example", "person.email: 'dana.acme.example' is not a valid e-mail address"),
        ("dana@acme", "person.email: 'dana@acme' is not a valid e-mail address (the part after"),
        (7, "person.email: expected an e-mail address, e.g. dana.lee@acme.com, got a number (7)"),
    ],
)
def test_a_bad_email_address_says_what_is_wrong_and_where(value: object, expected: str) -> None:
    found, problem = parse_email(value, "person.email")
    assert found is None and problem is not None
    assert str(problem).startswith(expected), problem


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("(617) 555-0142", "US", "+16175550142"),  # as dialled in the candidate's country
        ("030 1234567", "DE", "+49301234567"),
        ("+49 30 1234567", "US", "+49301234567"),  # a country code wins over the region
        ("+1 617 555 0142 ext. 12", "US", "+16175550142;ext=12"),  # the extension is kept
    ],
)
def test_a_phone_number_is_stored_in_e164(text: str, region: str, expected: str) -> None:
    assert parse_phone(text, "person.phone", region) == (expected, None)


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        (
            "030 1234567",
            "US",
            "'030 1234567' is not a valid phone number: write it as dialled in US",
        ),
        ("12", "DE", "'12' is not a valid phone number"),
        ("call the switchboard", "US", "'call the switchboard' is not a phone number: write it"),
        ("+1 555", "US", "'+1 555' is not a valid phone number"),
    ],
)
def test_a_bad_phone_number_says_how_to_write_it(text: str, region: str, expected: str) -> None:
    found, problem = parse_phone(text, "person.phone", region)
    assert found is None and problem is not None
    assert problem.path == "person.phone"
    assert problem.message.startswith(expected), problem
    assert "with + and its country code (e.g. +44 20 7946 0958)" in problem.message


def test_the_checker_normalises_contacts_and_keeps_blank_as_none() -> None:
    c = Checker()
    assert c.email("Dana@ACME.example", "person.email") == "Dana@acme.example"
    assert c.phone("617 555 0142", "person.phone", "US") == "+16175550142"
    assert c.email("  ", "person.email") is None
    assert c.phone(None, "person.phone", "US") is None
    assert c.problems == []
    assert c.phone("555", "person.phone", "US") is None
    assert [p.path for p in c.problems] == ["person.phone"]


def test_one_bad_address_one_message_from_the_document_and_the_use_case() -> None:
    profile = {"name": "A", "timezone": "Europe/Berlin", "country": "DE"}
    person = {"id": "dana", "name": "Dana", "role": "hr", "email": "dana@", "phone": "12"}
    opportunity = {"id": "acme", "company": "Acme", "role": "PM", "people": [person]}
    _, from_document = parse_document(
        {"version": 2, "profile": profile, "opportunities": [opportunity]}
    )

    checker = Checker()
    checker.email("dana@", "opportunities[0].people[0].email")
    checker.phone("12", "opportunities[0].people[0].phone", "DE")

    assert checker.problems == from_document
