"""What a draft may say about one action: everything known, as plain data for a template.

The context holds only strings, numbers, booleans, lists and dicts of them: user text (notes,
names, titles) reaches the template as data, never as template source, and the sandbox has no
objects with methods to reach through.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, Final
from zoneinfo import ZoneInfo

from followup.articles.model import Suggestion
from followup.core.model import Action, Facts, Interview, Opportunity, Person
from followup.core.reasons import ROLE_LABEL
from followup.core.rules import DRAFTED_RULES
from followup.core.view import slug
from followup.drafts.topics import first_name, topics

#: Rules whose drafts are built around the person's own topics: without notes they warn.
PERSONAL_RULES: Final = frozenset(
    {"thank-you", "value-add", "phone-call", "continued-interest", "cycle"}
)
#: What the candidate did, by achievement kind ("I recently gave a talk: ...").
DID: Final = {
    "article": "published an article",
    "talk": "gave a talk",
    "course": "completed a course",
    "certification": "earned a certification",
    "project": "finished a project",
}
#: How many phrasings the built-in templates vary between: the n-th person of an interview
#: gets the n-th (so a panel of four gets four different letters); templates with fewer
#: phrasings use ``variant % 3``.
VARIANTS: Final = 4
_STOP_TEXT = """
a an and the of to in on for with by at from or is are was be it its this that as we i you
my your our their they he she his her how what about
"""
_STOP = frozenset(_STOP_TEXT.split())


@dataclass(frozen=True, slots=True)
class Target:
    """The parts of an action id: ``rule:opportunity:person:anchor``."""

    rule: str
    opportunity: str
    person: str
    anchor: str

    @classmethod
    def of(cls, action: Action) -> Target:
        parts = action.id.split(":", 3)
        while len(parts) < 4:
            parts.append("")
        return cls(*parts)


@dataclass(slots=True)
class Gathered:
    """A template context and the warnings found while building it."""

    data: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def gather(
    action: Action,
    facts: Facts,
    now: datetime,
    suggestions: list[Suggestion] | None = None,
    folded: Sequence[str] = (),
    position: int | None = None,
) -> Gathered:
    """The context of ``action``'s draft. ``suggestions``: articles for a value-add (best
    first); ``folded``: ids of achievements whose set-apart rides along with this touch;
    ``position``: the opportunity's place in the stored order (else found in ``facts``).

    Raises ValueError when the action is not one that gets a draft.
    """
    target = Target.of(action)
    opp = facts.opportunity(action.opportunity or "")
    person = opp.person(action.person or "") if opp else None
    if action.rule not in DRAFTED_RULES or opp is None or person is None:
        raise ValueError(f"{action.rule} actions have no draft (they are not a message or call)")
    tz = ZoneInfo(facts.profile.timezone)
    interview = _interview(opp, person, target)
    note = _note(opp, person, interview, exact=action.rule == "thank-you")
    found = topics(note)
    out = Gathered({})
    if not found and action.rule in PERSONAL_RULES:
        out.warnings.append(
            f"no notes for {person.name}"
            + (f" from the {_kind(interview)}" if interview else "")
            + ": the draft marks where the personal part belongs — write what you discussed "
            "with them, or add notes with `followup interview add --note`"
        )
    # People met together, and the same rule across opportunities, get different phrasings.
    opp_index = position
    if opp_index is None:
        opp_index = next((n for n, o in enumerate(facts.opportunities) if o.id == opp.id), 0)
    met = list(interview.with_) if interview and person.id in interview.with_ else []
    place = met.index(person.id) if met else [p.id for p in opp.people].index(person.id)
    variant = (opp_index + place) % VARIANTS
    if action.rule == "withdrawal":  # one note to each employer, each its own phrasing
        variant = opp_index % VARIANTS
    out.data = {
        "rule": action.rule,
        "channel": action.channel or "email",
        "variant": variant,
        "sender": facts.profile.name or "",
        "sender_first": first_name(facts.profile.name) if facts.profile.name else "",
        "person": {
            "name": person.name,
            "first_name": first_name(person.name),
            "role": ROLE_LABEL.get(person.role, ""),
        },
        "company": opp.company,
        "job": opp.role,
        "topics": found,
        "has_notes": bool(found),
        "interview": _interview_data(interview, tz, now),
        "decision": _decision(opp, tz),
        "article": None,
        "achievement": None,
        "offer": None,
        "callback": None,
        "withdrawal": None,
        # achievements to mention in passing (a set-apart folded into this touch)
        "also": [x for x in (achievement(facts, f, found, opp) for f in folded) if x],
        # earlier outbound touches to this person: rotates the topic a cycle touch raises
        "touch_count": sum(
            1 for t in opp.touches if t.person == person.id and t.direction == "out"
        ),
    }
    if action.rule == "value-add":
        _article(out, suggestions or [], person)
    elif action.rule == "set-apart":
        _achievement(out, facts, target, found, opp)
    elif action.rule == "counter-offer":
        _offer(out, facts, target, tz, now, action.params or {})
    elif action.rule == "callback":
        _callback(out, opp, person, target, tz)
        # who acts on the date, as the plan says (the reason says the same)
        out.data["callback"]["theirs"] = (action.params or {}).get("acts") == "they"
    elif action.rule == "withdrawal":
        out.data["withdrawal"] = {
            # declining their offer, or withdrawing an application
            "declines_offer": any(o.held for o in opp.offers),
            "met": interview is not None,
        }
    return out


def _interview(opp: Opportunity, person: Person, target: Target) -> Interview | None:
    """The interview the action follows: named by the anchor, else the person's latest."""
    anchor = target.anchor.removesuffix("-next")
    for i in opp.interviews:
        if i.id == anchor:
            return i
    theirs = [i for i in opp.interviews if person.id in i.with_ or person.id in i.notes]
    return max(theirs, key=lambda i: i.at, default=None)


def _note(
    opp: Opportunity, person: Person, interview: Interview | None, *, exact: bool
) -> str | None:
    """This person's notes: from the interview itself, else (``exact`` off) their latest."""
    if interview is not None and interview.notes.get(person.id, "").strip():
        return interview.notes[person.id]
    if exact:
        return None
    noted = [i for i in opp.interviews if i.notes.get(person.id, "").strip()]
    latest = max(noted, key=lambda i: i.at, default=None)
    return latest.notes[person.id] if latest else None


def _kind(interview: Interview) -> str:
    return interview.kind or "interview"


def _interview_data(interview: Interview | None, tz: tzinfo, now: datetime) -> dict[str, Any]:
    if interview is None:
        return {"kind": "conversation", "when": "recently", "day": ""}
    kind = re.sub(r"\s*\(.*?\)", "", interview.kind or "interview").strip() or "interview"
    return {"kind": kind, "when": when_phrase(interview.at, tz, now), "day": day(interview.at, tz)}


def when_phrase(moment: datetime, tz: tzinfo, now: datetime) -> str:
    """'yesterday', 'on Thursday' (within the past week) or 'on 12 November'."""
    local, today = moment.astimezone(tz).date(), now.astimezone(tz).date()
    if local == today:
        return "today"
    if local == today - timedelta(days=1):
        return "yesterday"
    if today - timedelta(days=6) <= local < today:
        return f"on {local:%A}"
    return f"on {day(local, tz)}"


def day(value: date | datetime, tz: tzinfo) -> str:
    """'Thursday 12 November'."""
    if isinstance(value, datetime):
        value = value.astimezone(tz).date()
    return f"{value:%A} {value.day} {value:%B}"


def _decision(opp: Opportunity, tz: tzinfo) -> dict[str, Any]:
    d = opp.decision
    return {
        "by": day(d.expected_by, tz) if d and d.expected_by else "",
        "process": (d.process or "") if d else "",
    }


def _article(out: Gathered, suggestions: list[Suggestion], person: Person) -> None:
    if not suggestions:
        out.warnings.append(
            f"no article on your reading list fits {person.name}'s topics: add one with "
            "`followup article add URL` or `followup article import FEED`"
        )
        return
    best = suggestions[0]
    out.data["article"] = {
        "title": best.article.title,
        "url": best.article.url,
        "summary": _sentence(best.article.summary),
        "terms": list(best.terms),
    }
    if not best.terms:
        out.warnings.append(f"the article shares no terms with {person.name}'s notes")


def _achievement(
    out: Gathered, facts: Facts, target: Target, found: list[str], opp: Opportunity
) -> None:
    out.data["achievement"] = achievement(facts, target.anchor, found, opp)
    if out.data["achievement"] is None:
        out.warnings.append(f"achievement '{target.anchor}' not found: the draft cannot name it")


def achievement(
    facts: Facts, anchor: str, found: list[str], opp: Opportunity
) -> dict[str, Any] | None:
    """An achievement (by id, or the slug of its title) as template data, with the person's
    topic it relates to most (sharing at least one word), if any."""
    for a in facts.achievements:
        if anchor in (a.id, slug(a.title)):
            words = set(re.findall(r"[a-z]+", " ".join((a.title, *a.tags)).lower()))
            words -= _STOP
            best = max(
                found,
                key=lambda t: len(words & set(re.findall(r"[a-z]+", t.lower()))),
                default="",
            )
            shared = words & set(re.findall(r"[a-z]+", best.lower()))
            return {
                "kind": a.kind,
                "did": DID.get(a.kind, "finished a piece of work"),
                "title": a.title,
                "tags": list(a.tags),
                "topic": best if shared else "",
                "why": ", ".join(a.tags) or opp.role,
            }
    return None


def _offer(
    out: Gathered,
    facts: Facts,
    target: Target,
    tz: tzinfo,
    now: datetime,
    params: Mapping[str, Any],
) -> None:
    """The offer in hand and the answer asked for: the date the plan worked out (the reason
    and the calendar say the same), and "first choice" only for the top-ranked employer."""
    opp_id, _, offer_id = target.anchor.rpartition(".")
    other = facts.opportunity(opp_id)
    offer = next((o for o in other.offers if o.id == offer_id), None) if other else None
    try:
        answer_by = datetime.fromisoformat(str(params["answer_by"]))
    except (KeyError, ValueError):
        answer_by = now + timedelta(hours=48)
    expires = ""
    if offer is not None and offer.expires is not None:
        expires = day(offer.expires, tz)
    out.data["offer"] = {
        "expires": expires,
        "answer_by": day(answer_by, tz),
        "other_company": other.company if other else "another company",
        "first_choice": bool(params.get("first_choice")),
    }


def _callback(out: Gathered, opp: Opportunity, person: Person, target: Target, tz: tzinfo) -> None:
    """What the employer said about the date: the agreed next step, or their message."""
    said, when = "", ""
    for i in opp.interviews:
        if target.anchor == f"{i.id}-next" and i.next_step is not None:
            said, when = i.next_step.what, day(i.next_step.when, tz)
    if not said:
        dated = [t for t in opp.touches if t.person == person.id and t.states_date is not None]
        if dated:
            latest = max(dated, key=lambda t: t.at)
            said = latest.summary or ""
            when = day(latest.states_date, tz) if latest.states_date else ""
    out.data["callback"] = {"said": _sentence(said), "when": when}


def _sentence(text: str, limit: int = 240) -> str:
    """Text for one line of a draft: whitespace collapsed, cut at a sentence if long."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    stop = cut.rfind(". ")
    return cut[: stop + 1] if stop > 60 else cut.rstrip() + "…"
