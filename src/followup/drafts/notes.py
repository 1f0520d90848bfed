"""Interview notes turned into clauses a draft can say *to* the person they are about.

Notes come in every shape: fragments ("pricing model"), lists ("drivers, discovery, zones"),
sentences without a subject ("asked about my SQL skills"), about the person ("Kevin worries
about HIPAA", "she wants PMs who..."), or plain facts ("relocation is not required").
`clause` turns one of them into a `Clause`:

- a *sentence* addressed to the person: "you asked about my SQL skills", "you worry about
  HIPAA", "I walked you through my teardown", "we discussed pricing"; a fact with a subject of
  its own is reported: "you mentioned that relocation is not required";
- or, when no clause can be made, a *topic*, quoted: "we talked about “pricing model”".

The rules are few and plain (a subject is added, third person and the person's name become
"you", the verb after them agrees); what they cannot read stays a quoted topic rather than a
broken sentence. Pure functions: no I/O, no model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

from followup.drafts.topics import second_person


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Topics a draft mentions at most; more would turn a note into a report.
MAX_CLAUSES: Final = 3

#: Verbs that, leading a note without a subject, tell what the candidate did ("walked her
#: through my teardown" -> "I walked you through my teardown").
_MINE = _set(
    "walked showed presented pitched demoed demonstrated sketched proposed sent outlined "
    "mapped drew wrote promised"
)
#: Verbs either side may have done: "me" makes it theirs ("told me about the reorg"), "my"
#: mine ("explained my approach"), else theirs ("shared the roadmap").
_EITHER = _set("explained described shared offered suggested told gave mentioned")
#: Verbs of a conversation both sides had ("discussed pricing" -> "we discussed pricing").
_OURS = _set(
    "discussed talked covered agreed went reviewed brainstormed compared debated chatted "
    "spoke whiteboarded"
)
#: Past-tense verbs of what the interviewer did, irregular ones included.
_THEIRS_PAST = _set(
    "asked pushed probed wanted liked loved mentioned said stressed emphasised emphasized "
    "noted grilled challenged seemed was had thought felt came took kept raised flagged "
    "questioned hinted warned admitted expected hoped worried cared focused insisted "
    "invited"
)
#: Adjectives that open a note about the interviewer ("keen on async work").
_STATES = _set(
    "interested keen worried concerned excited curious skeptical sceptical impressed "
    "focused happy unsure wary frustrated open eager"
)
#: Words that show a clause has a finite verb of its own ("relocation is not required").
_AUX = _set(
    "is are was were has have had do does did can could will would should must may might "
    "isn't aren't wasn't weren't hasn't haven't doesn't don't didn't can't won't "
    "shouldn't couldn't wouldn't"
)
#: Common verbs (base form): after a noun phrase they make it a sentence ("nurses lose...").
_VERBS = _set(
    "abandon add need want take use run work struggle get make juggle override beat force "
    "lose spend cost build grow ship fall rise lead own manage plan expect hope hire "
    "block drive break fail miss love like hate prefer report sell buy pay send see meet "
    "know think feel keep hold bring leave win move change cut set put let rely depend "
    "track measure review handle support serve reach require include cover face deal "
    "wait close open churn drop double triple slip stall call ask push seem mean say tell "
    "shift reconcile care worry matter believe value hate"
)
#: Irregular past forms of `_VERBS`.
_IRREGULAR_PAST = _set(
    "lost spent cost built grew fell rose led made took ran won kept held brought left "
    "sold bought paid sent saw met knew thought felt cut set put let got gave broke "
    "drove said told"
)
_SUBJECTS = frozenset({"she", "he", "they", "she's", "he's", "they're", "she'd", "he'd"})
_FIRST = frozenset({"i", "we", "i'm", "we're", "i've", "we've", "i'd", "we'd"})
_ADDRESSED = frozenset({"you", "your", "yours", "yourself", "i", "we", "my", "our", "me", "us"})
_DETERMINERS = _set(
    "a an the my your our their his her its this that these those some every each any no all most"
)
#: "-ing" words that are usually nouns: "pricing model" is a topic, "pricing a product" is not.
_NOUNS = _set(
    "onboarding pricing hiring billing marketing engineering training testing routing "
    "scheduling staffing planning funding shipping budgeting recruiting tooling messaging "
    "logging monitoring reporting forecasting underwriting"
)
_LINKS = _set("to for from with off on in into of at by about as")
#: Practical details rather than points of the conversation: a draft thanks for them, and
#: does not say they "stayed with" the candidate.
_PRACTICAL = re.compile(
    r"\b(relocat\w*|salary|compensation|pay band|visa|start date|notice period|remote|hybrid|"
    r"on-?site days|office days|benefits|pto|vacation|commute|bonus|equity|travel)\b",
    re.IGNORECASE,
)
_WH = frozenset({"how", "what", "why", "when", "where", "which", "whether", "who"})
_QUESTION = re.compile(
    r"^(how|what|why|when|where|which|who)\s+(would|could|should|will|can|do|does)\s+(i|we)\s+"
    r"(.+)$",
    re.IGNORECASE,
)
_WORDS = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-]*")


@dataclass(frozen=True, slots=True)
class Clause:
    """One point of a note, ready for a draft.

    ``text``: the clause, lower-case first unless it starts with an acronym or a number, no
    final full stop. ``kind``: "sentence" (a full clause) or "topic" (a phrase to quote).
    ``addressed``: a sentence whose subject is the people talking ("you", "I", "we", "your
    team"...); a sentence with a subject of its own is reported ("you mentioned that...").
    ``own``: a topic the user wrote for the drafts (``Person.topics``): their words, said as
    they are, not quoted.
    """

    text: str
    kind: Literal["sentence", "topic"]
    addressed: bool = True
    own: bool = False

    @property
    def practical(self) -> bool:
        """A practical detail (relocation, salary, start date...), not a point discussed."""
        return bool(_PRACTICAL.search(self.text))

    @property
    def sentence(self) -> str:
        """The clause as said to the person, for any template frame that takes a clause."""
        if self.kind == "topic":
            return f"we talked about {self.quoted}"
        return self.text if self.addressed else f"you mentioned that {self.text}"

    @property
    def quoted(self) -> str:
        """A topic in quotes; a sentence as it is."""
        return f"“{self.text}”" if self.kind == "topic" and not self.own else self.text


def clauses(note: str | None, person_name: str = "", limit: int = MAX_CLAUSES) -> list[Clause]:
    """The points of ``note`` (split at sentences, semicolons and lines), each a `Clause`."""
    if not note or not note.strip():
        return []
    out: list[Clause] = []
    for part in split(note):
        found = clause(part, person_name)
        if found.text and found not in out:
            out.append(found)
        if len(out) == limit:
            break
    return out


def split(note: str) -> list[str]:
    """The parts of a note: its sentences, semicolon clauses and lines (bullets stripped)."""
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9“\"'])|;\s+|\n+", note.strip())
    out = []
    for part in parts:
        text = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s+", "", part).strip()
        if len(text) >= 3:
            out.append(text)
    return out


def clause(note: str, person_name: str = "") -> Clause:
    """One note (a fragment, a sentence, a list) as a clause addressed to ``person_name``."""
    text = " ".join(note.split()).strip()
    text = re.sub(r"^(?:[-*•]|\d+[.)])\s+", "", text).rstrip(".!").strip()
    if not text:
        return Clause("", "topic")
    text = _name_to_pronoun(text, person_name)
    if text.endswith("?"):
        return _question(text)
    label, sep, rest = text.partition(": ")
    if sep and len(label.split()) <= 5 and rest:
        inner = clause(rest, "")
        if inner.kind == "sentence" and inner.addressed:
            return inner
        detail = rest[0].lower() + rest[1:] if _plain_start(rest) else rest
        return Clause(f"we talked about {_lower(second_person(label))} ({detail})", "sentence")
    words = text.split()
    first = words[0].lower()
    if first in _SUBJECTS or first in _FIRST:
        return Clause(_lower(second_person(text)), "sentence")
    if first in _STATES:  # "keen on async work" -> "you were keen on async work"
        return Clause("you were " + _lower(second_person(text)), "sentence")
    if first in _WH:  # "how I would sequence payer integrations"
        return Clause("we talked about " + _lower(second_person(text)), "sentence")
    second = words[1].lower() if len(words) > 1 else ""
    gerund = first.endswith("ing") and len(words) > 2 and not _AUX & {w.lower() for w in words}
    if gerund and (first not in _NOUNS or second in _DETERMINERS or second in _LINKS):
        # a gerund phrase: "moving scheduling off the HL7 engine while shipping roadmap work"
        return Clause("we talked about " + _lower(second_person(text)), "sentence")
    subject = _implied_subject(words)
    if subject:
        rest_text = second_person(text)
        if subject == "you":
            rest_text = _plural_first(rest_text)
        return Clause(f"{subject} {_lower(rest_text)}", "sentence")
    if (len(words) > 3 or _AUX & {w.lower() for w in words}) and _has_verb(words):
        said = _lower(second_person(_ditransitive(text)))
        addressed = bool(_ADDRESSED & {w.lower() for w in _WORDS.findall(said)[:4]})
        return Clause(said, "sentence", addressed)
    return Clause(_lower(_as_list(second_person(text))), "topic")


def _name_to_pronoun(text: str, name: str) -> str:
    """The person's name (full, first or last) as a pronoun the second-person pass rewrites:
    ``Kevin's`` -> "his", ``Kevin`` at the start of a clause -> "he", elsewhere "him"."""
    names = [n for n in (name.strip(), *name.split()) if len(n) > 1]
    for n in names:
        escaped = re.escape(n)
        text = re.sub(rf"^{re.escape(n.lower())}\b", "he", text)  # "kevin asked about..."
        text = re.sub(rf"\b{escaped}['’]s\b", "his", text)
        text = re.sub(rf"(^|[,;:]\s*|\band\s+|\bthat\s+){escaped}\b", r"\1he", text)
        text = re.sub(rf"\b{escaped}\b", "him", text)
    return text


def _question(text: str) -> Clause:
    body = text.rstrip("?").strip()
    found = _QUESTION.match(body)
    if found:
        wh, aux, subject, rest = found.groups()
        aux = "" if aux.lower() in ("do", "does") else aux.lower() + " "
        return Clause(f"you asked {wh.lower()} {subject} {aux}{rest}", "sentence")
    return Clause(f"you asked: “{body}?”", "sentence")


def _implied_subject(words: list[str]) -> str:
    """Who did what a note starting with a verb says: "I", "we" or "you" (else "")."""
    first = words[0].lower()
    following = words[1].lower().strip(",") if len(words) > 1 else ""
    to_them = following in ("her", "him", "them")
    if first in _OURS:
        return "we"
    if first in _MINE or (to_them and (first.endswith("ed") or first in _IRREGULAR_PAST)):
        return "I"
    if first in _EITHER:
        rest = {w.lower().strip(",") for w in words[1:]}
        return "I" if "my" in rest and "me" not in rest else "you"
    if first in _THEIRS_PAST:
        return "you"
    if (
        first.endswith("s")
        and not first.endswith(("ss", "us", "is"))
        and _base(first) in _VERBS | {"worry", "want", "care", "think", "need", "like"}
    ):
        return "you"  # "worries about HIPAA", "wants PMs who..."
    return ""


def _base(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    return word[:-1]


def _plural_first(text: str) -> str:
    """The leading verb of a subjectless note, agreeing with "you" ("worries" -> "worry")."""
    first, sep, rest = text.partition(" ")
    low = first.lower()
    if low.endswith("s") and not low.endswith(("ss", "us", "is")) and low not in _THEIRS_PAST:
        first = {"has": "have", "is": "are", "does": "do", "was": "were"}.get(low, _base(low))
    elif low == "was":
        first = "were"
    return first + sep + rest


def _has_verb(words: list[str]) -> bool:
    """Does the clause have a finite verb after its first word ("nurses lose", "is")?"""
    low = [w.lower().strip(",") for w in words]
    for n, w in enumerate(low[1:], start=1):
        if w in _AUX or w in _IRREGULAR_PAST:
            return True
        before = low[n - 1]
        if before in _DETERMINERS:
            continue
        if w in _VERBS or (w.endswith("s") and _base(w) in _VERBS):
            return True
        if w.endswith("ed") and w[:-2] in _VERBS | {"requir", "plann", "schedul"}:
            return True
    return False


def _ditransitive(text: str) -> str:
    """ "cost them two contracts" -> "cost you two contracts": "them" before what they lost or
    got is the company being addressed (elsewhere "them" is usually things: left as is)."""
    return re.sub(
        r"\b(cost|gave|give|gives|lost|saved|save|saves|owe|owes|brought|bring)\s+them\s+"
        r"(?=(?:\d|a\b|an\b|the\b|two|three|four|five|several|many|some|millions))",
        r"\1 you ",
        text,
    )


def _as_list(text: str) -> str:
    """ "drivers, discovery, zones" -> "drivers, discovery and zones"."""
    items = [x.strip() for x in text.split(",")]
    if len(items) < 3 or any(not x or len(x.split()) > 4 for x in items):
        return text
    if items[-1].lower().startswith(("and ", "or ")):
        return ", ".join(items[:-1]) + " " + items[-1]
    return ", ".join(items[:-1]) + " and " + items[-1]


def _plain_start(text: str) -> bool:
    first = text.split(" ", 1)[0]
    return not (len(first) > 1 and (first[1:2].isupper() or first.isupper())) and not any(
        c.isdigit() for c in first
    )


def _lower(text: str) -> str:
    """Lower-case first letter, unless the first word is an acronym, "I" or has a digit."""
    if not text or not _plain_start(text) or text.split(" ", 1)[0] in ("I", "I'm", "I've"):
        return text
    return text[0].lower() + text[1:]
