"""An article on the reading list, and a suggestion of one for a person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Article:
    url: str  # unique: the same article is never listed twice
    title: str
    summary: str = ""
    tags: tuple[str, ...] = ()
    source: str | None = None  # the feed it came from
    added: datetime | None = None


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An article for one person, and why: the terms it shares with their notes."""

    article: Article
    score: float
    terms: tuple[str, ...]

    @property
    def reason(self) -> str:
        if not self.terms:
            return "no terms in common with the notes"
        return "matches " + ", ".join(f"“{t}”" for t in self.terms)
