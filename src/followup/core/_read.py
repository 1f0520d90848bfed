"""Typed access to untrusted JSON objects that records every problem instead of raising.

A document is validated completely before anything is built from it, so a person fixing an
import sees all of its problems at once. Each reader returns the value, or None after recording
a :class:`~followup.core.problems.Problem` whose path is the culprit's place
(``opportunities[0].people[2].role``). The checks themselves are those of
``followup.core.problems``, shared with the use cases, the command line and the web forms.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import cast

from followup.core.problems import (
    Problem,
    check_action_id,
    check_choice,
    check_country,
    check_id,
    check_number,
    check_text,
    check_zone,
    child,
    describe,
    item,
    parse_day,
    parse_email,
    parse_moment,
    parse_phone,
    parse_when,
    show,
)


class Obj:
    """One JSON object being read; every accessor reports its own problems with their path."""

    __slots__ = ("data", "path", "problems")

    def __init__(self, data: dict[str, object], path: str, problems: list[Problem]) -> None:
        self.data = data
        self.path = path
        self.problems = problems

    @classmethod
    def open(
        cls, value: object, path: str, problems: list[Problem], known: Sequence[str]
    ) -> Obj | None:
        """Check that ``value`` is an object with only ``known`` fields (unknown ones reported)."""
        where = path or "document"
        if not isinstance(value, dict):
            problems.append(Problem(where, f"expected an object, got {describe(value)}"))
            return None
        for key in value:
            if key not in known:
                names = ", ".join(known)
                problems.append(Problem(where, f"unknown field {show(key)} (known: {names})"))
        return cls(value, path, problems)

    def at(self, key: str) -> str:
        return child(self.path, key)

    def given(self, key: str) -> bool:
        """Whether ``key`` is present with a value (JSON null counts as absent)."""
        return self.data.get(key) is not None

    def _keep(self, problem: Problem | None) -> bool:
        """Record ``problem``; True when there was none."""
        if problem is None:
            return True
        self.problems.append(problem)
        return False

    def absent(self, key: str, *, required: bool) -> bool:
        """True when there is nothing to read; a missing required field is reported."""
        if self.given(key):
            return False
        if required:
            if key in self.data:
                self.problems.append(Problem(self.at(key), "must not be null"))
            else:
                where = self.path or "document"
                self.problems.append(Problem(where, f"missing required field {show(key)}"))
        return True

    def text(self, key: str, *, required: bool = False, nonblank: bool = False) -> str | None:
        """A string kept verbatim; an empty optional string reads as absent (None)."""
        if self.absent(key, required=required):
            return None
        value = self.data[key]
        if not self._keep(check_text(value, self.at(key), nonblank=nonblank)):
            return None
        text = str(value)
        return text if required else (text or None)

    def ident(self, key: str, *, required: bool = True) -> str | None:
        if self.absent(key, required=required):
            return None
        value = self.data[key]
        return str(value) if self._keep(check_id(value, self.at(key))) else None

    def action_id(self, key: str, *, required: bool = False) -> str | None:
        if self.absent(key, required=required):
            return None
        value = self.data[key]
        return str(value) if self._keep(check_action_id(value, self.at(key))) else None

    def integer(self, key: str, low: int, high: int, *, required: bool = False) -> int | None:
        if self.absent(key, required=required):
            return None
        value = self.data[key]
        problem = check_number(value, low, high, self.at(key))
        return cast(int, value) if self._keep(problem) else None

    def boolean(self, key: str) -> bool | None:
        if self.absent(key, required=False):
            return None
        value = self.data[key]
        if not isinstance(value, bool):
            self.problems.append(
                Problem(self.at(key), f"expected true or false, got {describe(value)}")
            )
            return None
        return value

    def choice(self, key: str, allowed: Iterable[str], *, required: bool = False) -> str | None:
        if self.absent(key, required=required):
            return None
        value = self.data[key]
        return str(value) if self._keep(check_choice(value, allowed, self.at(key))) else None

    def zone(self, key: str, *, required: bool = False) -> str | None:
        if self.absent(key, required=required):
            return None
        value = self.data[key]
        return str(value) if self._keep(check_zone(value, self.at(key))) else None

    def country(self, key: str, *, required: bool = False) -> str | None:
        if self.absent(key, required=required):
            return None
        value = self.data[key]
        return str(value) if self._keep(check_country(value, self.at(key))) else None

    def email(self, key: str) -> str | None:
        """An e-mail address, normalised; empty reads as absent."""
        text = self.text(key)
        if text is None or not text.strip():
            return None
        value, problem = parse_email(text, self.at(key))
        self._keep(problem)
        return value

    def phone(self, key: str, region: str | None) -> str | None:
        """A phone number in E.164, read as dialled in ``region`` unless it has its country
        code; empty reads as absent."""
        text = self.text(key)
        if text is None or not text.strip():
            return None
        value, problem = parse_phone(text, self.at(key), region)
        self._keep(problem)
        return value

    def moment(self, key: str, *, required: bool = False) -> datetime | None:
        if self.absent(key, required=required):
            return None
        value, problem = parse_moment(self.data[key], self.at(key))
        self._keep(problem)
        return value

    def day(self, key: str, *, required: bool = False) -> date | None:
        if self.absent(key, required=required):
            return None
        value, problem = parse_day(self.data[key], self.at(key))
        self._keep(problem)
        return value

    def when(self, key: str, *, required: bool = False) -> date | datetime | None:
        if self.absent(key, required=required):
            return None
        value, problem = parse_when(self.data[key], self.at(key))
        self._keep(problem)
        return value

    def items(self, key: str, *, required: bool = False) -> Iterator[tuple[str, object]]:
        """The elements of a list field with their paths (nothing when absent or not a list)."""
        if self.absent(key, required=required):
            return
        value = self.data[key]
        base = self.at(key)
        if not isinstance(value, list):
            self.problems.append(Problem(base, f"expected a list, got {describe(value)}"))
            return
        for index, element in enumerate(value):
            yield item(base, index), element

    def obj(self, key: str, known: Sequence[str], *, required: bool = False) -> Obj | None:
        if self.absent(key, required=required):
            return None
        return Obj.open(self.data[key], self.at(key), self.problems, known)
