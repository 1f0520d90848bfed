"""The form-letter guard: find messages to different people that are too much alike.

"Do not send any form letters, or the same letter to each person." Every draft and every logged
outbound message body is compared with those for *other* people, after the parts that differ in
any form letter are removed: the greeting line, the sign-off and everything after it, and the
names (recipient, company, sender).

How: each message becomes the set of its word 3-grams ("shingles"). Two messages are compared by
the Jaccard similarity of those sets, |A ∩ B| / |A ∪ B|. To avoid comparing every pair, each set
gets a MinHash signature (``PERMUTATIONS`` hash functions), cut into ``BANDS`` bands of ``ROWS``
values; only messages that agree on a whole band become candidates (locality-sensitive
hashing). With 40 bands of 3, a pair at similarity 0.5 becomes a candidate with probability
1 - (1 - 0.5³)⁴⁰ ≈ 0.995, one at 0.2 with probability ≈ 0.28. Candidates are filtered by their
estimated similarity, then measured exactly.

``THRESHOLD`` = 0.45: a pair at or above it is flagged. In the labelled sets of the tests,
letters that each talk about that person's own topics score at most 0.29 (0.03 between the
built-in drafts of the demo, which share templates); a letter with only the name changed scores
1.0, and one with the name changed and a sentence reworded at least 0.54. (LSH may miss a pair
right at the threshold: at 0.45 it is a candidate with probability ≈ 0.98, at 0.54 ≈ 0.998.)
Messages with fewer than ``MIN_SHINGLES`` shingles after the clean-up (a one-line "Thanks!")
are too short to judge and are skipped.

numpy is imported only when messages are compared, so importing this module costs nothing.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

THRESHOLD: Final = 0.45
SHINGLE_WORDS: Final = 3
MIN_SHINGLES: Final = 8
BANDS: Final = 40
ROWS: Final = 3
PERMUTATIONS: Final = BANDS * ROWS
#: Candidates whose estimated similarity is this far below the threshold are dropped unmeasured
#: (the estimate's standard error with 120 hash functions is at most ≈ 0.046).
_MARGIN: Final = 0.15
_SEED: Final = 20261128

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_GREETING = re.compile(
    r"^\s*(hi|hello|hey|dear|good (morning|afternoon|evening)|greetings)\b[^\n]{0,60}$",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    r"^\s*(best|best regards|kind regards|warm regards|regards|warmly|warm wishes|thanks|"
    r"thanks again|many thanks|thank you|with thanks|sincerely|yours sincerely|cheers|"
    r"all the best|talk soon|respectfully)\s*[,.!]?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Message:
    """One message to compare.

    ``key`` names it in the report (an action id or a touch); ``recipient`` identifies the
    person ("opportunity:person"): messages to the same person are never compared. ``names``
    are removed before comparing (the recipient's and sender's names, the company).
    """

    key: str
    recipient: str
    opportunity: str
    text: str
    names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Flag:
    """Two messages to different people that are too much alike."""

    first: str  # Message.key
    second: str
    similarity: float  # Jaccard similarity of their shingles, 0..1
    shared: str  # the longest passage the two have in common (normalised words)
    same_opportunity: bool


#: a part left for the user to fill in ("[One new idea…]"): it will be their own words
_TO_FILL = re.compile(r"\[[^\]\n]*\]")


def words(text: str, names: Iterable[str] = ()) -> list[str]:
    """The words that are compared: greeting, sign-off, names and the parts left for the user
    to fill in removed, lower-cased."""
    lines = text.splitlines()
    kept: list[str] = []
    for n, line in enumerate(lines):
        if _SIGN_OFF.match(line) and n > 0:
            break  # the sign-off and the signature below it
        if not kept and not line.strip():
            continue
        if not kept and _GREETING.match(line):
            continue
        kept.append(line)
    drop = {w for name in names for w in _WORD.findall(name.lower())}
    compared = _TO_FILL.sub(" ", "\n".join(kept)).lower()
    return [w for w in _WORD.findall(compared) if w not in drop]


def shingles(tokens: Sequence[str]) -> set[int]:
    """The message's word 3-grams, each hashed to 32 bits (stable across runs)."""
    k = SHINGLE_WORDS
    return {zlib.crc32(" ".join(tokens[i : i + k]).encode()) for i in range(len(tokens) - k + 1)}


def similarity(a: str, b: str, names: Iterable[str] = ()) -> float:
    """Jaccard similarity of two texts, cleaned up as the guard does (for one pair)."""
    listed = tuple(names)
    sa, sb = shingles(words(a, listed)), shingles(words(b, listed))
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def check(messages: Sequence[Message], threshold: float = THRESHOLD) -> list[Flag]:
    """Every pair of messages to different people whose similarity is ``>= threshold``.

    Pairs within one opportunity come first, then the most similar.
    """
    tokens = [words(m.text, m.names) for m in messages]
    sets = [shingles(t) for t in tokens]
    index = [i for i, s in enumerate(sets) if len(s) >= MIN_SHINGLES]
    if len(index) < 2:
        return []
    signatures = _signatures([sets[i] for i in index])
    first, second = _candidates(signatures)
    estimate = (signatures[first] == signatures[second]).mean(axis=1)
    keep = estimate >= threshold - _MARGIN
    flags = []
    for a, b in zip(first[keep].tolist(), second[keep].tolist(), strict=True):
        ma, mb = messages[index[a]], messages[index[b]]
        if ma.recipient == mb.recipient:
            continue
        sa, sb = sets[index[a]], sets[index[b]]
        exact = len(sa & sb) / len(sa | sb)
        if exact >= threshold:
            shared = _shared(tokens[index[a]], tokens[index[b]])
            same = ma.opportunity == mb.opportunity
            flags.append(Flag(ma.key, mb.key, round(exact, 3), shared, same))
    flags.sort(key=lambda f: (not f.same_opportunity, -f.similarity, f.first, f.second))
    return flags


def _signatures(sets: list[set[int]]) -> npt.NDArray[np.uint64]:
    """MinHash signatures, one row per set: ``PERMUTATIONS`` multiply-shift hash functions."""
    import numpy as np

    rng = np.random.default_rng(_SEED)
    a = rng.integers(1, 2**63 - 1, size=PERMUTATIONS, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63 - 1, size=PERMUTATIONS, dtype=np.uint64)
    out = np.empty((len(sets), PERMUTATIONS), dtype=np.uint64)
    shift = np.uint64(32)
    for row, values in enumerate(sets):
        x = np.fromiter(values, dtype=np.uint64, count=len(values))
        hashed = (a[:, None] * x[None, :] + b[:, None]) >> shift  # wraps modulo 2**64
        out[row] = hashed.min(axis=1)
    return out


def _candidates(
    signatures: npt.NDArray[np.uint64],
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Pairs (i < j) that agree on at least one whole band of their signatures."""
    import numpy as np

    n = signatures.shape[0]
    mix = np.arange(1, ROWS + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    codes: list[npt.NDArray[np.int64]] = []
    for band in range(BANDS):
        keys = (signatures[:, band * ROWS : (band + 1) * ROWS] * mix).sum(axis=1)
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        sizes = np.diff(np.r_[starts, n])
        for start, size in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist(), strict=True):
            members = np.sort(order[start : start + size]).astype(np.int64)
            i, j = np.triu_indices(size, k=1)
            codes.append(members[i] * n + members[j])
    if not codes:
        empty = np.empty(0, dtype=np.intp)
        return empty, empty
    unique = np.unique(np.concatenate(codes))
    return (unique // n).astype(np.intp), (unique % n).astype(np.intp)


def _shared(a: list[str], b: list[str]) -> str:
    """The longest run of words the two messages share."""
    match = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return " ".join(a[match.a : match.a + match.size])
