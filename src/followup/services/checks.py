"""Input checks shared by the use cases: the same rules an imported document must meet.

Whatever a use case writes must export and import again, so ids, time zones, countries and
enumerations follow the interchange document's rules (``followup.core.interchange``). A checker
collects every problem of one request and raises them together.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Final

from followup.core.interchange import check_id, check_zone
from followup.core.model import Facts, Opportunity
from followup.errors import NotFound, UsageError

_COUNTRY: Final = re.compile(r"[A-Z]{2}")
#: NUL cannot be stored in PostgreSQL text; a lone surrogate cannot be encoded as UTF-8.
_UNSTORABLE: Final = re.compile("[\x00\ud800-\udfff]")
MIN_YEAR: Final = 1900
MAX_YEAR: Final = 2999


class Checker:
    """Collects the problems of one request; ``done()`` raises them all as one UsageError."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, problem: str | None) -> None:
        if problem:
            self.problems.append(problem)

    def id(self, value: str | None, what: str) -> None:
        self.add(check_id(value, what))

    def text(self, value: str | None, what: str, *, required: bool = False) -> None:
        if value is None or not value.strip():
            if required:
                self.add(f"{what}: must not be empty")
            return
        bad = _UNSTORABLE.search(value)
        if bad:
            self.add(f"{what}: contains the character {bad.group()!r}, which cannot be stored")

    def zone(self, value: str | None, what: str) -> None:
        if value is not None:
            self.add(check_zone(value, what))

    def country(self, value: str, what: str) -> None:
        if not _COUNTRY.fullmatch(value):
            self.add(f"{what}: {value!r} is not a two-letter country code (e.g. US, DE, GB)")

    def choice(self, value: str | None, allowed: Iterable[str], what: str) -> None:
        options = tuple(allowed)
        if value is not None and value not in options:
            self.add(f"{what}: {value!r} is not one of {', '.join(options)}")

    def at_least(self, value: int | None, low: int, what: str, high: int | None = None) -> None:
        if value is None:
            return
        if value < low or (high is not None and value > high):
            span = f"from {low} to {high}" if high is not None else f"at least {low}"
            self.add(f"{what}: {value} must be {span}")

    def when(self, value: date | datetime | None, what: str) -> None:
        if value is None:
            return
        if isinstance(value, datetime) and value.utcoffset() is None:
            self.add(f"{what}: a time needs its time zone")
        elif not MIN_YEAR <= value.year <= MAX_YEAR:
            self.add(f"{what}: {value.isoformat()} is outside the years {MIN_YEAR} to {MAX_YEAR}")

    def done(self) -> None:
        if self.problems:
            raise UsageError("\n  ".join(self.problems))


def opportunity(facts: Facts, opp_id: str) -> Opportunity:
    """The opportunity ``opp_id``, or NotFound pointing at the list."""
    found = facts.opportunity(opp_id)
    if found is None:
        raise NotFound(
            f"unknown opportunity '{opp_id}'",
            hint="`followup opportunity list` shows the opportunities and their ids",
        )
    return found


def person(opp: Opportunity, person_id: str) -> None:
    """NotFound unless ``person_id`` is one of the opportunity's people."""
    if opp.person(person_id) is None:
        known = ", ".join(p.id for p in opp.people) or "none yet"
        raise NotFound(
            f"unknown person '{person_id}' in opportunity '{opp.id}' (known: {known})",
            hint=f"add them with `followup person add {opp.id}`",
        )
