"""Why each action is planned, in words: the one place a reason becomes text.

The planner keeps a reason as data: a key (``why``) and raw values (names, roles, the first
sentence of a note, numbers of days, ISO days). Stored plans hold those values, never the text,
so a change of wording, language or date format shows at once, without planning again.

``verb(...)`` is the short "what" ("Thank Dana Lee (hiring manager)"), ``describe(...)`` the whole
line ("Thank Dana Lee (hiring manager) by Wed 2 Dec 14:00 — within 24h of your interview, …").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, tzinfo
from typing import Any, Final

from followup.core.timewin import DAY, short, short_day

Params = Mapping[str, Any]

ROLE_LABEL: Final = {
    "hiring-manager": "hiring manager",
    "hr": "HR",
    "recruiter": "recruiter",
    "panel": "panel interviewer",
    "executive": "executive",
    "other": "",
}


def label(name: str, role: str) -> str:
    """'Dana Lee (hiring manager)'."""
    shown = ROLE_LABEL.get(role, "")
    return f"{name} ({shown})" if shown else name


def _who(p: Params) -> str:
    return label(str(p.get("name", "")), str(p.get("role", "")))


def _day(iso: str) -> str:
    return short_day(date.fromisoformat(iso[:10]))


#: rule -> the short "what" of its actions
_VERBS: Final[dict[str, Callable[[Params], str]]] = {
    "next-step": lambda p: f"Agree the next step with {p['company']}",
    "thank-you": lambda p: f"Thank {_who(p)}",
    "value-add": lambda p: f"Send {_who(p)} an article",
    "phone-call": lambda p: f"Call {_who(p)}",
    "continued-interest": lambda p: f"E-mail {_who(p)}",
    "callback": lambda p: f"Follow up with {_who(p)}",
    "still-in-running": lambda p: f"Ask {_who(p)} whether you are still in the running",
    "cycle": lambda p: f"Keep in touch with {_who(p)}",
    "counter-offer": lambda p: f"Tell {_who(p)} they are your first choice",
    "set-apart": lambda p: f"Tell {_who(p)} about “{p['title']}”",
}


def _thank_you(p: Params) -> str:
    note = p.get("note")
    return f"within {p['hours']}h of your interview, to each person with a vote" + (
        f"; mention “{note}”" if note else "; no notes for them yet: add what you discussed"
    )


def _value_add(p: Params) -> str:
    note = p.get("note")
    about = f" (“{note}”)" if note else ""
    return f"a resource tied to a challenge they raised{about}, within {p['days']} days"


def _callback(p: Params) -> str:
    what = p.get("what")
    said = f"they said “{what}”" if what else "the date they named"
    return f"{said}: act on the agreed date"


def _counter_offer(p: Params) -> str:
    expires = p.get("expires")
    by = f" (it expires {_day(expires)})" if expires else ""
    return f"you hold an offer from {p['offering']}{by}; ask for an answer within 24–48 hours"


def _set_apart(p: Params) -> str:
    why = f"something that sets you apart ({p['kind']}) that relates to the {p['job']} role"
    host_rule = p.get("host_rule")
    return why + (f"; mention it in your {host_rule} touch" if host_rule else "")


#: reason key -> why, in words
_WHYS: Final[dict[str, Callable[[Params], str]]] = {
    "next-step": lambda p: (
        f"before you leave the interview; if you didn't, ask {_who(p)} about the "
        "decision process and timing within a business day"
    ),
    "thank-you": _thank_you,
    "value-add": _value_add,
    "phone-call": lambda p: (
        "reaffirm your interest by phone; if they are still interviewing, note when to call back"
    ),
    "continued-interest": lambda p: (
        f"show continued interest {p['lo']}–{p['hi']} days after the interview"
    ),
    "callback": _callback,
    "decision-date-passed": lambda p: (
        f"the decision date ({_day(p['day'])}) passed with no news; ask at most once"
    ),
    "silence": lambda p: f"{p['days']} days without news; ask at most once",
    "named-date-passed": lambda p: "the date they named passed with no news; ask at most once",
    "cycle": lambda p: (
        f"{p['lo']}–{p['hi']} days since the last exchange; "
        f"least recently contacted, by {p['channel']} this time"
    ),
    "counter-offer": _counter_offer,
    "set-apart": _set_apart,
}


def verb(rule: str, params: Params) -> str:
    """The short "what" of an action ("Thank Dana Lee (hiring manager)")."""
    make = _VERBS.get(rule)
    try:
        return make(params) if make else rule
    except (KeyError, ValueError, TypeError):
        return rule  # a stored plan from another version: say what we can, never fail


def why(key: str, params: Params) -> str:
    make = _WHYS.get(key)
    try:
        return make(params) if make else ""
    except (KeyError, ValueError, TypeError):
        return ""


def hours(params: Params) -> str:
    """', 09:00–17:00 Europe/Berlin on working days' for a call ('' for other actions); the
    zone is named when it is not the candidate's own."""
    h = params.get("business_hours")
    if not isinstance(h, list) or len(h) != 3:
        return ""
    where = f" {h[2]}" if h[2] else ""
    return f", {h[0]:02d}:00–{h[1]:02d}:00{where} on working days"


def describe(
    rule: str, key: str, params: Params, start: datetime, end: datetime, tz: tzinfo
) -> str:
    """'Thank Dana Lee by Wed 2 Dec 14:00 — within 24h of your interview, …'"""
    if end - start <= DAY:
        when = f"by {short(end, tz)}"
    else:
        when = f"between {short(start, tz)} and {short(end, tz)}"
    return f"{verb(rule, params)} {when}{hours(params)} — {why(key, params)}"
