"""Command-line values: dates and times, NAME=TEXT pairs, and asking for what is missing.

A date or time flag accepts ISO 8601: a day (2026-11-02) or a time (2026-11-02T14:00, with or
without an offset). A time without an offset is read in the profile's time zone, which is only
known once the database is open, so parsing (here, with a message naming the flag) and placing
in a zone (``localize``) are two steps.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final

import click

from followup.cli.when import keep_day, localize, parse_when
from followup.errors import UsageError

__all__ = ["EXAMPLE", "WhenType", "ask", "keep_day", "localize", "pairs", "parse_when"]

EXAMPLE: Final = "e.g. 2026-11-02 or 2026-11-02T14:00 or 2026-11-02T14:00-05:00"


class WhenType(click.ParamType):  # type: ignore[type-arg]  # generic only in newer click
    """ISO 8601: ``kind`` "when" takes a day or a moment, "moment" needs a time of day, "day"
    takes a calendar day only."""

    name = "when"

    def __init__(self, kind: str = "when") -> None:
        self.kind = kind

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return {"moment": "ISO_TIME", "day": "ISO_DATE"}.get(self.kind, "ISO_DATE_OR_TIME")

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, date):
            return value
        text = str(value).strip()
        parsed = parse_when(text)
        if parsed is None:
            example = "e.g. 2026-11-02" if self.kind == "day" else EXAMPLE
            self.fail(f"'{text}' is not an ISO 8601 date or time ({example})", param, ctx)
        from followup.services.checks import MAX_YEAR, MIN_YEAR

        if not MIN_YEAR <= parsed.year <= MAX_YEAR:
            self.fail(f"'{text}' is outside the years {MIN_YEAR} to {MAX_YEAR}", param, ctx)
        if self.kind == "moment" and not isinstance(parsed, datetime):
            self.fail(f"'{text}' needs a time of day, e.g. {text}T14:00", param, ctx)
        if self.kind == "day" and isinstance(parsed, datetime):
            self.fail(f"'{text}' should be a date only, e.g. {text[:10]}", param, ctx)
        return parsed


def pairs(values: tuple[str, ...], flag: str) -> dict[str, str]:
    """Parse repeated ``NAME=TEXT`` values (e.g. --note dana="pricing"); later ones win."""
    out: dict[str, str] = {}
    for item in values:
        name, sep, text = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(
                f"{flag} expects NAME=TEXT, got '{item}'", hint=f'e.g. {flag} dana="pricing model"'
            )
        out[name.strip()] = text
    return out


def ask(value: Any, flag: str, question: str, *, interactive: bool, **prompt: Any) -> Any:
    """``value`` when given; else ask in a terminal; else (a script) refuse, naming the flag."""
    if value is not None and value != ():
        return value
    if interactive:
        return click.prompt(question, **prompt)
    raise UsageError(f"missing {flag}", hint=f"give {flag}, or run in a terminal to be asked")
