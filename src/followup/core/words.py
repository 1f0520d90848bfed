"""Counts in words: "1 opportunity", "2 opportunities" — never "1 opportunities" or "reply(s)"."""

from __future__ import annotations

from typing import Final

#: the plurals that are not the noun plus "s"
_IRREGULAR: Final = {
    "person": "people",
    "reply": "replies",
    "auto-reply": "auto-replies",
    "touch": "touches",
    "opportunity": "opportunities",
}


def plural(noun: str) -> str:
    return _IRREGULAR.get(noun, noun + "s")


def count(n: int, noun: str, many: str | None = None) -> str:
    """``n`` and ``noun``, plural unless ``n`` is 1 (``many``: the plural when irregular)."""
    return f"{n} {noun if n == 1 else (many or plural(noun))}"
