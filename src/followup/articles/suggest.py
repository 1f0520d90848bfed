"""Which articles fit what a person discussed: TF-IDF over the reading list.

A person's "query" is the notes of every interview they were in; each article is its title
(counted twice), tags (twice) and summary. Terms are words (lower-cased, a plural "s" folded)
and two-word phrases, so "care coordination" can match as a phrase. Scores are the cosine of the
TF-IDF vectors; the reason shown is the terms that contribute most to it. Articles already sent
to that person (their URL appears in an outbound touch's body or summary) are left out, and so
are articles that share only a stray word with the notes (score below ``MIN_SCORE``): no
suggestion beats an irrelevant one.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Final

from followup.articles.model import Article, Suggestion
from followup.core.model import Opportunity

SUGGESTIONS: Final = 3
MAX_TERMS: Final = 4
#: Below this cosine an article shares only a stray word with the notes: not a suggestion.
MIN_SCORE: Final = 0.05
_STOPWORD_TEXT = """
year years month months week weeks day days time times per next last moving making cutting
make made take took give gave goal goals really much many well even still back
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers him his how i if in into is it its itself just
me more most my no nor not now of off on once only or other our out over own same she should
so some such than that the their them then there these they this those through to too under
until up very was we were what when where which while who whom why will with would you your
yours discussed talked said asked told mentioned wants want wanted liked like think thinks
pushed get got lot lots way ways thing things one two us let new
"""
STOPWORDS: Final = frozenset(_STOPWORD_TEXT.split())
_TOKEN = re.compile(r"[a-z0-9][a-z0-9\-']*[a-z0-9]|[a-z0-9]")


def terms(text: str) -> list[tuple[str, str]]:
    """``(term, as written)`` pairs: content words and adjacent two-word phrases."""
    words: list[tuple[str, str] | None] = []
    for raw in _TOKEN.findall(text.lower()):
        if raw in STOPWORDS or (len(raw) < 3 and not raw.isdigit()):
            words.append(None)
            continue
        words.append((_fold(raw), raw))
    out = [w for w in words if w is not None]
    for a, b in pairwise(words):
        if a is not None and b is not None:
            out.append((f"{a[0]} {b[0]}", f"{a[1]} {b[1]}"))
    return out


def _fold(word: str) -> str:
    """A light stem: 'readmissions' -> 'readmission', 'policies' -> 'policy'."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def article_text(a: Article) -> str:
    tags = " ".join(a.tags)
    return f"{a.title}\n{a.title}\n{tags}\n{tags}\n{a.summary}"


def person_notes(opp: Opportunity, person_id: str) -> str:
    """Everything noted about ``person_id`` across the opportunity's interviews."""
    return "\n".join(i.notes[person_id] for i in opp.interviews if i.notes.get(person_id))


def already_sent(opp: Opportunity, person_id: str) -> set[str]:
    """URLs mentioned in outbound touches to ``person_id`` (their body or summary)."""
    found: set[str] = set()
    for t in opp.touches:
        if t.person == person_id and t.direction == "out":
            for text in (t.body, t.summary):
                if text:
                    found.update(u.rstrip(".,;)") for u in re.findall(r"https?://\S+", text))
    return found


def suggest(
    query: str,
    articles: Sequence[Article],
    exclude: Iterable[str] = (),
    limit: int = SUGGESTIONS,
) -> list[Suggestion]:
    """The ``limit`` articles closest to ``query`` that share at least one term with it."""
    skip = set(exclude)
    pool = [a for a in articles if a.url not in skip]
    if not pool or not query.strip():
        return []
    docs = [Counter(t for t, _ in terms(article_text(a))) for a in pool]
    asked = terms(query)
    surface: dict[str, str] = {}
    for t, raw in asked:
        surface.setdefault(t, raw)
    q = Counter(t for t, _ in asked)
    df: Counter[str] = Counter()
    for d in docs:
        df.update(d.keys())
    n = len(docs)

    def idf(term: str) -> float:
        return math.log((1 + n) / (1 + df[term])) + 1.0

    def weigh(counts: Counter[str]) -> dict[str, float]:
        vec = {
            t: (1 + math.log(c)) * idf(t) * (1.5 if " " in t else 1.0) for t, c in counts.items()
        }
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {t: v / norm for t, v in vec.items()}

    qv = weigh(q)
    out = []
    for a, d in zip(pool, docs, strict=True):
        dv = weigh(d)
        shared = {t: qv[t] * dv[t] for t in qv.keys() & dv.keys()}
        score = sum(shared.values())
        if score < MIN_SCORE:
            continue
        best = sorted(shared, key=lambda t: (-shared[t], t))
        shown = _without_overlap(best)[:MAX_TERMS]
        out.append(Suggestion(a, round(score, 4), tuple(surface[t] for t in shown)))
    out.sort(key=lambda s: (-s.score, s.article.title))
    return out[:limit]


def _without_overlap(ranked: list[str]) -> list[str]:
    """Drop a word when a phrase containing it is already shown (and vice versa)."""
    shown: list[str] = []
    for t in ranked:
        parts = set(t.split())
        if any(parts & set(s.split()) for s in shown):
            continue
        shown.append(t)
    return shown
