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
from followup.core.words import count

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
    "counter-offer": lambda p: (
        f"Tell {_who(p)} they are "
        + ("your first choice" if p.get("first_choice") else "one of your top choices")
    ),
    "set-apart": lambda p: f"Tell {_who(p)} about “{p['title']}”",
    "decide-by": lambda p: f"Decide on the offer from {p['company']}",
    "withdrawal": lambda p: f"Withdraw from {p['company']}: write to {_who(p)}",
}


def _thank_you(p: Params, tz: tzinfo) -> str:
    note = p.get("note")
    return f"within {p['hours']}h of your interview, to each person with a vote" + (
        f"; mention “{note}”" if note else "; no notes for them yet: add what you discussed"
    )


def _value_add(p: Params, tz: tzinfo) -> str:
    note = p.get("note")
    about = f" (“{note}”)" if note else ""
    return f"a resource tied to a challenge they raised{about}, within {count(p['days'], 'day')}"


def _callback(p: Params, tz: tzinfo) -> str:
    what = p.get("what")
    said = f" (“{what}”)" if what else ""
    day = p.get("day")
    if p.get("acts") == "they":
        by = f" by {_day(day)}" if day else ""
        return f"they said they would get back to you{by}{said}; if nothing came, follow up"
    on = f" on {_day(day)}" if day else " on the date they named"
    return f"they asked you to follow up{on}{said}; other asks to them waited for it"


def _counter_offer(p: Params, tz: tzinfo) -> str:
    expires = p.get("expires")
    by = f" (it expires {_day(expires)})" if expires else ""
    answer = p.get("answer_by")
    when = f" by {_moment(answer, tz)}" if answer else " within 24–48 hours"
    also = "; this call is also your follow-up call" if p.get("reaffirms") else ""
    return f"you hold an offer from {p['offering']}{by}; ask for their answer{when}{also}"


def _moment(iso: str, tz: tzinfo) -> str:
    return short(datetime.fromisoformat(iso), tz)


def _replaced(p: Params, tz: tzinfo) -> str:
    """Why an action needs nothing more: another touch did its job."""
    by = p.get("replaced")
    if not isinstance(by, dict):
        return ""
    if by.get("rule") == "counter-offer":
        return "done by your counter-offer call"
    if by.get("rule") == "callback":
        return "done by the follow-up on the date they named"
    channel = by.get("channel")
    how = {"phone": "called", "email": "wrote"}.get(str(channel), "got in touch")
    return f"they {how} first: that exchange did its job"


def _set_apart(p: Params, tz: tzinfo) -> str:
    why = f"something that sets you apart ({p['kind']}) that relates to the {p['job']} role"
    host_rule = p.get("host_rule")
    return why + (f"; mention it in your {host_rule} touch" if host_rule else "")


#: reason key -> why, in words
_WHYS: Final[dict[str, Callable[[Params, tzinfo], str]]] = {
    "next-step": lambda p, tz: (
        f"before you leave the interview; if you didn't, ask {_who(p)} about the "
        "decision process and timing within a business day"
    ),
    "thank-you": _thank_you,
    "value-add": _value_add,
    "phone-call": lambda p, tz: (
        "reaffirm your interest by phone; if they are still interviewing, note when to call back"
    ),
    "continued-interest": lambda p, tz: (
        f"show continued interest {p['lo']}–{p['hi']} days after the interview"
    ),
    "callback": _callback,
    "decision-date-passed": lambda p, tz: (
        f"the decision date ({_day(p['day'])}) passed with no news; ask at most once"
    ),
    "silence": lambda p, tz: f"{count(p['days'], 'day')} without news; ask at most once",
    "named-date-passed": lambda p, tz: "the date they named passed with no news; ask at most once",
    "cycle": lambda p, tz: (
        f"{p['lo']}–{p['hi']} days since the last exchange; "
        f"least recently contacted, by {p['channel']} this time"
    ),
    "counter-offer": _counter_offer,
    "set-apart": _set_apart,
    "decide-by": lambda p, tz: (
        f"it expires {_day(p['expires'])}: accept it, decline it, or ask them for more time"
    ),
    "withdrawal": lambda p, tz: (
        f"you accepted the offer from {p['accepted']} ({_day(p['day'])}); "
        + ("decline their offer, " if p.get("declines") else "")
        + "thank them and withdraw politely, so they can move on"
    ),
}


def verb(rule: str, params: Params) -> str:
    """The short "what" of an action ("Thank Dana Lee (hiring manager)")."""
    make = _VERBS.get(rule)
    try:
        return make(params) if make else rule
    except (KeyError, ValueError, TypeError):
        return rule  # a stored plan from another version: say what we can, never fail


def why(key: str, params: Params, tz: tzinfo) -> str:
    """The reason in words; for an action another touch did, what did it."""
    try:
        if params.get("replaced"):
            return _replaced(params, tz)
        make = _WHYS.get(key)
        text = make(params, tz) if make else ""
        held = params.get("held")
        if held:  # moved past its usual days: say why, so the days above do not mislead
            text += f"; it waited for the date they named ({_day(str(held))})"
        return text
    except (KeyError, ValueError, TypeError, AttributeError):
        return ""


def hours(params: Params) -> str:
    """', 09:00–17:00 Europe/Berlin on working days' for a call ('' for other actions); the
    zone is named when it is not the candidate's own."""
    h = params.get("business_hours")
    if not isinstance(h, list) or len(h) != 3:
        return ""
    where = f" {h[2]}" if h[2] else ""
    apart = (
        " (their hours fall outside your day: agree a time by e-mail first)"
        if params.get("no_overlap")
        else ""
    )
    return f", {h[0]:02d}:00–{h[1]:02d}:00{where} on working days{apart}"


def describe(
    rule: str, key: str, params: Params, start: datetime, end: datetime, tz: tzinfo
) -> str:
    """'Thank Dana Lee by Wed 2 Dec 14:00 — within 24h of your interview, …'"""
    if end - start <= DAY:
        when = f"by {short(end, tz)}"
    else:
        when = f"between {short(start, tz)} and {short(end, tz)}"
    return f"{verb(rule, params)} {when}{hours(params)} — {why(key, params, tz)}"
