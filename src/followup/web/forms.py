"""Form fields and their parsing, with every problem tied to the field it belongs to.

A form is a list of ``Field`` specs that the template renders (label, input, the error next to
it). ``FormReader`` turns the submitted strings into values, collecting problems per field
instead of stopping at the first; the services check the rest and their messages
("person.name: must not be empty") are mapped back to fields by ``assign``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Final

from starlette.datastructures import FormData

from followup.errors import FollowupError, InvalidDocument

GENERAL: Final = "__all__"
_PATH: Final = re.compile(r"^([a-z_]+)((?:\.[a-z_]+)*)(?:\[['\"]?([^\]'\"]*)['\"]?\])?:\s*(.*)$")


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
        allowed = tuple(options)
        if value is not None and value not in allowed:
            self.fail(name, f"Choose one of: {', '.join(allowed)}.")
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
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(name, f"{value!r} is not a date (YYYY-MM-DD).")
            return None

    def moment(self, name: str, *, required: bool = False) -> datetime | None:
        """A date and time; without an offset it is read in the profile's time zone."""
        value = self.text(name, required=required)
        if value is None:
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            self.fail(name, f"{value!r} is not a date and time (YYYY-MM-DDTHH:MM).")
            return None
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=self.tz)

    def when(self, name: str, *, required: bool = False) -> date | datetime | None:
        """A day (kept a day) or a date and time."""
        value = self.text(name, required=required)
        if value is None:
            return None
        if len(value) == 10:
            return self.day(name)
        return self.moment(name)


def assign(exc: FollowupError, errors: dict[str, str]) -> None:
    """Put a service's problems next to their fields ("interview.next_step.what: ..." goes to
    ``next_step_what``, "interview.notes['dana']: ..." to ``notes_dana``)."""
    lines = exc.problems if isinstance(exc, InvalidDocument) else exc.message.split("\n")
    for raw in lines:
        line = raw.strip()
        match = _PATH.match(line)
        if not match:
            errors.setdefault(GENERAL, line)
            continue
        _, rest, key, message = match.groups()
        name = rest.lstrip(".").replace(".", "_")
        if key:
            name = f"{name}_{key}"
        text = message[:1].upper() + message[1:]
        errors.setdefault(name or GENERAL, text if text.endswith(".") else text + ".")
    if exc.hint and GENERAL in errors:
        errors[GENERAL] += f" ({exc.hint})"
