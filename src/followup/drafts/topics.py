"""Topics from interview notes, phrased to be written *to* the person they are about.

Notes are written by the candidate about an interviewer ("she wants PMs who write crisp
acceptance criteria"). A draft addresses that interviewer, so third-person pronouns become
second person ("you want PMs who..."). The rewrite is deliberately small: a handful of pronouns
and the verb right after them; anything it cannot handle is left as written, for the candidate
to polish.
"""

from __future__ import annotations

import re
from typing import Final

#: Topics a draft mentions at most; more would turn a note into a report.
MAX_TOPICS: Final = 3

_SUBJECT = {"she": "you", "he": "you", "they": "you"}
_POSSESSIVE = {"her": "your", "his": "your", "their": "your"}
_OBJECT = {"him": "you"}  # "them" usually means others ("fall between them")
_REFLEXIVE = {"herself": "yourself", "himself": "yourself", "themselves": "yourselves"}
_IRREGULAR = {
    "is": "are",
    "was": "were",
    "has": "have",
    "does": "do",
    "isn't": "aren't",
    "wasn't": "weren't",
    "hasn't": "haven't",
    "doesn't": "don't",
}
#: Contracted subject pronouns (the verb is in the contraction: it needs no agreement).
_CONTRACTED = {
    "she's": "you're",
    "he's": "you're",
    "they're": "you're",
    "she'd": "you'd",
    "he'd": "you'd",
    "they'd": "you'd",
    "she'll": "you'll",
    "he'll": "you'll",
    "they'll": "you'll",
    "they've": "you've",
}
_WORD = re.compile(r"[A-Za-z']+|[^A-Za-z']+")


def topics(note: str | None, limit: int = MAX_TOPICS) -> list[str]:
    """The clauses of ``note`` (split at sentences and semicolons), addressed to its subject.

    Each topic starts lower-case unless it begins with an acronym or a name-like word, and has
    no final full stop, so a template can put it after a colon or inside a sentence.
    """
    if not note or not note.strip():
        return []
    parts = re.split(r"(?<=[.!?])\s+|;\s+|\n+", note.strip())
    out = []
    for part in parts:
        text = part.strip().rstrip(".").strip()
        if len(text) < 3:
            continue
        out.append(_lower_first(second_person(text)).replace(": ", " — "))
        if len(out) == limit:
            break
    return out


#: Words after which "her" is an object ("walked her through") rather than a possessive.
_NOT_A_NOUN = frozenset(
    {"through", "to", "about", "on", "for", "with", "that", "the", "a", "an", "and", "or"}
    | {"but", "as", "in", "at", "by", "from", "into", "of"}
)


def second_person(text: str) -> str:
    """``text`` with third-person pronouns turned to "you"/"your" (and the verb after them)."""
    tokens = _WORD.findall(text)
    out: list[str] = []
    after_subject = False
    for n, token in enumerate(tokens):
        if token.lower() == "her" and _object_position(tokens, n):
            out.append(_same_case(token, "you"))
            continue
        low = token.lower()
        if not token.strip() or not token[0].isalpha():
            out.append(token)
            if token.strip():
                after_subject = False
            continue
        if after_subject:
            after_subject = False
            out.append(_plural_verb(token))
            continue
        if low in _CONTRACTED:
            following = next((t.lower() for t in tokens[n + 1 :] if t.strip()), "")
            new = "you've" if low.endswith("'s") and following in ("been", "got") else None
            out.append(_same_case(token, new or _CONTRACTED[low]))
            continue
        for table in (_SUBJECT, _POSSESSIVE, _OBJECT, _REFLEXIVE):
            if low in table:
                out.append(_same_case(token, table[low]))
                after_subject = table is _SUBJECT
                break
        else:
            out.append(token)
    return "".join(out)


def _object_position(tokens: list[str], n: int) -> bool:
    """Is the "her" at ``tokens[n]`` an object: followed by punctuation, the end, or a
    preposition or article rather than a noun?"""
    following = [t for t in tokens[n + 1 :] if t.strip()]
    if not following or not following[0][0].isalpha():
        return True
    return following[0].lower() in _NOT_A_NOUN


def _plural_verb(word: str) -> str:
    low = word.lower()
    if low in _IRREGULAR:
        return _same_case(word, _IRREGULAR[low])
    if low.endswith("ies") and len(low) > 4:
        return word[:-3] + "y"
    if low.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if low.endswith("s") and not low.endswith(("ss", "us", "is")) and len(low) > 3:
        return word[:-1]
    return word  # past tense, modal ("would", "liked", "can"): the same for "you"


def _same_case(original: str, replacement: str) -> str:
    return replacement.capitalize() if original[:1].isupper() else replacement


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    keep = (
        (len(first) > 1 and first[1:2].isupper())  # an acronym: HL7, PMs, AI
        or any(c.isdigit() for c in first)
        or first == "I"
    )
    if keep or not text:
        return text
    return text[0].lower() + text[1:]


def first_name(name: str) -> str:
    """The name a greeting uses: the first word ("Dana Lee" -> "Dana")."""
    parts = name.split()
    return parts[0] if parts else name
