"""Telling a repeat from a new fact: the same person, opportunity or interview entered twice.

Names are compared as a person reads them, case, accents and spacing aside (" Maya  CHÉN " is
"Maya Chen"); an interview repeats one at the same instant with the same people. The use cases
ask these before they add anything, and refuse a repeat unless told it is a new one. Imports
are not checked: a document may hold what was added on purpose.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import datetime

from followup.core.model import Interview, Person


def name_key(text: str) -> str:
    """``text`` for comparing names: accents dropped, case folded, white space collapsed."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def same_person(people: Iterable[Person], name: str) -> Person | None:
    """The first of ``people`` with the name ``name`` (see :func:`name_key`)."""
    key = name_key(name)
    return next((p for p in people if name_key(p.name) == key), None)


def same_opportunity(
    opportunities: Iterable[tuple[str, str, str]], company: str, role: str
) -> tuple[str, str, str] | None:
    """The first ``(id, company, role)`` for the same company and role."""
    key = (name_key(company), name_key(role))
    return next((o for o in opportunities if (name_key(o[1]), name_key(o[2])) == key), None)


def same_interview(
    interviews: Iterable[Interview], at: datetime, with_: Iterable[str]
) -> Interview | None:
    """The first of ``interviews`` at the same instant as ``at`` with the same people."""
    people = frozenset(with_)
    return next((i for i in interviews if i.at == at and frozenset(i.with_) == people), None)
