"""Whole-database use cases: import and export the interchange document, load the demo.

An import is all or nothing: the document is checked completely first (every problem is
reported, naming its place), and only a valid document replaces the stored facts, in one
transaction.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from followup.core.interchange import VERSION, dump_document, parse_document
from followup.core.model import Facts
from followup.errors import Conflict, InvalidDocument

if TYPE_CHECKING:
    from followup.services.workspace import Workspace


def read_json(text: str, source: str) -> Any:
    """The JSON value of ``text``; InvalidDocument naming the line and column when broken."""
    try:
        return json.loads(text)
    except RecursionError as exc:  # arrays in arrays in arrays...: no document is shaped so
        raise InvalidDocument(
            f"{source} is not an interchange document",
            ["its values nest too deeply to read (an interchange document nests 5 levels)"],
            hint="`followup export` shows the expected format",
        ) from exc
    except json.JSONDecodeError as exc:
        raise InvalidDocument(
            f"{source} is not valid JSON",
            [f"line {exc.lineno}, column {exc.colno}: {exc.msg}"],
            hint="`followup export` shows the expected format",
        ) from exc


def parse(obj: object, source: str = "the document") -> Facts:
    """The facts of an interchange document; InvalidDocument listing every problem."""
    facts, problems = parse_document(obj)
    if facts is None or problems:
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        raise InvalidDocument(
            f"{source} has {count}; nothing was imported",
            [str(problem) for problem in problems],
            hint="fix them all and import again (docs/json.md describes the format)",
        )
    return facts


def import_document(
    ws: Workspace, obj: object, *, now: datetime, force: bool = False, source: str = ""
) -> Facts:
    """Replace everything stored by the document ``obj`` (validated first, written at once),
    imported at ``now``.

    Refuses to overwrite existing opportunities unless ``force``.
    """
    facts = parse(obj, source or "the document")
    replace_all(ws, facts, now=now, force=force)
    return facts


def replace_all(
    ws: Workspace, facts: Facts, *, now: datetime, force: bool = False, command: str = "import"
) -> None:
    """Replace everything the candidate has stored by ``facts`` (already validated), in one
    transaction, which refuses to overwrite opportunities unless ``force``. An opportunity
    that does not say when it was recorded was recorded ``now``, by this import."""
    from followup.services.record import recorded

    facts = replace(facts, opportunities=tuple(recorded(o, now) for o in facts.opportunities))
    with ws.unit_of_work() as uow:
        if not force:
            _refuse_if_not_empty(uow.count_opportunities(), command)
        uow.replace_all(facts)


def export_document(ws: Workspace, version: int = VERSION) -> dict[str, object]:
    """Everything stored, as an interchange document of ``version`` (deterministic: same facts,
    same text). Version 1 leaves out what it cannot say (which action a touch completed)."""
    return dump_document(ws.facts(), version)


def dumps(document: dict[str, object]) -> str:
    """The text of an exported document (UTF-8, two-space indent, ends with a newline)."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def load_demo(ws: Workspace, now: date | datetime, timezone: str, *, force: bool = False) -> Facts:
    """Load a realistic sample job search, dated relative to ``now`` (a day: its morning)."""
    from followup.demo import demo_document, story_moment

    facts = parse(demo_document(now, timezone), "the demo")
    replace_all(ws, facts, now=story_moment(now, timezone), force=force, command="demo")
    return facts


def _refuse_if_not_empty(count: int, command: str) -> None:
    if count:
        raise Conflict(
            f"the database already has {count} opportunit{'ies' if count != 1 else 'y'}",
            hint=(
                f"`followup {command} --force` replaces the facts (opportunities, achievements, "
                "decisions; `followup export FILE` first keeps a copy of them)"
            ),
        )
