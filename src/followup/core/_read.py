"""Typed access to untrusted JSON objects that records every problem instead of raising.

A document is validated completely before anything is built from it, so a person fixing an
import sees all of its problems at once. Each reader returns the value, or None after appending a
problem that starts with the JSON path of the culprit (``opportunities[0].people[2].role``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Final

from followup.core._isotime import check_zone, describe, parse_day, parse_moment, parse_when, show
from followup.core.model import When

ID_PATTERN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
ID_RULE: Final = "ids are 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"
_KEY: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
#: NUL cannot be stored in PostgreSQL text; a lone surrogate cannot be encoded as UTF-8.
_UNSTORABLE: Final = re.compile("[\x00\ud800-\udfff]")


@lru_cache(maxsize=1024)
def _step(key: str) -> tuple[str, bool]:
    """How ``key`` appears in a path, and whether it is bracketed (field names repeat a lot)."""
    if _KEY.fullmatch(key):
        return key, False
    return "[" + show(key) + "]", True


def child(path: str, key: str) -> str:
    """The path of ``key`` inside the object at ``path`` (bracketed when it is not a plain name)."""
    step, bracketed = _step(key)
    if not path or bracketed:
        return path + step
    return f"{path}.{step}"


def id_problem(value: object) -> str | None:
    """What is wrong with ``value`` as a user id (without the path), or None."""
    if not isinstance(value, str):
        return f"expected an id (a string), got {describe(value)}"
    if not ID_PATTERN.fullmatch(value):
        return f"{show(value)} is not a valid id ({ID_RULE})"
    return None


def text_problem(value: object) -> str | None:
    """What stops ``value`` being kept verbatim as text (without the path), or None."""
    if not isinstance(value, str):
        return f"expected a string, got {describe(value)}"
    bad = _UNSTORABLE.search(value)
    if bad:
        return f"contains the character {show(bad.group())}, which cannot be stored"
    return None


def check_id(value: object, path: str) -> str | None:
    """A problem naming ``path`` if ``value`` is not a user id, else None."""
    problem = id_problem(value)
    return f"{path}: {problem}" if problem else None


def check_text(value: object, path: str) -> str | None:
    """A problem naming ``path`` if ``value`` is not storable text, else None."""
    problem = text_problem(value)
    return f"{path}: {problem}" if problem else None


class Obj:
    """One JSON object being read; every accessor reports its own problems with their path."""

    __slots__ = ("data", "path", "problems")

    def __init__(self, data: dict[str, object], path: str, problems: list[str]) -> None:
        self.data = data
        self.path = path
        self.problems = problems

    @classmethod
    def open(
        cls, value: object, path: str, problems: list[str], known: Sequence[str]
    ) -> Obj | None:
        """Check that ``value`` is an object with only ``known`` fields (unknown ones reported)."""
        if not isinstance(value, dict):
            problems.append(f"{path or 'document'}: expected an object, got {describe(value)}")
            return None
        for key in value:
            if key not in known:
                where = path or "document"
                names = ", ".join(known)
                problems.append(f"{where}: unknown field {show(key)} (known: {names})")
        return cls(value, path, problems)

    def at(self, key: str) -> str:
        return child(self.path, key)

    def given(self, key: str) -> bool:
        """Whether ``key`` is present with a value (JSON null counts as absent)."""
        return self.data.get(key) is not None

    def _report(self, problem: str | None) -> None:
        if problem:
            self.problems.append(problem)

    def absent(self, key: str, *, required: bool) -> bool:
        """True when there is nothing to read; a missing required field is reported."""
        if self.given(key):
            return False
        if required:
            where = self.path or "document"
            if key in self.data:
                self.problems.append(f"{self.at(key)}: must not be null")
            else:
                self.problems.append(f"{where}: missing required field {show(key)}")
        return True

    def text(self, key: str, *, required: bool = False, nonblank: bool = False) -> str | None:
        """A string kept verbatim; an empty optional string reads as absent (None)."""
        if self.absent(key, required=required):
            return None
        value = self.data[key]
        problem = text_problem(value)
        if problem or not isinstance(value, str):
            self.problems.append(f"{self.at(key)}: {problem}")
            return None
        if nonblank and not value.strip():
            self.problems.append(f"{self.at(key)}: must not be empty")
            return None
        return value if required else (value or None)

    def ident(self, key: str, *, required: bool = True) -> str | None:
        if self.absent(key, required=required):
            return None
        value = self.data[key]
        problem = id_problem(value)
        if problem or not isinstance(value, str):
            self.problems.append(f"{self.at(key)}: {problem}")
            return None
        return value

    def integer(self, key: str, low: int, high: int, *, required: bool = False) -> int | None:
        if self.absent(key, required=required):
            return None
        value = self.data[key]
        if not isinstance(value, int) or isinstance(value, bool):
            self.problems.append(f"{self.at(key)}: expected a whole number, got {describe(value)}")
            return None
        if not low <= value <= high:
            self.problems.append(f"{self.at(key)}: {value} is not between {low} and {high}")
            return None
        return value

    def boolean(self, key: str) -> bool | None:
        if self.absent(key, required=False):
            return None
        value = self.data[key]
        if not isinstance(value, bool):
            self.problems.append(f"{self.at(key)}: expected true or false, got {describe(value)}")
            return None
        return value

    def choice(self, key: str, allowed: Sequence[str], *, required: bool = False) -> str | None:
        if self.absent(key, required=required):
            return None
        value = self.data[key]
        if not isinstance(value, str) or value not in allowed:
            shown = show(value) if isinstance(value, str) else describe(value)
            names = ", ".join(allowed)
            self.problems.append(f"{self.at(key)}: {shown} is not one of: {names}")
            return None
        return value

    def zone(self, key: str, *, required: bool = False) -> str | None:
        if self.absent(key, required=required):
            return None
        value = self.data[key]
        problem = check_zone(value, self.at(key))
        self._report(problem)
        return None if problem else str(value)

    def moment(self, key: str, *, required: bool = False) -> datetime | None:
        if self.absent(key, required=required):
            return None
        value, problem = parse_moment(self.data[key], self.at(key))
        self._report(problem)
        return value

    def day(self, key: str, *, required: bool = False) -> date | None:
        if self.absent(key, required=required):
            return None
        value, problem = parse_day(self.data[key], self.at(key))
        self._report(problem)
        return value

    def when(self, key: str, *, required: bool = False) -> When | None:
        if self.absent(key, required=required):
            return None
        value, problem = parse_when(self.data[key], self.at(key))
        self._report(problem)
        return value

    def items(self, key: str, *, required: bool = False) -> Iterator[tuple[str, object]]:
        """The elements of a list field with their paths (nothing when absent or not a list)."""
        if self.absent(key, required=required):
            return
        value = self.data[key]
        if not isinstance(value, list):
            self.problems.append(f"{self.at(key)}: expected a list, got {describe(value)}")
            return
        base = self.at(key)
        for index, element in enumerate(value):
            yield f"{base}[{index}]", element

    def obj(self, key: str, known: Sequence[str], *, required: bool = False) -> Obj | None:
        if self.absent(key, required=required):
            return None
        return Obj.open(self.data[key], self.at(key), self.problems, known)
