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
from followup.drafts.notes import Clause, clauses
from followup.drafts.topics import first_name

#: Rules whose drafts are built around the person's own topics: without notes they warn.
PERSONAL_RULES: Final = frozenset(
    {"thank-you", "value-add", "phone-call", "continued-interest", "cycle"}
)
#: What the candidate did, by achievement kind ("I gave a talk, “...”").
DID: Final = {
    "article": "published an article",
    "talk": "gave a talk",
    "course": "completed a course",
    "certification": "earned a certification",
    "project": "finished a project",
}
#: Words an achievement's title may start with that only repeat its kind ("Talk: ...").
_KIND_PREFIX = re.compile(
    r"^\s*(?:talk|article|post|blog post|course|certification|certificate|project|paper|"
    r"keynote|webinar|podcast)\s*[:\-–—]\s*",
    re.IGNORECASE,
)
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
    anchored = _anchored(opp, target)
    interview = _interview(opp, person, anchored, now)  # only a meeting they were in
    note = _note(opp, person, interview, exact=action.rule == "thank-you")
    earlier = _said_before(opp, person, now)
    points = _ordered(clauses(note, person.name), earlier)
    if action.rule in ("value-add", "continued-interest", "cycle"):
        # what they raised at any meeting, what was not said to them yet first
        points = _ordered(_all_points(opp, person, interview), earlier)
    if person.topics:  # the user said exactly what to mention to them
        own = [Clause(topic, "topic", own=True) for topic in person.topics]
        points = _ordered(own, earlier)
    found = [p.sentence for p in points]
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
        "points": [_point(p) for p in points],
        "has_notes": bool(found),
        "interview": _interview_data(interview, tz, now),
        # the interview the action follows, even one they were not in (a recruiter organised
        # it): only to say "my final panel", never to thank them for it
        "process": _interview_data(anchored or _latest(opp, now), tz, now),
        "last_touch": _last_touch(opp, person, tz, now),
        "news": None,
        "decision": _decision(opp, tz),
        "article": None,
        "achievement": None,
        "offer": None,
        "callback": None,
        "withdrawal": None,
        # achievements to mention in passing (a set-apart folded into this touch)
        "also": [x for x in (achievement(facts, f, points, opp, tz, now) for f in folded) if x],
        # earlier outbound touches to this person: rotates the topic a cycle touch raises
        "touch_count": sum(
            1 for t in opp.touches if t.person == person.id and t.direction == "out"
        ),
    }
    if action.rule == "value-add":
        _article(out, suggestions or [], person, points)
    elif action.rule == "continued-interest":
        out.data["news"] = _news(facts, opp, person, points, suggestions or [], folded, tz, now)
    elif action.rule == "set-apart":
        _achievement(out, facts, target, points, opp, tz, now)
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


def _anchored(opp: Opportunity, target: Target) -> Interview | None:
    """The interview the action's anchor names ("final-panel", "final-panel-next"), if any."""
    anchor = target.anchor.removesuffix("-next")
    return next((i for i in opp.interviews if i.id == anchor), None)


def _attended(interview: Interview, person: Person) -> bool:
    return person.id in interview.with_ or bool(interview.notes.get(person.id, "").strip())


def _interview(
    opp: Opportunity, person: Person, anchored: Interview | None, now: datetime
) -> Interview | None:
    """The meeting the draft may refer to: the anchored one if the person was in it, else the
    latest one they were in (by ``now``); None when they were in none (a recruiter)."""
    if anchored is not None and _attended(anchored, person):
        return anchored
    theirs = [i for i in opp.interviews if _attended(i, person) and i.at <= now]
    return max(theirs, key=lambda i: i.at, default=None)


def _latest(opp: Opportunity, now: datetime) -> Interview | None:
    return max((i for i in opp.interviews if i.at <= now), key=lambda i: i.at, default=None)


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


def _all_points(opp: Opportunity, person: Person, interview: Interview | None) -> list[Clause]:
    """Every point of this person's notes: the action's meeting first, then the latest."""
    noted = sorted(
        (i for i in opp.interviews if i.notes.get(person.id, "").strip()),
        key=lambda i: (i is not interview, -i.at.timestamp()),
    )
    out: list[Clause] = []
    for i in noted:
        out += [c for c in clauses(i.notes[person.id], person.name, limit=6) if c not in out]
    return out


def _said_before(opp: Opportunity, person: Person, now: datetime) -> str:
    """What was already sent to this person: the bodies and summaries of outbound touches."""
    return "\n".join(
        f"{t.summary or ''}\n{t.body or ''}"
        for t in opp.touches
        if t.person == person.id and t.direction == "out" and t.at <= now
    ).lower()


def _content(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9][a-z0-9'-]{3,}", text.lower()) if w not in _STOP}


def _fresh(point: Clause, earlier: str) -> bool:
    """Not said to them already: fewer than half its content words in earlier messages."""
    words = _content(point.text)
    if not words or not earlier:
        return True
    return len(words & _content(earlier)) / len(words) < 0.5


def _ordered(points: list[Clause], earlier: str) -> list[Clause]:
    """Points of the conversation first, fresh ones (not yet said to them) before the rest,
    practical details (relocation, salary...) last; at most three."""
    ranked = sorted(points, key=lambda p: (p.practical, not _fresh(p, earlier)))
    return ranked[:3]


def _point(p: Clause) -> dict[str, Any]:
    return {
        "text": p.text,
        "sentence": p.sentence,
        "quoted": p.quoted,
        "topic": p.kind == "topic",
        "addressed": p.addressed,
        "practical": p.practical,
    }


def _last_touch(opp: Opportunity, person: Person, tz: tzinfo, now: datetime) -> dict[str, Any]:
    sent = [t for t in opp.touches if t.person == person.id and t.direction == "out"]
    last = max((t for t in sent if t.at <= now), key=lambda t: t.at, default=None)
    if last is None:
        return {"kind": "", "when": "", "at": ""}
    return {"kind": last.kind, "when": when_phrase(last.at, tz, now), "at": last.at.isoformat()}


def _kind(interview: Interview) -> str:
    return interview.kind or "interview"


def _interview_data(interview: Interview | None, tz: tzinfo, now: datetime) -> dict[str, Any]:
    if interview is None:
        return {"kind": "conversation", "when": "recently", "day": "", "met": False}
    kind = re.sub(r"\s*\(.*?\)", "", interview.kind or "interview").strip() or "interview"
    return {
        "kind": kind,
        "when": when_phrase(interview.at, tz, now),
        "day": day(interview.at, tz),
        "met": True,
    }


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


def _article(
    out: Gathered, suggestions: list[Suggestion], person: Person, points: list[Clause]
) -> None:
    if not suggestions:
        out.warnings.append(
            f"no article on your reading list fits {person.name}'s topics: add one with "
            "`followup article add URL` or `followup article import FEED`"
        )
        return
    best = suggestions[0]
    out.data["article"] = article_data(best, points)
    if not best.terms:
        out.warnings.append(f"the article shares no terms with {person.name}'s notes")


def article_data(best: Suggestion, points: list[Clause]) -> dict[str, Any]:
    """An article as template data, with why it was chosen: the point of theirs it speaks to
    (the one sharing most of its terms), the term that names that talk ("scheduling"), and
    what the piece is on (its tag, else its title)."""
    a = best.article
    terms = list(best.terms)
    about = _content(" ".join((a.title, a.summary, *a.tags, *terms)))
    point = max(points, key=lambda p: len(_content(p.text) & about), default=None)
    said = point.text if point else ""
    talk = next((t for t in terms if t.lower() in said.lower() and _names_a_talk(t)), "")
    if not talk:
        talk = next((t for t in terms if _names_a_talk(t)), "")
    talk = _as_written(talk, said) if talk else ""
    tags = [t for t in a.tags if t.lower() != talk.lower()]
    tag = max(tags, key=lambda t: len(_content(t) & _content(said)), default="")
    return {
        "title": a.title,
        "url": a.url,
        "summary": _sentence(a.summary),
        "terms": terms,
        "point": _point(point) if point else None,
        "talk": talk,  # "scheduling": what "our talk on ..." names
        "on": tag,  # "HL7": what the piece is on
    }


def _names_a_talk(term: str) -> bool:
    """Can "our talk on <term>" stand without an article: a plural, an acronym, an -ing?"""
    last = term.rsplit(maxsplit=1)[-1]
    plural = last.endswith(("s", "ing")) and not last.endswith(("ss", "us"))
    return plural or last.isupper() or any(c.isdigit() for c in last)


def _as_written(term: str, text: str) -> str:
    """``term`` as the note writes it ("kyc" -> "KYC"), else as it is."""
    found = re.search(re.escape(term), text, re.IGNORECASE)
    return found.group(0) if found else term


def _news(
    facts: Facts,
    opp: Opportunity,
    person: Person,
    points: list[Clause],
    suggestions: list[Suggestion],
    folded: Sequence[str],
    tz: tzinfo,
    now: datetime,
) -> dict[str, Any]:
    """Something new since the last message to this person, for a continued-interest mail:
    an achievement of since then, else an article not sent to them, else a point of theirs
    not yet raised with them."""
    del facts, opp, person, folded, tz, now  # what is new comes from the points and articles
    # the best article is the value-add's: something new is the next one that fits a point
    for found in suggestions[1:2]:
        data = article_data(found, points)
        if data["point"]:
            return {"kind": "article", "article": data}
    return {"kind": "reflection", "article": None}


def _stems(text: str) -> set[str]:
    """Content words of five letters or more, a plural "s" folded ("deliveries" ~ "delivery")."""
    out = set()
    for w in re.findall(r"[a-z]{5,}", text.lower()):
        out.add(w[:-3] + "y" if w.endswith("ies") else w.removesuffix("s"))
    return out - _STOP


def _moment(value: date | datetime, tz: tzinfo) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, datetime.min.time(), tz)


def _achievement(
    out: Gathered,
    facts: Facts,
    target: Target,
    points: list[Clause],
    opp: Opportunity,
    tz: tzinfo,
    now: datetime,
) -> None:
    out.data["achievement"] = achievement(facts, target.anchor, points, opp, tz, now)
    if out.data["achievement"] is None:
        out.warnings.append(f"achievement '{target.anchor}' not found: the draft cannot name it")


def achievement(
    facts: Facts,
    anchor: str,
    points: list[Clause],
    opp: Opportunity,
    tz: tzinfo | None = None,
    now: datetime | None = None,
) -> dict[str, Any] | None:
    """An achievement (by id, or the slug of its title) as template data: ``said``, the
    achievement in one sentence ("I gave a talk, “Cutting churn”"), its title without a
    leading kind ("Talk: ..."), and the point of the person's it relates to most (sharing at
    least one word), if any."""
    for a in facts.achievements:
        if anchor in (a.id, slug(a.title)):
            title = _KIND_PREFIX.sub("", a.title).strip() or a.title
            words = _stems(" ".join((title, *a.tags)))
            best = max(points, key=lambda p: len(words & _stems(p.text)), default=None)
            shared = words & _stems(best.text) if best else set()
            did = DID.get(a.kind, "finished a piece of work")
            when = ""
            if tz is not None and now is not None:
                when = when_phrase(_moment(a.at, tz), tz, now)
            return {
                "kind": a.kind,
                "did": did,
                "title": title,
                "said": f"I {did}, “{title}”",
                "when": when,
                "tags": list(a.tags),
                "topic": best.sentence if best and shared else "",
                "point": _point(best) if best and shared else None,
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
