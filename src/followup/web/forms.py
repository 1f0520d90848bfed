"""Form fields and their parsing, with every problem tied to the field it belongs to.

A form is a list of ``Field`` specs that the template renders (label, input, the error next to
it). ``FormReader`` turns the submitted strings into values with the checks of
``followup.core.problems`` (the ones imports and the command line use), collecting problems per
field instead of stopping at the first; the services check the rest, and ``assign`` puts each of
their ``Problem`` values next to its field by its path (``person.timezone`` -> ``timezone``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Final

from starlette.datastructures import FormData

from followup.core.problems import Problem, check_choice, parse_day, parse_moment, parse_when, steps
from followup.errors import FollowupError
from followup.services.checks import InvalidInput

GENERAL: Final = "__all__"


@dataclass(frozen=True)
class Field:
    """One input: ``kind`` is text, textarea, number, date, datetime, when (a date or a date
    and time), select, checkbox or checkboxes."""

    name: str
    label: str
    kind: str = "text"
    required: bool = False
    options: Sequence[tuple[str, str]] = ()
    help: str = ""
    placeholder: str = ""


@dataclass
class FormReader:
    """Reads one submitted form; ``errors`` maps a field name to its message."""

    data: FormData
    tz: tzinfo
    errors: dict[str, str] = field(default_factory=dict)

    def values(self) -> dict[str, str | list[str]]:
        """What was submitted, to show again in the form when something is wrong."""
        out: dict[str, str | list[str]] = {}
        for key in self.data:
            items = [v for v in self.data.getlist(key) if isinstance(v, str)]
            out[key] = items if len(items) > 1 else (items[0] if items else "")
        return out

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def report(self, problem: Problem | None) -> bool:
        """Show ``problem`` at its field (its path is the field's name); True when None."""
        if problem is None:
            return True
        self.fail(problem.path, sentence(problem.message))
        return False

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self.data.get(name)
        text = value.strip() if isinstance(value, str) else ""
        if not text:
            if required:
                self.fail(name, "Required.")
            return None
        return text

    def choice(self, name: str, options: Iterable[str], *, required: bool = False) -> str | None:
        value = self.text(name, required=required)
        if value is None or not self.report(check_choice(value, options, name)):
            return None
        return value

    def many(self, name: str) -> list[str]:
        return [v for v in self.data.getlist(name) if isinstance(v, str) and v]

    def flag(self, name: str) -> bool:
        return self.data.get(name) in ("on", "true", "1", "yes")

    def number(self, name: str, *, required: bool = False) -> int | None:
        value = self.text(name, required=required)
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            self.fail(name, f"{value!r} is not a whole number.")
            return None

    def day(self, name: str, *, required: bool = False) -> date | None:
        value = self.text(name, required=required)
        if value is None:
            return None
        day, problem = parse_day(value, name)
        self.report(problem)
        return day

    def moment(self, name: str, *, required: bool = False) -> datetime | None:
        """A date and time; without an offset it is read in the profile's time zone."""
        value = self.text(name, required=required)
        if value is None:
            return None
        moment, problem = parse_moment(value, name, assume=self.tz)
        self.report(problem)
        return moment

    def when(self, name: str, *, required: bool = False) -> date | datetime | None:
        """A day (kept a day) or a date and time (read in the profile's time zone)."""
        value = self.text(name, required=required)
        if value is None:
            return None
        when, problem = parse_when(value, name, assume=self.tz)
        self.report(problem)
        return when


def sentence(message: str) -> str:
    """A problem's message as the form shows it: capitalised, with a full stop."""
    return _stop(message[:1].upper() + message[1:])


def _stop(text: str) -> str:
    return text if text.endswith(".") else text + "."


def field_name(path: str, fields: Collection[str] | None = None) -> str | None:
    """The form field a use case's problem belongs to, from its path: the object's name is
    dropped and the steps joined (``interview.next_step.what`` -> ``next_step_what``,
    ``interview.notes['dana']`` -> ``notes_dana``). With ``fields``, the longest such name that
    is one of them (``achievement.tags[2]`` -> ``tags``), or None when none is."""
    parts = steps(path) if path else []
    if fields is None:
        return "_".join(parts[1:]) or None
    for start in (1, 0):
        for end in range(len(parts), start, -1):
            name = "_".join(parts[start:end])
            if name in fields:
                return name
    return None


def assign(
    exc: FollowupError, errors: dict[str, str], fields: Collection[str] | None = None
) -> None:
    """Put a use case's problems next to their fields (see ``field_name``); those that belong
    to none of ``fields``, and an error that is not about values, go at the top of the form."""
    problems = exc.problems if isinstance(exc, InvalidInput) else [Problem("", exc.message)]
    general: list[str] = []
    for problem in problems:
        name = field_name(problem.path, fields)
        if name is not None:
            errors.setdefault(name, sentence(problem.message))
        else:  # with its path, if any: it says which value is meant
            general.append(sentence(problem.message) if not problem.path else _stop(str(problem)))
    if exc.hint and general:
        general.append(f"({exc.hint})")
    if general:
        errors.setdefault(GENERAL, " ".join(general))
