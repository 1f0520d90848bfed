"""Input checks shared by the use cases: the same rules an imported document must meet.

Whatever a use case writes must export and import again, so its values go through the checks of
``followup.core.problems``, the ones the interchange document uses. A checker collects every
problem of one request and raises them together, as typed ``Problem`` values (``InvalidInput``,
defined in ``followup.errors`` and re-exported here) that a form can show next to their fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from followup.core import problems as core
from followup.core.model import Facts, Opportunity
from followup.core.problems import MAX_YEAR, MIN_YEAR, Problem
from followup.errors import InvalidInput, NotFound

__all__ = ["MAX_YEAR", "MIN_YEAR", "Checker", "InvalidInput", "opportunity", "person"]


class Checker:
    """Collects the problems of one request; ``done()`` raises them all as one InvalidInput."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, problem: Problem | str | None) -> None:
        """Keep ``problem``; plain text concerns no one field (give a Problem to place it)."""
        if isinstance(problem, Problem):
            self.problems.append(problem)
        elif problem:
            self.problems.append(Problem("", problem))

    def id(self, value: str | None, what: str) -> None:
        self.add(core.check_id(value, what))

    def text(self, value: str | None, what: str, *, required: bool = False) -> None:
        """Storable text; None or blank is fine unless ``required``."""
        if value is None or (not value.strip() and not required):
            if required:
                self.add(Problem(what, "must not be empty"))
            return
        self.add(core.check_text(value, what, nonblank=required))

    def zone(self, value: str | None, what: str) -> None:
        if value is not None:
            self.add(core.check_zone(value, what))

    def country(self, value: str, what: str) -> None:
        self.add(core.check_country(value, what))

    def email(self, value: str | None, what: str) -> str | None:
        """An e-mail address (syntax only), normalised; None or blank is none."""
        if value is None or not value.strip():
            return None
        found, problem = core.parse_email(value, what)
        self.add(problem)
        return found

    def phone(self, value: str | None, what: str, region: str | None) -> str | None:
        """A phone number, in E.164; without a country code it is read as dialled in
        ``region`` (the profile's country). None or blank is none."""
        if value is None or not value.strip():
            return None
        found, problem = core.parse_phone(value, what, region)
        self.add(problem)
        return found

    def choice(self, value: str | None, allowed: Iterable[str], what: str) -> None:
        if value is not None:
            self.add(core.check_choice(value, allowed, what))

    def at_least(self, value: int | None, low: int, what: str, high: int | None = None) -> None:
        """A whole number from ``low`` (to ``high`` when given)."""
        if value is not None:
            self.add(core.check_number(value, low, high, what))

    def when(self, value: date | datetime | None, what: str) -> None:
        """A day or a moment: a moment needs its time zone, and both a plausible year."""
        self.add(core.check_when(value, what))

    def done(self) -> None:
        if self.problems:
            raise InvalidInput(list(self.problems))


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
