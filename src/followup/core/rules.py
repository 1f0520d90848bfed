"""The playbook's rules, one small function each.

Every rule reads the facts of one opportunity (through ``OppView``) and returns ``Item``s: planned
actions with a window, a verb ("Thank Dana Lee") and a why ("within 24h of your interview…"). A
rule also says whether a logged touch already did the job (``done_at``). Windows are half-open.
Rules never look at the clock: whether an item is due or overdue is decided later, at ``now``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from followup.core.model import Achievement, Interview, Person, Touch
from followup.core.playbook import Playbook
from followup.core.timewin import DAY, as_moment, day_end, local_midnight, short_day, zone
from followup.core.view import (
    HOUR,
    LEAD_ORDER,
    Item,
    OppView,
    excerpt,
    hours_after,
    label,
    slug,
)

# --- the post-interview sequence ------------------------------------------------------------


def next_step(v: OppView, i: Interview) -> Iterator[Item]:
    who = v.contact
    if who is None:
        return
    end = v.end_of(i)
    done = end if i.next_step is not None else None
    if done is None:
        for t in v.touches:
            if t.at >= i.at and (
                t.states_date is not None
                or (t.direction == "out" and t.person == who.id and t.kind == "check-in")
            ):
                done = t.at
                break
    yield Item(
        rule="next-step",
        opp=v.opp,
        person=who,
        anchor=i.id,
        channel=None,  # any channel will do
        start=v.local(i.at) - v.pb.next_step_lead_days * DAY,
        end=v.calendar(who).add_business_days(end, 1),
        verb=f"Agree the next step with {v.opp.company}",
        why=f"before you leave the interview; if you didn't, ask {label(who)} about the "
        "decision process and timing within a business day",
        done_at=done,
    )


def thank_you(v: OppView, i: Interview) -> Iterator[Item]:
    end = v.end_of(i)
    for pid in i.with_:
        p = v.people.get(pid)
        if p is None or not p.has_vote:
            continue
        about = excerpt(i.notes.get(pid))
        why = "within 24h of your interview, to each person with a vote"
        if v.pb.thank_you_hours != 24:
            why = f"within {v.pb.thank_you_hours}h of your interview, to each person with a vote"
        yield Item(
            rule="thank-you",
            opp=v.opp,
            person=p,
            anchor=i.id,
            channel="email",
            start=end,
            end=hours_after(end, v.pb.thank_you_hours),
            verb=f"Thank {label(p)}",
            why=why
            + (
                f"; mention “{about}”"
                if about
                else "; no notes for them yet: add what you discussed"
            ),
            done_at=v.first_out(p, "thank-you", i),
        )


def value_add(v: OppView, i: Interview) -> Iterator[Item]:
    end = v.end_of(i)
    lead = v.lead
    targets = [p for p in v.opp.people if p.role == "hiring-manager"]
    if not targets and lead is not None:
        targets = [lead]
    targets += [
        p
        for pid in i.with_
        if (p := v.people.get(pid)) is not None and p.key and p.has_vote and p not in targets
    ]
    for p in targets:
        about = excerpt(i.notes.get(p.id))
        yield Item(
            rule="value-add",
            opp=v.opp,
            person=p,
            anchor=i.id,
            channel="email",
            start=end + v.pb.value_add_start_days * DAY,
            end=end + v.pb.value_add_end_days * DAY,
            verb=f"Send {label(p)} an article",
            why="a resource tied to a challenge they raised"
            + (f" (“{about}”)" if about else "")
            + f", within {v.pb.value_add_end_days} days",
            done_at=v.first_out(p, "value-add", i),
        )


def phone_call(v: OppView, i: Interview) -> Iterator[Item]:
    end = v.end_of(i)
    for p in v.opp.people:
        if p.role not in ("hiring-manager", "hr", "recruiter"):
            continue
        cal = v.calendar(p)
        next_day = cal.add_business_days(end, v.pb.phone_call_start_business_days)
        start = cal.next_open(local_midnight(next_day, cal.tz))  # that business day's morning
        yield Item(
            rule="phone-call",
            opp=v.opp,
            person=p,
            anchor=i.id,
            channel="phone",
            start=start,
            end=max(end + v.pb.phone_call_end_days * DAY, start + HOUR),
            verb=f"Call {label(p)}",
            why="reaffirm your interest by phone; if they are still interviewing, "
            "note when to call back",
            done_at=v.first_out(p, "call", i),
            cal=cal,
        )


def continued_interest(v: OppView, i: Interview) -> Iterator[Item]:
    p = v.lead
    if p is None:
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
        verb=f"E-mail {label(p)}",
        why=f"show continued interest {v.pb.continued_interest_start_days}–"
        f"{v.pb.continued_interest_end_days} days after the interview",
        done_at=v.first_out(p, "continued-interest", i),
    )


def sequence(v: OppView) -> list[Item]:
    """The post-interview sequence. A later interview supersedes what is still pending from an
    earlier one: you thank a person for the latest meeting, and the article, the calls and the
    continued-interest e-mail follow the latest round. What was done stays, as history."""
    items: list[Item] = []
    for n, i in enumerate(v.interviews):
        later = v.interviews[n + 1 :]
        met_again = {pid for j in later for pid in j.with_}
        for rule in (next_step, thank_you, value_add, phone_call, continued_interest):
            for x in rule(v, i):
                superseded = bool(later) and (
                    x.rule != "thank-you" or (x.person is not None and x.person.id in met_again)
                )
                if x.done_at is not None or not superseded:
                    items.append(x)
    return items


# --- dates the employer named, and silence ---------------------------------------------------


def callbacks(v: OppView) -> list[Item]:
    items = []
    for t in v.touches:
        if t.states_date is not None and (p := v.people.get(t.person)) is not None:
            items.append(_callback(v, p, t.states_date, t.channel, t.id or "", t.at, t.summary))
    for i in v.interviews:
        step = i.next_step
        if step is None:
            continue
        p = v.people.get(step.who or "") or v.contact
        if p is not None:
            named_at = v.end_of(i)
            items.append(
                _callback(
                    v, p, step.when, step.channel or "email", f"{i.id}-next", named_at, step.what
                )
            )
    return items


def _callback(
    v: OppView,
    p: Person,
    when: date | datetime,
    channel: str,
    anchor: str,
    named_at: datetime,
    what: str | None,
) -> Item:
    cal = v.calendar(p)
    start = as_moment(when, cal.tz)
    if isinstance(when, datetime):
        end = hours_after(start, v.pb.callback_window_hours)
    else:
        end = day_end(when, cal.tz)
    # Done when they got back to us after naming the date, or we reached them on the day.
    done = next((t.at for t in v.touches if t.at > named_at and _answers(t, p, start)), None)
    said = f"they said “{excerpt(what, 50)}”" if what else "the date they named"
    return Item(
        rule="callback",
        opp=v.opp,
        person=p,
        anchor=anchor or "named",
        channel=channel,
        start=start,
        end=end,
        verb=f"Follow up with {label(p)}",
        why=f"{said}: act on the agreed date",
        done_at=done,
        cal=cal,
    )


def _answers(t: Touch, p: Person, start: datetime) -> bool:
    """Does ``t`` settle a callback to ``p`` due at ``start``? Any news from them does; so does
    reaching them close to the day, or a call or check-in made for the purpose."""
    if t.direction == "in":
        return True
    return t.person == p.id and (t.at >= start - DAY or t.kind in ("call", "check-in"))


def still_in_running(v: OppView, after: datetime | None) -> Iterator[Item]:
    """Ask once whether you are still considered, when the decision date passes in silence.
    ``after``: the end of the latest callback window, which the question waits for."""
    if not v.interviews or v.opp.status != "active":
        return
    p = v.contact
    if p is None:
        return
    last_news = max([v.end_of(v.interviews[-1]), *(t.at for t in v.inbound)])
    expected = v.opp.decision.expected_by if v.opp.decision else None
    if expected is not None and not any(t.at >= as_moment(expected, v.home_tz) for t in v.inbound):
        cal = v.calendar(None)
        start = cal.next_open(day_end(expected, v.home_tz))
        why = f"the decision date ({_day(expected)}) passed with no news; ask at most once"
    else:
        start = v.local(last_news) + v.pb.still_in_running_after_days * DAY
        why = f"{v.pb.still_in_running_after_days} days without news; ask at most once"
    if after is not None and after > start:  # a date they named comes later: wait for it
        start = v.calendar(None).next_open(after)
        why = "the date they named passed with no news; ask at most once"
    asked = next((t.at for t in v.outbound if t.kind == "still-in-running"), None)
    yield Item(
        rule="still-in-running",
        opp=v.opp,
        person=p,
        anchor="once",
        channel="email",
        start=start,
        end=start + v.pb.still_in_running_window_days * DAY,
        verb=f"Ask {label(p)} whether you are still in the running",
        why=why,
        done_at=asked,
    )


def cycle(v: OppView, after: datetime | None, skipped: set[str]) -> Iterator[Item]:
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
    last_contact = {p.id: datetime.min.replace(tzinfo=clock.tzinfo) for p in voters}
    for t in v.outbound:
        if t.person in last_contact:
            last_contact[t.person] = t.at
    rank = {role: n for n, role in enumerate(LEAD_ORDER)}
    order = sorted(voters, key=lambda p: (last_contact[p.id], rank.get(p.role, 9)))
    last_channel: str | None = v.outbound[-1].channel if v.outbound else None
    for n in range(50):
        p = order[n % len(order)]
        channel = _next_channel(pb.cycle_channels, last_channel, p)
        item = Item(
            rule="cycle",
            opp=v.opp,
            person=p,
            anchor=clock.astimezone(zone("UTC")).strftime("%Y%m%dT%H%MZ"),
            channel=channel,
            start=clock + pb.cycle_min_days * DAY,
            end=clock + pb.cycle_max_days * DAY,
            verb=f"Keep in touch with {label(p)}",
            why=f"{pb.cycle_min_days}–{pb.cycle_max_days} days since the last exchange; "
            f"least recently contacted, by {channel} this time",
            cal=v.calendar(p),
        )
        yield item
        if item.id not in skipped:
            return
        clock, last_channel = item.end, channel


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


def counter_offers(views: list[OppView], pb: Playbook) -> list[Item]:
    """Another offer arrived: tell each preferred employer, and give them 24–48 hours."""
    items = []
    # The active employers you rank, most preferred first, with someone to tell.
    ranked = sorted(
        (v for v in views if v.opp.status == "active" and v.opp.rank and v.lead),
        key=lambda v: v.opp.rank or 0,
    )
    for ov in views:
        if ov.closed:
            continue
        for offer in ov.opp.offers:
            received = as_moment(offer.received, ov.home_tz)
            end = hours_after(received, pb.counter_offer_hours)
            by = ""
            if offer.expires is not None:  # leave them the notice they need before it expires
                expires = day_end(offer.expires, ov.home_tz)
                notice = hours_after(expires, -pb.counter_offer_notice_hours)
                end = max(min(end, notice), hours_after(received, 2))
                by = f" (it expires {_day(offer.expires)})"
            why = (
                f"you hold an offer from {ov.opp.company}{by}; ask for an answer within 24–48 hours"
            )
            for pv in ranked:
                if not _prefers(pv, ov):
                    break
                p = pv.lead
                if pv is ov or p is None:
                    continue
                told = next((t for t in pv.counter_offers_told if t >= received), None)
                items.append(
                    Item(
                        rule="counter-offer",
                        opp=pv.opp,
                        person=p,
                        anchor=f"{ov.opp.id}.{offer.id}",
                        channel="phone",
                        start=received,
                        end=end,
                        verb=f"Tell {label(p)} they are your first choice",
                        why=why,
                        done_at=told,
                        cal=pv.calendar(p),
                    )
                )
    return items


def _prefers(a: OppView, b: OppView) -> bool:
    """Is ``a`` ranked above ``b``? (1 = most preferred; unranked is least.)"""
    return a.opp.rank is not None and (b.opp.rank is None or a.opp.rank < b.opp.rank)


def set_apart(views: list[OppView], achievements: tuple[Achievement, ...]) -> list[Item]:
    """A new achievement that relates to a job goes to its hiring manager."""
    items = []
    for a in achievements:
        for v in views:
            p = v.lead
            if p is None or v.opp.status not in ("active", "offer") or not v.interviews:
                continue
            at = as_moment(a.at, v.home_tz)
            began = as_moment(v.opp.applied, v.home_tz) if v.opp.applied else v.interviews[0].at
            if at < began or not _relates(a, v):
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
                    verb=f"Tell {label(p)} about “{excerpt(a.title, 50)}”",
                    why=f"something that sets you apart ({a.kind}) that relates to the "
                    f"{v.opp.role} role",
                    done_at=shared,
                )
            )
    return items


def _relates(a: Achievement, v: OppView) -> bool:
    if not a.tags:
        return True
    text = " ".join(
        [
            v.opp.role,
            *(n for i in v.interviews for n in i.notes.values()),
            v.opp.decision.process or "" if v.opp.decision else "",
        ]
    ).lower()
    return any(tag.lower() in text for tag in a.tags)


def _day(value: date | datetime) -> str:
    return short_day(value.date() if isinstance(value, datetime) else value)
