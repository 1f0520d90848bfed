"""Command-line values: dates and times, NAME=TEXT pairs, and asking for what is missing.

A date or time flag accepts ISO 8601: a day (2026-11-02) or a time (2026-11-02T14:00, with or
without an offset). A time without an offset is read in the profile's time zone, which is only
known once the database is open, so parsing (here, with a message naming the flag) and placing
in a zone (``localize``) are two steps.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from followup.cli.when import Kind, keep_day, localize, parse_when, read_when
from followup.errors import UsageError

__all__ = ["WhenType", "ask", "keep_day", "localize", "pairs", "parse_when"]


class WhenType(click.ParamType):  # type: ignore[type-arg]  # generic only in newer click
    """ISO 8601: ``kind`` "when" takes a day or a moment, "moment" needs a time of day, "day"
    takes a calendar day only. The checks and messages are ``read_when``'s (those of
    ``followup.core.problems``); click names the flag."""

    name = "when"

    def __init__(self, kind: Kind = "when") -> None:
        self.kind = kind

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return {"moment": "ISO_TIME", "day": "ISO_DATE"}.get(self.kind, "ISO_DATE_OR_TIME")

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, date):
            return value
        parsed, problem = read_when(str(value), "", self.kind)
        if problem is not None:
            self.fail(problem.message, param, ctx)
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


def read_text(file: Path, source: str) -> str:
    """The UTF-8 text of ``file`` (``-``: standard input); UsageError naming ``source``."""
    import sys

    try:
        if str(file) == "-":
            return sys.stdin.read()
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{source} is not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror or exc}") from exc
