"""The form-letter guard at scale: 1,000 drafts checked in at most 0.5 s.

    python bench/guard.py            # prints the timing; `bench/run.py` includes it

The drafts look like real ones: four phrasings of the same letter (as the built-in templates
write them), each around two topics drawn from a large pool of interview-note clauses, to many
people across many opportunities; ten of them are planted form letters (a copy of another
draft with only the name changed). The guard must find exactly those ten.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from followup.drafts.guard import Message, check

DRAFTS = 1000
PLANTED = 10
TARGET_SECONDS = 0.5

OPENINGS = (
    "Thank you for your time at the onsite yesterday.",
    "Thank you for talking with me yesterday; I enjoyed the panel.",
    "I appreciated your time yesterday.",
    "Many thanks for meeting me yesterday.",
)
FRAMES = (
    "One thing from our conversation has stayed with me:",
    "I keep coming back to what we discussed:",
    "What you shared has been on my mind since:",
    "Your point stuck with me:",
)
CLOSINGS = (
    "I would be glad to go deeper on it.",
    "That is exactly the work I hope to do in this role.",
    "I would welcome the chance to help with it.",
    "I would love to work on this with you.",
)
#: A vocabulary the size of a working professional's: notes differ the way real ones do.
SYLLABLES = "ba ce di fo gu ka le mi no pu ra se ti vo zu"


def _vocabulary(rng: random.Random, size: int = 5000) -> list[str]:
    return ["".join(rng.choices(SYLLABLES.split(), k=rng.randint(2, 4))) for _ in range(size)]


def _topic(rng: random.Random, vocabulary: list[str]) -> str:
    return " ".join(rng.choices(vocabulary, k=rng.randint(10, 18)))


def drafts(seed: int = 1) -> list[Message]:
    rng = random.Random(seed)
    vocabulary = _vocabulary(rng)
    out = []
    for n in range(DRAFTS - PLANTED):
        v = n % 4
        body = (
            f"Hi P{n},\n\n{OPENINGS[v]}\n{FRAMES[v]} {_topic(rng, vocabulary)}.\n"
            f"I also took note of the second point ({_topic(rng, vocabulary)}).\n\n"
            f"{CLOSINGS[v]}\n\n"
            "Best regards,\nAlex Morgan"
        )
        out.append(Message(f"d{n}", f"opp{n // 5}:p{n}", f"opp{n // 5}", body, (f"P{n}",)))
    for k in range(PLANTED):
        source = out[k * 37]
        copy = source.text.replace(source.names[0], f"Q{k}")
        out.append(Message(f"form{k}", f"opp{k}:q{k}", f"opp{k}", copy, (f"Q{k}",)))
    return out


def best_time(runs: int = 5) -> tuple[float, int, int]:
    """Best wall time of `check` over ``runs`` runs, the planted form letters it found, and
    the other pairs it flagged."""
    messages = drafts()
    check(messages)  # warm up: numpy's import is not the guard's cost
    best, flags = float("inf"), []
    for _ in range(runs):
        started = time.perf_counter()
        flags = check(messages)
        best = min(best, time.perf_counter() - started)
    planted = sum(1 for f in flags if f.second.startswith("form"))
    return best, planted, len(flags) - planted


def main() -> int:
    seconds, found, others = best_time()
    verdict = "PASS" if seconds <= TARGET_SECONDS and found == PLANTED else "MISS"
    print(
        f"guard: {DRAFTS:,} drafts checked in {seconds:.3f} s (target <= {TARGET_SECONDS} s); "
        f"{found} of {PLANTED} planted form letters found, {others} other pairs flagged  "
        f"{verdict}"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
