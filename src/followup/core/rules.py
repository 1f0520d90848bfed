"""The playbook's rules, one small function each.

Every rule reads the facts of one opportunity (through ``OppView``) and returns ``Item``s: planned
actions with a window, a verb ("Thank Dana Lee") and a why ("within 24h of your interview…"). A
rule also says whether a logged touch already did the job (``done_at``). Windows are half-open.
Rules never look at the clock: whether an item is due or overdue is decided later, at ``now``.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any, Final, NamedTuple

from followup.core.model import OUTCOMES, Achievement, Interview, Opportunity, Person
from followup.core.rules_offers import decide_by, withdrawal
from followup.core.timewin import DAY, WorkCalendar, as_moment, day_end, local_midnight
from followup.core.view import (
    HOUR,
    LEAD_ORDER,
    Item,
    OppView,
    excerpt,
    hours_after,
    slug,
    who,
)

# --- the post-interview sequence ------------------------------------------------------------
#
# Every interview proposes its follow-ups. The first one plans them for the whole decision: a
# thank-you to each person with a vote, the article and the continued-interest e-mail to the
# hiring manager (and key people), calls to the hiring manager and whoever runs the process. A
# later interview plans them only for the people in it: a thank-you to each, the article and the
# call only where that person is the hiring manager or key, the e-mail only if the lead was
# there. What is still pending from an earlier interview stays, unless a later one plans the
# same follow-up to the same person: then the later one takes its place (``sequence``). What
# was done stays, as history.


def next_step(v: OppView, i: Interview) -> Iterator[Item]:
    contact = v.contact
    if contact is None:
        return
    end = v.end_of(i)
    done = end if i.next_step is not None else None
    if done is None:
        for t in v.touches_from(i.at):
            if t.states_date is not None or (
                t.direction == "out" and t.person == contact.id and t.kind == "check-in"
            ):
                done = t.at
                break
    if done is None and v.planned_later("next-step", contact):
        return
    yield Item(
        rule="next-step",
        opp=v.opp,
        person=contact,
        anchor=i.id,
        channel=None,  # any channel will do
        start=v.local(i.at) - v.pb.next_step_lead_days * DAY,
        end=v.calendar(contact).add_business_days(end, 1),
        why="next-step",
        params={**who(contact), "company": v.opp.company},
        done_at=done,
    )


def thank_you(v: OppView, i: Interview) -> Iterator[Item]:
    end = v.end_of(i)
    due = hours_after(end, v.pb.thank_you_hours)
    for p in v.met_in(i):
        done = v.done_at("thank-you", p, "thank-you", i)
        if done is None and v.planned_later("thank-you", p):
            continue
        yield Item(
            rule="thank-you",
            opp=v.opp,
            person=p,
            anchor=i.id,
            channel="email",
            start=end,
            end=due,
            why="thank-you",
            params={**who(p), "hours": v.pb.thank_you_hours, "note": excerpt(i.notes.get(p.id))},
            done_at=done,
        )


def _key_met(v: OppView, i: Interview) -> list[Person]:
    """The hiring managers and key people with a vote you met in ``i``."""
    return [p for p in v.met_in(i) if p.role == "hiring-manager" or p.key]


def value_add(v: OppView, i: Interview) -> Iterator[Item]:
    end = v.end_of(i)
    if v.is_first(i):
        targets = [p for p in v.opp.people if p.role == "hiring-manager"]
        if not targets and v.lead is not None:
            targets = [v.lead]
        targets += [p for p in _key_met(v, i) if p not in targets]
    else:
        targets = _key_met(v, i)
    for p in targets:
        done = v.done_at("value-add", p, "value-add", i)
        if done is None and v.planned_later("value-add", p):
            continue
        yield Item(
            rule="value-add",
            opp=v.opp,
            person=p,
            anchor=i.id,
            channel="email",
            start=end + v.pb.value_add_start_days * DAY,
            end=end + v.pb.value_add_end_days * DAY,
            why="value-add",
            params={
                **who(p),
                "note": excerpt(i.notes.get(p.id)),
                "days": v.pb.value_add_end_days,
            },
            done_at=done,
        )


def phone_call(v: OppView, i: Interview) -> Iterator[Item]:
    end = v.end_of(i)
    if v.is_first(i):
        targets = [p for p in v.opp.people if p.role in ("hiring-manager", "hr", "recruiter")]
    else:
        targets = _key_met(v, i)
    mornings: dict[WorkCalendar, datetime] = {}  # people in one calendar share the morning
    for p in targets:
        done = v.done_at("phone-call", p, "call", i)
        if done is None and v.planned_later("phone-call", p):
            continue
        cal = v.calendar(p)
        start = mornings.get(cal)
        if start is None:  # the morning of the business day the calls may begin
            next_day = cal.add_business_days(end, v.pb.phone_call_start_business_days)
            start = mornings[cal] = cal.next_open(local_midnight(next_day, cal.tz))
        until = end + v.pb.phone_call_end_days * DAY
        if p.role == "hiring-manager":  # at least a few working days for the hiring manager
            until = max(until, cal.working_window(start, start, v.pb.call_min_business_days)[1])
        item = Item(
            rule="phone-call",
            opp=v.opp,
            person=p,
            anchor=i.id,
            channel="phone",
            start=start,
            end=max(until, start + HOUR),
            why="phone-call",
            params=who(p),
            done_at=done,
            cal=cal,
        )
        if item.pending and (t := v.heard_from(p, end, None)) is not None:
            # they called or wrote first: that exchange is the call the sequence wanted
            item.replace_by(t.at, touch=t.kind, channel=t.channel, day=_iso_day(t.at))
        yield item


def continued_interest(v: OppView, i: Interview) -> Iterator[Item]:
    p = v.lead
    if p is None or not (v.is_first(i) or p in v.met_in(i)):
        return
    done = v.done_at("continued-interest", p, "continued-interest", i)
    if done is None and v.planned_later("continued-interest", p):
        return
    end = v.end_of(i)
    yield Item(
        rule="continued-interest",
        opp=v.opp,
        person=p,
        anchor=i.id,
        channel="email",
        start=end + v.pb.continued_interest_start_days * DAY,
        end=end + v.pb.continued_interest_end_days * DAY,
        why="continued-interest",
        params={
            **who(p),
            "lo": v.pb.continued_interest_start_days,
            "hi": v.pb.continued_interest_end_days,
        },
        done_at=done,
    )


def sequence(v: OppView) -> list[Item]:
    """The post-interview sequence of every interview, in time order: what is still pending
    from an earlier interview gives way to the same follow-up to the same person planned after
    a later one."""
    items: list[Item] = []
    for i in reversed(v.interviews):  # the latest first: what it plans, earlier ones need not
        mine = [
            x
            for rule in (next_step, thank_you, value_add, phone_call, continued_interest)
            for x in rule(v, i)
        ]
        v.later.update((x.rule, x.person.id) for x in mine if x.person is not None)
        items += reversed(mine)
    items.reverse()
    return items


# --- dates the employer named, and silence ---------------------------------------------------


def callbacks(v: OppView) -> list[Item]:
    """A date the employer named, in a reply or as an interview's next step. "You" act: follow
    up with that person on the date. "They" act: they decide or get back to you by the date;
    follow up the next working day if nothing came."""
    items = []
    for t in v.touches:
        if t.states_date is not None and (p := v.people.get(t.person)) is not None:
            said = _Named(t.states_date, t.acts == "they", t.channel, t.id or "", t.at, t.summary)
            items.append(_callback(v, p, said))
    for i in v.interviews:
        step = i.next_step
        if step is None:
            continue
        p = v.people.get(step.who or "") or v.contact
        if p is not None:
            said = _Named(
                step.when,
                step.acts == "they",
                step.channel or "email",
                f"{i.id}-next",
                v.end_of(i),
                step.what,
            )
            items.append(_callback(v, p, said))
    return items


class _Named(NamedTuple):
    """A date the employer named, and what was said with it."""

    when: date | datetime
    theirs: bool  # they act by the date (else: you act on it)
    channel: str
    anchor: str
    at: datetime  # when they named it
    what: str | None


def _callback(v: OppView, p: Person, said: _Named) -> Item:
    cal = v.calendar(p)
    when = said.when
    day = when.astimezone(cal.tz).date() if isinstance(when, datetime) else when
    if said.theirs:  # the working day after theirs
        start = cal.day_open(cal.next_working_day(day))
        end = cal.day_close(start.date())
        answered = v.heard_from_employer(said.at, start)
    else:
        start = as_moment(when, cal.tz)
        if isinstance(when, datetime):
            end = hours_after(start, v.pb.callback_window_hours)
        else:
            end = day_end(when, cal.tz)
        answered = v.heard_from(p, said.at, local_midnight(start, cal.tz))
    item = Item(
        rule="callback",
        opp=v.opp,
        person=p,
        anchor=said.anchor or "named",
        channel=said.channel,
        start=start,
        end=end,
        why="callback",
        params={
            **who(p),
            "what": excerpt(said.what, 50),
            "acts": "they" if said.theirs else "you",
            "day": day.isoformat(),
        },
        cal=cal,
        since=said.at,
    )
    if answered is not None:  # news came before the follow-up was due: nothing left to do
        item.replace_by(answered.at, touch=answered.kind, channel=answered.channel)
    else:  # done by an exchange with that person on the day, never by an earlier one
        opens = local_midnight(start, cal.tz)
        item.done_at = next((t.at for t in v.touches_from(opens) if t.person == p.id), None)
    return item


def still_in_running(v: OppView, after: datetime | None) -> Iterator[Item]:
    """Ask once whether you are still considered, when the decision date passes in silence.
    ``after``: the end of the latest callback window, which the question waits for."""
    if not v.interviews or v.opp.status != "active":
        return
    p = v.contact
    if p is None:
        return
    # news: anything they sent, and any exchange in which they named a date
    heard = [t.at for t in v.touches if t.direction == "in" or t.states_date is not None]
    last_heard = heard[-1] if heard else None  # touches are in time order
    last_news = max(x for x in (v.end_of(v.interviews[-1]), last_heard) if x is not None)
    expected = v.opp.decision.expected_by if v.opp.decision else None
    if expected is not None and not (last_heard and last_heard >= as_moment(expected, v.home_tz)):
        cal = v.calendar(None)
        start = cal.next_open(day_end(expected, v.home_tz))
        params: dict[str, Any]
        why, params = "decision-date-passed", {"day": _iso_day(expected)}
    else:
        start = v.local(last_news) + v.pb.still_in_running_after_days * DAY
        why, params = "silence", {"days": v.pb.still_in_running_after_days}
    if after is not None and after > start:  # a date they named comes later: wait for it
        start = v.calendar(None).next_open(after)
        why, params = "named-date-passed", {}
    # never right after an exchange with them: not before the cycle's days have passed
    spoke = [t.at for t in v.touches if t.person == p.id]
    if spoke and start < v.local(spoke[-1]) + v.pb.cycle_min_days * DAY:
        start = v.local(spoke[-1]) + v.pb.cycle_min_days * DAY
    asked = next((t.at for t in v.outbound if t.kind == "still-in-running"), None)
    yield Item(
        rule="still-in-running",
        opp=v.opp,
        person=p,
        anchor="once",
        channel="email",
        start=start,
        end=start + v.pb.still_in_running_window_days * DAY,
        why=why,
        params={**who(p), **params},
        done_at=asked,
    )


def cycle(v: OppView, after: datetime | None, skipped: Container[str]) -> Iterator[Item]:
    """Keep in touch every 7–12 days, rotating person and channel. Only the next touch is
    planned; logging a touch moves the clock. A skipped cycle touch makes way for the next."""
    if not v.interviews or v.opp.status != "active":
        return
    voters = [p for p in v.opp.people if p.has_vote]
    if not voters:
        return
    pb = v.pb
    last_touch = v.touches[-1].at if v.touches else None
    seed_end = v.end_of(v.interviews[-1]) + pb.continued_interest_start_days * DAY
    clock = v.local(max(x for x in (last_touch, seed_end, after) if x is not None))
    never = datetime.min.replace(tzinfo=clock.tzinfo)
    last_contact = dict.fromkeys((p.id for p in voters), never)
    for t in v.outbound:
        if t.person in last_contact:
            last_contact[t.person] = t.at
    order = sorted(voters, key=lambda p: (last_contact[p.id], _RANK.get(p.role, 9)))
    last_channel: str | None = v.outbound[-1].channel if v.outbound else None
    for n in range(50):
        p = order[n % len(order)]
        channel = _next_channel(pb.cycle_channels, last_channel, p)
        item = Item(
            rule="cycle",
            opp=v.opp,
            person=p,
            anchor=clock.astimezone(UTC).strftime("%Y%m%dT%H%MZ"),
            channel=channel,
            start=clock + pb.cycle_min_days * DAY,
            end=clock + pb.cycle_max_days * DAY,
            why="cycle",
            params={**who(p), "lo": pb.cycle_min_days, "hi": pb.cycle_max_days, "channel": channel},
            cal=v.calendar(p),
        )
        yield item
        if item.id not in skipped:
            return
        clock, last_channel = item.end, channel


_RANK: Final = {role: n for n, role in enumerate(LEAD_ORDER)}


def _next_channel(channels: tuple[str, ...], last: str | None, p: Person) -> str:
    usable = [
        c
        for c in channels
        if not (c == "phone" and not p.phone) and not (c == "email" and not p.email)
    ] or list(channels)
    if last in usable:
        return usable[(usable.index(last) + 1) % len(usable)]
    return usable[0]


# --- rules across opportunities --------------------------------------------------------------


def counter_offers(v: OppView, rivals: Iterable[Opportunity], top: str | None) -> list[Item]:
    """Another offer arrived: tell each employer you prefer to the one offering (by rank),
    through its hiring manager, the same or the next working day, and ask for their answer
    within ``counter_offer_hours``, and at the latest ``counter_offer_notice_hours`` before the
    offer expires. Only ``top``, the top-ranked open opportunity, hears "first choice".
    ``rivals``: the candidate's other opportunities (their offers, ranks and statuses are all
    this rule reads of them)."""
    p = v.lead
    if not v.opp.rank or p is None:
        return []
    pb = v.pb
    cal = v.calendar(p)
    items = []
    # once this opportunity or the offering one has an outcome, only what was done stays
    history_only = v.opp.status != "active"
    for rival in rivals:
        if not _prefers(v.opp, rival):
            continue
        for offer in rival.offers:
            received = as_moment(offer.received, v.home_tz)
            told = next((t for t in v.counter_offers_told if t >= received), None)
            if told is None and (history_only or rival.status in OUTCOMES):
                continue
            start = cal.next_open(received)
            # tell them the same or the next working day; ask for their answer
            # `counter_offer_hours` later, and in time to decide before the offer expires
            today = start.astimezone(cal.tz).date()
            end = cal.day_close(cal.next_working_day(today))
            answer_by = cal.close_by(hours_after(end, pb.counter_offer_hours))
            if offer.expires is not None:
                # their answer comes `counter_offer_notice_hours` before yours is due; an offer
                # that leaves less time gets theirs by the close of the next working day
                expires = day_end(offer.expires, v.home_tz)
                latest = cal.close_by(hours_after(expires, -pb.counter_offer_notice_hours))
                answer_by = min(max(latest, end), answer_by, expires)
            # tell them early enough to leave them `counter_offer_hours`, today at the latest
            told_by = max(hours_after(answer_by, -pb.counter_offer_hours), cal.day_close(today))
            end = max(min(end, told_by, answer_by), start + HOUR)
            items.append(
                Item(
                    rule="counter-offer",
                    opp=v.opp,
                    person=p,
                    anchor=f"{rival.id}.{offer.id}",
                    channel="phone",
                    start=start,
                    end=end,
                    why="counter-offer",
                    params={
                        **who(p),
                        "offering": rival.company,
                        "expires": _iso_day(offer.expires) if offer.expires is not None else None,
                        "answer_by": answer_by.astimezone(UTC).isoformat(),
                        "first_choice": v.opp.id == top,
                    },
                    done_at=told,
                    cal=cal,
                )
            )
    return items


def top_choice(ranked: Iterable[tuple[str, int | None, str]]) -> str | None:
    """The id of the one open opportunity ranked above every other (from (id, rank, status)
    of the candidate's opportunities); None when none is ranked or two share the top rank."""
    open_ = sorted((rank, id_) for id_, rank, status in ranked if rank and status in _OPEN)
    if not open_ or (len(open_) > 1 and open_[0][0] == open_[1][0]):
        return None
    return open_[0][1]


_OPEN: Final = ("active", "offer")


def _prefers(a: Opportunity, b: Opportunity) -> bool:
    """Is ``a`` ranked above ``b``? (1 = most preferred; unranked is least.)"""
    return a.rank is not None and (b.rank is None or a.rank < b.rank)


def set_apart(v: OppView, achievements: tuple[Achievement, ...]) -> list[Item]:
    """A new achievement that relates to a job goes to its hiring manager."""
    items: list[Item] = []
    p = v.lead
    if p is None or v.opp.status not in ("active", "offer") or not v.interviews:
        return items
    began = as_moment(v.opp.applied, v.home_tz) if v.opp.applied else v.interviews[0].at
    about = _about(v) if any(a.tags for a in achievements) else ""
    for a in achievements:
        at = as_moment(a.at, v.home_tz)
        if at < began or not _relates(a, about):
            continue
        shared = next((t.at for t in v.outbound if t.person == p.id and t.at >= at), None)
        items.append(
            Item(
                rule="set-apart",
                opp=v.opp,
                person=p,
                anchor=a.id or slug(a.title),
                channel="email",
                start=at,
                end=at + v.pb.set_apart_days * DAY,
                why="set-apart",
                params={
                    **who(p),
                    "title": excerpt(a.title, 50),
                    "kind": a.kind,
                    "job": v.opp.role,
                },
                done_at=shared,
            )
        )
    return items


def _about(v: OppView) -> str:
    """What the job is about, in lower case: its role, the interview notes, the process."""
    return " ".join(
        [
            v.opp.role,
            *(n for i in v.interviews for n in i.notes.values()),
            v.opp.decision.process or "" if v.opp.decision else "",
        ]
    ).lower()


def _relates(a: Achievement, about: str) -> bool:
    """Does ``a`` relate to the job ``about`` says? (An achievement without tags relates to all.)"""
    return not a.tags or any(tag.lower() in about for tag in a.tags)


def _iso_day(value: date | datetime) -> str:
    return (value.date() if isinstance(value, datetime) else value).isoformat()


# --- the registry: one row per rule, from which every other list derives ----------------------


class Rule(NamedTuple):
    """What the planner, `followup done`, the drafts and the web page need to know of a rule."""

    id: str
    what: str  # the README's playbook table says the same
    propose: Callable[..., Iterable[Item]] | None  # None: derived per candidate at read time
    completed_by: str | None  # the touch kind `followup done` logs; None: not done by a touch
    sequence: int | None  # position in the post-interview sequence (spread over days)
    guarded: bool  # spaced out by the guardrails after the sequence
    drafted: bool  # gets a draft
    written: bool  # always a written message, never a call
    settings: tuple[str, ...]  # the playbook settings it reads
    #: a proactive ask that waits while a date the employer named is still to come
    waits: bool = False
    #: what the touch `followup done` logs says was done ({name}: the person; {medium}: "e-mail",
    #: "call"...): "Thank-you e-mail to Dana Lee"
    logged: str = ""


RULES: Final[tuple[Rule, ...]] = (
    Rule(
        "next-step",
        "agree the next step; if none was agreed, ask about the decision process and timing",
        next_step, "check-in", None, False, True, True, ("next_step_lead_days",),
        logged="Asked {name} about the next step",
    ),
    Rule(
        "thank-you",
        "a personal thank-you about what *that* person discussed",
        thank_you, "thank-you", 0, False, True, True, ("thank_you_hours",),
        logged="Thank-you {medium} to {name}",
    ),
    Rule(
        "value-add",
        "an article tied to a challenge they raised",
        value_add, "value-add", 2, False, True, True,
        ("value_add_start_days", "value_add_end_days"),
        logged="Article sent to {name}",
    ),
    Rule(
        "phone-call",
        "reaffirm interest by phone",
        phone_call, "call", 1, False, True, False,
        ("phone_call_start_business_days", "phone_call_end_days", "call_min_business_days"),
        waits=True,
        logged="Call to {name} to reaffirm interest",
    ),
    Rule(
        "continued-interest",
        "an e-mail showing continued interest",
        continued_interest, "continued-interest", 3, False, True, True,
        ("continued_interest_start_days", "continued_interest_end_days"),
        waits=True,
        logged="Continued-interest {medium} to {name}",
    ),
    Rule(
        "cycle",
        "keep in touch, rotating person (least recently contacted) and channel",
        cycle, "check-in", None, True, True, False,
        ("cycle_min_days", "cycle_max_days", "cycle_channels"),
        waits=True,
        logged="Kept in touch with {name} ({medium})",
    ),
    Rule(
        "callback",
        "the date the employer named",
        callbacks, "check-in", None, False, True, False, ("callback_window_hours",),
        logged="Followed up with {name} on the date they named ({medium})",
    ),
    Rule(
        "still-in-running",
        "ask whether you are still considered — once per opportunity",
        still_in_running, "still-in-running", None, True, True, True,
        ("still_in_running_after_days", "still_in_running_window_days"),
        waits=True,
        logged="Asked {name} whether you are still considered",
    ),
    Rule(
        "counter-offer",
        'another offer arrived: tell those you prefer (only the top-ranked hears "first '
        'choice"), ask for an answer in 24–48h',
        counter_offers, "counter-offer", None, False, True, False,
        ("counter_offer_hours", "counter_offer_notice_hours"),
        logged="Told {name} about another offer ({medium})",
    ),
    Rule(
        "set-apart",
        "share an achievement that relates to the job",
        set_apart, "other", None, True, True, True, ("set_apart_days",),
        logged="Shared an achievement with {name}",
    ),
    Rule(
        "decide-by",
        "an offer you hold expires soon: accept it, decline it or ask for more time",
        decide_by, None, None, False, False, False, ("offer_decide_days",),
    ),
    Rule(
        "withdrawal",
        "you accepted an offer: thank every other employer still in play and withdraw",
        withdrawal, "other", None, False, True, True, ("withdrawal_days",),
        logged="Thanked {name} and withdrew ({medium})",
    ),
    Rule(
        "keep-searching",
        "this week's target of new applications; warns when the pipeline is thin",
        None, None, None, False, False, False, ("weekly_target", "thin_pipeline"),
    ),
)  # fmt: skip

BY_ID: Final = {r.id: r for r in RULES}
#: how a channel is named in what a done touch says ("Thank-you e-mail to Dana Lee")
_MEDIUM: Final = {
    "email": "e-mail",
    "phone": "call",
    "letter": "letter",
    "linkedin": "LinkedIn message",
    "in-person": "visit",
}


def logged_summary(rule_id: str, channel: str | None, name: str) -> str:
    """What the touch `followup done` logs for ``rule_id`` says was done, to ``name``."""
    rule = BY_ID.get(rule_id)
    medium = _MEDIUM.get(channel or "", "message")
    if rule is None or not rule.logged:
        return f"{rule_id} to {name}"
    return rule.logged.format(name=name, medium=medium)


#: the post-interview sequence, in the order its touches to one person go out
SEQUENCE: Final = tuple(
    r.id for r in sorted(RULES, key=lambda r: r.sequence or 0) if r.sequence is not None
)
SEED_RULES: Final = frozenset(SEQUENCE)
GUARDED_RULES: Final = frozenset(r.id for r in RULES if r.guarded)
DONE_KIND: Final = {r.id: r.completed_by for r in RULES if r.completed_by is not None}
DRAFTED_RULES: Final = tuple(r.id for r in RULES if r.drafted)
WRITTEN_RULES: Final = frozenset(r.id for r in RULES if r.written)
#: the proactive asks that wait while a date the employer named is still to come
WAITING_RULES: Final = frozenset(r.id for r in RULES if r.waits)
#: settings that no single rule owns: the guardrails and business hours
SHARED_SETTINGS: Final = (
    "person_gap_days",
    "opportunity_max_touches",
    "opportunity_window_days",
    "business_hours_start",
    "business_hours_end",
    "working_days",
    "missed_after_days",
    "candidate_day_start",
    "candidate_day_end",
    "call_overlap_hours",
)
