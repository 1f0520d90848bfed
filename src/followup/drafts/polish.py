"""Polishing a draft through a local language model: the request, the reply, the fact check.

Pure parts only (``services/polish.py`` does the I/O). The model gets one action's draft and
that person's own context (their name and role, the company and job, the notes about them, the
days you met them): nothing about anyone else. Its rewrite is then checked against the draft:

- every fact of the draft must still be there: names (capitalised words that do not start a
  sentence, and the people and company of the context), dates (weekdays, "12 March",
  "yesterday"...), times, e-mail addresses, URLs, numbers, quoted topics, and the key words of
  the person's notes that the draft uses;
- nothing new may appear: a name, date, time, number, URL or e-mail address that is in neither
  the draft nor the context refuses the rewrite.

``check_facts`` returns what was dropped and what was invented; empty lists mean it passes.
A name that starts a sentence on its own cannot be told from an ordinary capitalised word, so
that one case is not caught as invented (it is when a surname or a second name follows it).
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urlsplit

#: What the model is asked to do.
SYSTEM_PROMPT: Final = (
    "You polish a follow-up message that a job candidate wrote after an interview. Rewrite it "
    "for warmth and flow, as the candidate would write it themselves. Rules: keep every fact "
    "exactly (names, the company, dates and days, times, numbers, topics discussed); add no "
    "new facts, names, dates, times, numbers, links or promises; keep the same language; keep "
    "the first line 'Subject: ...' if there is one (you may reword it but keep its facts); "
    "keep the greeting and the sign-off with the sender's name; plain text only, no markdown; "
    "about the same length. Reply with the rewritten message only."
)
DEFAULT_TIMEOUT: Final = 60.0
#: A reply longer than this many times the draft (plus a margin) is not a polish.
_MAX_GROWTH: Final = 3


@dataclass(frozen=True, slots=True)
class LlmSettings:
    """Where to send a draft to be polished. ``api_key_env`` names an environment variable
    holding a key (the key itself is never stored); off unless ``enabled`` and a URL and a
    model are set."""

    url: str = ""
    model: str = ""
    api_key_env: str = ""
    timeout: float = DEFAULT_TIMEOUT
    enabled: bool = False

    @property
    def on(self) -> bool:
        return self.enabled and bool(self.url) and bool(self.model)

    def as_dict(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "url": self.url,
            "model": self.model,
            "api_key_env": self.api_key_env,
            "timeout": self.timeout,
        }

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> LlmSettings:
        """Settings from a parsed file (unknown keys ignored, wrong types refused)."""
        timeout = values.get("timeout", DEFAULT_TIMEOUT)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float):
            raise ValueError(f"timeout must be a number of seconds, not {timeout!r}")
        strings = {k: values.get(k, "") for k in ("url", "model", "api_key_env")}
        for key, value in strings.items():
            if not isinstance(value, str):
                raise ValueError(f"{key} must be text, not {value!r}")
        enabled = values.get("enabled", False)
        if not isinstance(enabled, bool):
            raise ValueError(f"enabled must be true or false, not {enabled!r}")
        return cls(enabled=enabled, timeout=float(timeout), **strings)

    def to_toml(self) -> str:
        """The settings file (TOML; strings quoted as JSON, which TOML reads the same)."""
        import json

        return (
            "# followup: the local language model that polishes drafts "
            "(`followup llm settings`)\n"
            f"enabled = {'true' if self.enabled else 'false'}\n"
            f"url = {json.dumps(self.url)}\n"
            f"model = {json.dumps(self.model)}\n"
            f"api_key_env = {json.dumps(self.api_key_env)}\n"
            f"timeout = {self.timeout!r}\n"
        )


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be the endpoint, or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"the URL must start with http:// or https:// and name a server, not {url!r}"
    if parts.username or parts.password:
        return "the URL must not hold a user name or password (use --api-key-env)"
    return None


def timeout_problem(timeout: float) -> str | None:
    if not math.isfinite(timeout) or timeout <= 0 or timeout > 3600:
        return "the timeout must be a number of seconds between 0 and 3600"
    return None


def is_loopback(url: str) -> bool:
    """Does ``url`` name this computer (localhost, 127.0.0.0/8, ::1)?"""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def endpoint(url: str) -> str:
    """The chat completions address of a server: ``http://127.0.0.1:8080`` ->
    ``http://127.0.0.1:8080/v1/chat/completions``; a URL ending in ``/v1`` gets
    ``/chat/completions``; one already ending in ``/chat/completions`` stays."""
    base = url.rstrip("/")
    if base.endswith("/chat/completions"):
        return base
    if base.endswith("/v1"):
        return base + "/chat/completions"
    return base + "/v1/chat/completions"


@dataclass(frozen=True, slots=True)
class PersonContext:
    """What the model may know: one person's own context, nothing else."""

    name: str
    role: str
    company: str
    job: str
    sender: str
    notes: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    meetings: tuple[str, ...] = ()  # "Monday 2 March (final panel)"

    def text(self) -> str:
        """The context as the model reads it."""
        lines = [f"Recipient: {self.name}" + (f" ({self.role})" if self.role else "")]
        job = f", role applied for: {self.job}" if self.job else ""
        lines.append(f"Company: {self.company}{job}")
        if self.sender:
            lines.append(f"Sender (the candidate): {self.sender}")
        lines += [f"Met on: {m}" for m in self.meetings]
        lines += [f"Topic to mention: {t}" for t in self.topics]
        lines += [f"Candidate's notes about {self.name}: {n}" for n in self.notes]
        return "\n".join(lines)

    def names(self) -> list[str]:
        found = [self.name, self.company, self.sender]
        return [n for n in found if n]


def chat_request(settings: LlmSettings, draft_text: str, context: PersonContext) -> dict[str, Any]:
    """The body of the POST to ``/v1/chat/completions``."""
    user = (
        f"What you know about the recipient (use it only to keep facts right):\n"
        f"{context.text()}\n\nThe message to polish:\n{draft_text.strip()}\n"
    )
    return {
        "model": settings.model,
        "messages": [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": user},
        ],
        "temperature": 0.3,
        "stream": False,
    }


def reply_text(payload: Any) -> str:
    """``choices[0].message.content`` of a reply. Raises ValueError when it is not there."""
    try:
        content = payload["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as exc:
        raise ValueError("the reply has no choices[0].message.content") from exc
    if not isinstance(content, str) or not content.strip():
        raise ValueError("the reply's message is empty")
    return content


_FENCE = re.compile(r"^```[a-z]*\s*\n(.*?)\n```\s*$", re.DOTALL)
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)


def tidy_reply(reply: str, draft_text: str) -> str:
    """The rewrite as a draft's text: reasoning and code fences removed, a preamble before the
    Subject line cut, the draft's Subject line put back when the model left it out."""
    text = _THINK.sub("", reply).strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    text = text.replace("\r\n", "\n")
    first = draft_text.lstrip().splitlines()[0] if draft_text.strip() else ""
    if first.startswith("Subject:"):
        at = text.find("Subject:")
        if at > 0 and text[:at].count("\n") <= 2:  # "Here is the polished message:\n\n"
            text = text[at:]
        elif at < 0:
            text = f"{first}\n\n{text}"
    if len(text) > _MAX_GROWTH * len(draft_text) + 400:
        raise ValueError("the reply is far longer than the draft: not a polish of it")
    return text.strip() + "\n"


# -- the fact check ------------------------------------------------------------------------

_WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS: Final = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH_ABBR: Final = {m[:3]: m for m in _MONTHS} | {"sept": "september"}
_MONTH_RE: Final = "|".join([*_MONTHS, "sept", *(m[:3] for m in _MONTHS)])
_RELATIVE: Final = (
    "today",
    "tonight",
    "tomorrow",
    "yesterday",
    "this morning",
    "this afternoon",
    "this evening",
    "last week",
    "next week",
    "this week",
    "last month",
    "next month",
    "this month",
    "weekend",
)
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RE})\.?\b", re.I)
_MONTH_DAY = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!:)", re.I)
_ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_WEEKDAY = re.compile(rf"\b({'|'.join(_WEEKDAYS)})s?\b", re.I)
_RELATIVE_RE = re.compile(rf"\b({'|'.join(_RELATIVE)})\b", re.I)
_TIME_12 = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*([ap])\.?\s?m\b\.?", re.I)
_TIME_24 = re.compile(r"\b([01]?\d|2[0-3])[:h]([0-5]\d)\b")
_NOON = re.compile(r"\b(noon|midday|midnight)\b", re.I)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>()\"“”]+", re.I)
_NUMBER = re.compile(r"(?<![\w.])\w*\d[\w]*(?:[.,]\d+)*%?")
_QUOTED = re.compile(r"[“\"]([^”\"\n]{3,120})[”\"]")
_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][\w’'-]*")
#: Capitalised words that are no facts (and may start a line or follow a colon).
_COMMON_TEXT: Final = """
i i'm i've i'd i'll ps p.s re fw subject hi hello dear hey best regards warm kind thanks thank
many sincerely cheers warmly yours all wishes
"""
_COMMON: Final = frozenset(_COMMON_TEXT.split())
_STOP_TEXT: Final = """
about above after again against because before being below between could doing during
every first further having other should their there these those through under until while
where which would since still thing things think really very also much more most some such
than that this with what when your yours into onto from have been were they them then
wants want said says asked talked discussed mentioned spoke
"""
_STOP: Final = frozenset(_STOP_TEXT.split())


@dataclass(slots=True)
class FactSet:
    """The facts of one text, each kind a set of normalised strings."""

    names: set[str] = field(default_factory=set)
    dates: set[str] = field(default_factory=set)
    times: set[str] = field(default_factory=set)
    numbers: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    urls: set[str] = field(default_factory=set)

    def all(self) -> set[str]:
        return self.names | self.dates | self.times | self.numbers | self.emails | self.urls


@dataclass(frozen=True, slots=True)
class FactCheck:
    """What a rewrite dropped from the draft, and what it brought in that is in neither the
    draft nor the person's context."""

    dropped: list[str]
    invented: list[str]

    @property
    def ok(self) -> bool:
        return not self.dropped and not self.invented

    def explain(self) -> str:
        parts = []
        if self.dropped:
            parts.append("it drops " + ", ".join(f"“{d}”" for d in self.dropped))
        if self.invented:
            parts.append("it invents " + ", ".join(f"“{i}”" for i in self.invented))
        return "; ".join(parts)


def facts_of(text: str) -> FactSet:
    """The names, dates, times, numbers, e-mail addresses and URLs written in ``text``."""
    out = FactSet()
    rest = text
    for pattern, kind in ((_EMAIL, out.emails), (_URL, out.urls)):
        for m in pattern.finditer(rest):
            kind.add(m.group(0).rstrip(".,;:!?").lower())
        rest = pattern.sub(" ", rest)
    for m in _TIME_12.finditer(rest):
        out.times.add(
            f"{int(m.group(1))}{':' + m.group(2) if m.group(2) else ''}{m.group(3)}m".lower()
        )
    rest = _TIME_12.sub(" ", rest)
    for m in _TIME_24.finditer(rest):
        out.times.add(f"{int(m.group(1))}:{m.group(2)}")
    rest = _TIME_24.sub(" ", rest)
    out.times |= {m.group(1).lower() for m in _NOON.finditer(rest)}
    for m in _ISO_DATE.finditer(rest):
        out.dates.add(m.group(0))
    rest = _ISO_DATE.sub(" ", rest)
    for m in _DAY_MONTH.finditer(rest):
        out.dates.add(f"{int(m.group(1))} {_month(m.group(2))}")
    rest = _DAY_MONTH.sub(" ", rest)
    for m in _MONTH_DAY.finditer(rest):
        out.dates.add(f"{int(m.group(2))} {_month(m.group(1))}")
    rest = _MONTH_DAY.sub(" ", rest)
    out.dates |= {m.group(1).lower() for m in _WEEKDAY.finditer(rest)}
    out.dates |= {
        _month(m.group(0)) for m in re.finditer(rf"\b(?:{'|'.join(_MONTHS)})\b", rest, re.I)
    }
    out.dates |= {" ".join(m.group(1).lower().split()) for m in _RELATIVE_RE.finditer(rest)}
    out.numbers |= {m.group(0).rstrip("%").lower() for m in _NUMBER.finditer(rest)}
    out.names |= _capitalised(rest)
    return out


def _month(word: str) -> str:
    w = word.lower().rstrip(".")
    return _MONTH_ABBR.get(w, w)


def _capitalised(text: str) -> set[str]:
    """Capitalised words that do not merely start a sentence or line (or that start one but
    are followed by another capitalised word: "Priya Shah said"), lower-cased."""
    found: set[str] = set()
    for line in text.splitlines():
        words = list(_WORD.finditer(line))
        for n, m in enumerate(words):
            word = m.group(0)
            if not word[0].isupper():
                continue
            before = line[: m.start()].rstrip()
            starts = not before or before[-1] in '.!?:;—–-"“(' or before.endswith("...")
            after = words[n + 1].group(0) if n + 1 < len(words) else ""
            follows = after[:1].isupper() and after.lower() not in _COMMON
            follows = follows and line[m.end() : words[n + 1].start()].strip() == ""
            key = word.lower().removesuffix("'s").removesuffix("’s")
            if key in _COMMON or key in _WEEKDAYS or key in _MONTHS:
                continue
            if not starts or follows:
                found.add(key)
    return found


def _stem(word: str) -> str:
    w = word.lower()
    for suffix in ("ing", "ies", "ied", "es", "ed", "s", "ly"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 4:
            return w[: -len(suffix)]
    return w


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def key_terms(draft_text: str, notes: Iterable[str]) -> list[str]:
    """The key words of the person's notes that the draft uses (five letters or more, not
    filler), in the order the draft has them."""
    noted = {_stem(w) for n in notes for w in _WORD.findall(n) if len(w) >= 5}
    noted -= {_stem(w) for w in _STOP}
    out: list[str] = []
    for w in _WORD.findall(draft_text):
        lw = w.lower()
        if len(lw) >= 5 and lw not in _STOP and _stem(lw) in noted and lw not in out:
            out.append(lw)
    return out


def check_facts(draft_text: str, rewrite: str, context: PersonContext) -> FactCheck:
    """Compare the rewrite with the draft it rewrites (see the module's docstring)."""
    mine, theirs = facts_of(draft_text), facts_of(rewrite)
    rewrite_words = _words(rewrite)
    rewrite_stems = {_stem(w) for w in rewrite_words}
    lowered_rewrite = " ".join(rewrite.lower().split())
    dropped: list[str] = []
    # the people and the company, as whole phrases when the draft has them so
    for name in context.names():
        if name.lower() in draft_text.lower() and name.lower() not in rewrite.lower():
            dropped.append(name)
    for kind in ("names", "dates", "times", "numbers", "emails", "urls"):
        present: set[str] = getattr(theirs, kind)
        for fact in _in_order(getattr(mine, kind), draft_text):
            if fact in present:
                continue
            if kind == "names" and fact in rewrite_words:
                continue  # it starts a sentence now
            dropped.append(fact)
    for quoted in _QUOTED.findall(draft_text):
        phrase = " ".join(quoted.lower().split())
        if phrase not in lowered_rewrite:
            dropped.append(quoted)
    for term in key_terms(draft_text, (*context.notes, *context.topics)):
        if _stem(term) not in rewrite_stems:
            dropped.append(term)
    known_text = "\n".join([draft_text, context.text()])
    known = facts_of(known_text)
    known_words = _words(known_text)
    invented: list[str] = []
    for kind in ("names", "dates", "times", "numbers", "emails", "urls"):
        allowed: set[str] = getattr(known, kind)
        for fact in _in_order(getattr(theirs, kind), rewrite):
            if fact in allowed or (kind == "names" and fact in known_words):
                continue
            if kind == "dates" and fact in _WEEKDAYS and _weekday_known(fact, known.dates):
                continue
            invented.append(fact)
    return FactCheck(_unique(dropped), _unique(invented))


def _in_order(facts: set[str], text: str) -> list[str]:
    """``facts`` in the order ``text`` first has them (as whole words)."""

    def place(fact: str) -> int:
        found = re.search(rf"(?<!\w){re.escape(fact)}(?!\w)", text, re.IGNORECASE)
        return found.start() if found else len(text)

    return sorted(facts, key=lambda f: (place(f), f))


def _weekday_known(day: str, dates: set[str]) -> bool:
    return any(d.startswith(day) for d in dates)


def _unique(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item.lower() not in seen:
            seen.add(item.lower())
            out.append(item)
    return out
