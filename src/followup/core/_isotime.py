"""Days, moments and time zones as text: strict parsing that reports, and deterministic rendering.

A *moment* is an ISO 8601 date and time that carries its UTC offset
(``2026-11-02T10:00-05:00``); a *day* is ``YYYY-MM-DD``. A naive time is refused: the same
clock reading means different instants for a candidate in Boston and a recruiter in Berlin, and
guessing would move a deadline. Callers that know whose clock a bare time refers to (the CLI's
``--at``, read in the profile's zone) pass that zone as ``assume``.

Parsers never raise on bad input: they return ``(value, None)`` or ``(None, problem)`` where the
problem names the place (``path``) and the culprit, ready to show a person.
"""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from followup.core.model import When

#: Years outside this range are typing mistakes in a job search, and would overflow date
#: arithmetic (a deadline of 9999-12-31 plus a day) further down the line.
MIN_YEAR: Final = 1900
MAX_YEAR: Final = 2999

MOMENT_EXAMPLE: Final = "2026-11-02T10:00-05:00"
MOMENT_RULE: Final = f"an ISO 8601 time with a UTC offset (e.g. {MOMENT_EXAMPLE})"
DAY_RULE: Final = "a date (YYYY-MM-DD)"

_DAY: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CLOCK: Final = r"[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]{1,9})?)?"
_OFFSET: Final = r"(?:Z|[+-][0-9]{2}:?[0-9]{2}(?::[0-9]{2})?)"
_MOMENT: Final = re.compile(rf"[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}[T ]{_CLOCK}{_OFFSET}")
_NAIVE: Final = re.compile(rf"[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}[T ]{_CLOCK}")
#: Zone names that exist on some machines but mean "whatever this computer is set to".
_MACHINE_ZONES: Final = frozenset({"localtime", "posixrules"})


def show(value: object, limit: int = 80) -> str:
    """A short, quoted rendering of a culprit for messages (long text is cut, not dumped)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe(value: object) -> str:
    """Name the JSON type of ``value`` for "expected X, got Y" messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    if isinstance(value, str):
        return f"a string ({show(value)})"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def _in_range(value: date, text: str, path: str) -> str | None:
    if MIN_YEAR <= value.year <= MAX_YEAR:
        return None
    return f"{path}: {show(text)} is outside the years {MIN_YEAR} to {MAX_YEAR}"


def parse_day(text: object, path: str) -> tuple[date | None, str | None]:
    """Read a ``YYYY-MM-DD`` calendar day."""
    if not isinstance(text, str):
        return None, f"{path}: expected {DAY_RULE}, got {describe(text)}"
    if not _DAY.fullmatch(text):
        return None, f"{path}: {show(text)} is not {DAY_RULE}"
    try:
        value = date.fromisoformat(text)
    except ValueError as error:
        return None, f"{path}: {show(text)} is not a valid date ({error})"
    problem = _in_range(value, text, path)
    return (None, problem) if problem else (value, None)


def parse_moment(
    text: object, path: str, *, assume: tzinfo | None = None
) -> tuple[datetime | None, str | None]:
    """Read an ISO 8601 time with a UTC offset; the offset is kept as written.

    With ``assume``, a time without an offset is read as a wall-clock time in that zone
    (for command-line flags); without it, such a time is refused.
    """
    if not isinstance(text, str):
        return None, f"{path}: expected {MOMENT_RULE}, got {describe(text)}"
    naive_ok = assume is not None and _NAIVE.fullmatch(text) is not None
    if not (_MOMENT.fullmatch(text) or naive_ok):
        return None, f"{path}: {show(text)} is not {MOMENT_RULE}"
    try:
        value = datetime.fromisoformat(text)
    except ValueError as error:
        return None, f"{path}: {show(text)} is not a valid time ({error})"
    if value.tzinfo is None:
        value = value.replace(tzinfo=assume)
    problem = _in_range(value, text, path)
    return (None, problem) if problem else (value, None)


def parse_when(
    text: object, path: str, *, assume: tzinfo | None = None
) -> tuple[When | None, str | None]:
    """Read a field that holds either a day or a moment, keeping which one it was."""
    if isinstance(text, str) and _DAY.fullmatch(text):
        return parse_day(text, path)
    if isinstance(text, str) and (_MOMENT.fullmatch(text) or _NAIVE.fullmatch(text)):
        return parse_moment(text, path, assume=assume)
    rule = f"{DAY_RULE} or {MOMENT_RULE}"
    if not isinstance(text, str):
        return None, f"{path}: expected {rule}, got {describe(text)}"
    return None, f"{path}: {show(text)} is not {rule}"


def check_zone(name: object, path: str) -> str | None:
    """A problem if ``name`` is not an IANA time zone this machine knows, else None."""
    example = "e.g. America/New_York, Europe/Berlin, UTC"
    if not isinstance(name, str):
        return f"{path}: expected an IANA time zone name ({example}), got {describe(name)}"
    if name not in _MACHINE_ZONES:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
        else:
            return None
    return f"{path}: {show(name)} is not an IANA time zone name ({example})"


def zone_or_none(name: str) -> ZoneInfo | None:
    """The zone called ``name``, or None when it is unknown."""
    if name in _MACHINE_ZONES:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def format_moment(value: datetime, zone: tzinfo | None = None) -> str:
    """ISO 8601 with offset, shown in ``zone`` when given; seconds only when they are not zero.

    The same instant always renders the same way for the same zone, which is what makes an
    export byte-for-byte repeatable.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"cannot render a time without a UTC offset: {value!r}")
    if zone is not None:
        value = value.astimezone(zone)
    if value.microsecond:
        return value.isoformat(timespec="microseconds")
    if value.second:
        return value.isoformat(timespec="seconds")
    return value.isoformat(timespec="minutes")


def format_when(value: When, zone: tzinfo | None = None) -> str:
    """A day as ``YYYY-MM-DD``, a moment as :func:`format_moment` renders it."""
    if isinstance(value, datetime):
        return format_moment(value, zone)
    return value.isoformat()
