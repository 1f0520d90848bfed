"""Recording what happened: `followup person|interview|touch|offer|achievement add` (their
`edit` and `rm` come from `followup.cli.editing`).

In a terminal, missing required values are asked for; in a script every value comes from flags
and nothing is asked (a missing one is an error naming the flag).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, cast

import click

from followup.cli import editing
from followup.cli.app import App, get_app
from followup.cli.params import WhenType, ask, keep_day, localize, pairs
from followup.core.model import (
    ACTORS,
    CHANNELS,
    ROLES,
    TOUCH_KINDS,
    TOUCH_OUTCOMES,
    Achievement,
    Interview,
    NextStep,
    Offer,
    Opportunity,
    Person,
    Touch,
)
from followup.errors import UsageError
from followup.render import format_when
from followup.services import checks, record

if TYPE_CHECKING:
    from followup.core.model import Actor, Channel, Role

_CHANNEL = click.Choice(CHANNELS)
_ACTS = click.Choice(ACTORS)
#: the status a touch's outcome gives its opportunity
_STATUS_OF = {"offer": "at the offer stage", "rejected": "rejected", "withdrawn": "withdrawn"}
_ACTS_HELP = (
    'Who acts on that date: "you" call them back on it (the default), "they" decide or get '
    "back to you by it (you follow up the next working day if nothing came)."
)


@click.group()
def person() -> None:
    """Add, edit, remove the people of an opportunity.

    Everyone who may have a say in the decision gets their own follow-up.
    """


@person.command("add")
@click.argument("opp_id", metavar="OPPORTUNITY")
@click.option("--name", help="Their full name, e.g. 'Dana Lee'.")
@click.option("--role", type=click.Choice(ROLES), help="Their part in the decision.")
@click.option("--id", "person_id", help="Their id (default: first name in lower case).")
@click.option("--no-vote", is_flag=True, help="They have no say in the decision.")
@click.option("--key", is_flag=True, help="A key participant (gets value-add follow-ups).")
@click.option("--email", help="E-mail address (stored normalised).")
@click.option(
    "--phone",
    help="Phone number, with its country code or as dialled in your profile's country "
    "(stored as +<country code><number>).",
)
@click.option("--timezone", help="Their IANA time zone if not yours (e.g. Europe/Berlin).")
@click.option(
    "--topic",
    "topics",
    multiple=True,
    help="What the drafts should mention to them, in your words, e.g. 'the HL7 migration' "
    "(repeatable, at most 5; without it the drafts take topics from your interview notes).",
)
@click.option(
    "--new", "anyway", is_flag=True, help="Add them even if someone of that name is there already."
)
def person_add(
    opp_id: str,
    name: str | None,
    role: str | None,
    person_id: str | None,
    no_vote: bool,
    key: bool,
    email: str | None,
    phone: str | None,
    timezone: str | None,
    topics: tuple[str, ...],
    anyway: bool,
) -> None:
    """Add a person to an opportunity.

    Someone of the same name (case, accents and spacing aside) is refused, unless --new.

    \b
    Examples:
      followup person add acme --name "Dana Lee" --role hiring-manager --email dana@acme.example
      followup person add acme --name "Sam Ortiz" --role recruiter --id sam
    """
    app = get_app()
    name = ask(name, "--name", "Name", interactive=app.interactive)
    role = ask(role, "--role", "Role", interactive=app.interactive, type=click.Choice(ROLES))
    opp = checks.opportunity(app.facts(), opp_id)
    new_id = person_id or record.person_id(name, [p.id for p in opp.people])
    new = Person(
        id=new_id,
        name=name,
        role=cast("Role", role),
        has_vote=not no_vote,
        key=key,
        email=email,
        phone=phone,
        timezone=timezone,
        topics=tuple(t.strip() for t in topics),
    )
    record.add_person(app.workspace, opp_id, new, new=anyway)
    click.echo(f"Added {name} ({new_id}) to {opp_id}.")


@click.group()
def interview() -> None:
    """Log, edit, remove interviews and next steps.

    The end of each interview starts the follow-up sequence: thank-yous, a value-add, a call
    and a note of continued interest, each with its own window.
    """


@interview.command("add")
@click.argument("opp_id", metavar="OPPORTUNITY")
@click.option("--at", type=WhenType("moment"), help="When it started (your zone if no offset).")
@click.option(
    "--with", "with_", multiple=True, help="A person you met, by id (repeatable; commas work too)."
)
@click.option(
    "--note",
    multiple=True,
    metavar="PERSON=TEXT",
    help='What you discussed with one person, e.g. dana="pricing model" (repeatable).',
)
@click.option(
    "--duration",
    type=click.IntRange(1, 1440),
    default=60,
    show_default=True,
    help="Length in minutes.",
)
@click.option("--kind", help="e.g. phone screen, onsite, final.")
@click.option("--id", "interview_id", help="Its id (default: i1, i2...).")
@click.option("--next-step-what", help="The next step you agreed on.")
@click.option("--next-step-when", type=WhenType(), help="When it is due.")
@click.option("--next-step-who", help="Who takes it (a person id).")
@click.option("--next-step-channel", type=_CHANNEL, help="How.")
@click.option("--next-step-acts", type=_ACTS, help=_ACTS_HELP)
@click.option(
    "--new",
    "anyway",
    is_flag=True,
    help="Log it even if one at the same time with the same people is logged already.",
)
def interview_add(
    opp_id: str,
    at: date | datetime | None,
    with_: tuple[str, ...],
    note: tuple[str, ...],
    duration: int,
    kind: str | None,
    interview_id: str | None,
    next_step_what: str | None,
    next_step_when: date | datetime | None,
    next_step_who: str | None,
    next_step_channel: str | None,
    next_step_acts: str | None,
    anyway: bool,
) -> None:
    """Log an interview: who you met, what each one discussed, the next step.

    The notes make each thank-you personal: say what you discussed with that person. One at
    the same time with the same people as a logged one is refused, unless --new.

    \b
    Examples:
      followup interview add acme --at 2026-11-02T14:00 --with dana --with sam \\
          --note dana="migrating billing to Kafka" --note sam="team growth plans"
      followup interview add acme --at 2026-11-09T10:00 --with dana \\
          --next-step-what "decision call" --next-step-when 2026-11-13 --next-step-who sam
    """
    app = get_app()
    notes = pairs(note, "--note")
    facts = app.facts()
    opp = checks.opportunity(facts, opp_id)
    when = ask(
        at,
        "--at",
        "When did it start (e.g. 2026-11-02T14:00)",
        interactive=app.interactive,
        type=WhenType("moment"),
    )
    asked = not with_
    if asked and app.interactive:
        if not opp.people:
            raise UsageError(
                f"opportunity '{opp_id}' has nobody yet: add the people you met first",
                hint=f"`followup person add {opp_id} --name NAME --role ROLE`",
            )
        click.echo(f"People of {opp_id}:")
        for p in opp.people:
            click.echo(f"  {p.id:<12} {p.name} ({p.role})")
    given = " ".join(with_) or ask(
        None,
        "--with",
        "Who did you meet (their ids, separated by spaces)",
        interactive=app.interactive,
        value_proc=lambda text: _known_people(text, opp),
    )
    people = tuple(dict.fromkeys(given.replace(",", " ").split()))
    if asked and app.interactive:
        for pid in people:
            text = click.prompt(f"What did you discuss with {pid}?", default="", show_default=False)
            if text.strip():
                notes[pid] = text
    tz = app.profile_tz()
    step = _step(
        next_step_what, next_step_when, next_step_who, next_step_channel, next_step_acts, app
    )
    new = Interview(
        id=interview_id or record.next_id("i", [i.id for i in opp.interviews]),
        at=localize(when, tz),
        with_=people,
        duration_minutes=duration,
        kind=kind,
        notes=notes,
        next_step=step,
    )
    record.add_interview(app.workspace, opp_id, new, new=anyway)
    click.echo(f"Logged interview {new.id} at {opp_id}, {format_when(new.at, tz, with_date=True)}.")
    click.echo("See what to do: `followup plan " + opp_id + "`")


def _known_people(text: str, opp: Opportunity) -> str:
    """An answer to "who did you meet": ids of the opportunity's people (asked again if not)."""
    ids = text.replace(",", " ").split()
    unknown = [i for i in ids if opp.person(i) is None]
    if not ids or unknown:
        known = ", ".join(p.id for p in opp.people)
        what = f"unknown: {', '.join(unknown)}" if unknown else "name at least one person"
        raise click.BadParameter(f"{what} (the ids are {known})")
    return text


@interview.command("next-step")
@click.argument("opp_id", metavar="OPPORTUNITY")
@click.argument("interview_id", metavar="INTERVIEW")
@click.option("--what", help="The next step you agreed on.")
@click.option("--when", "when_", type=WhenType(), help="When it is due.")
@click.option("--who", help="Who takes it (a person id).")
@click.option("--channel", type=_CHANNEL, help="How.")
@click.option("--acts", type=_ACTS, help=_ACTS_HELP)
def interview_next_step(
    opp_id: str,
    interview_id: str,
    what: str | None,
    when_: date | datetime | None,
    who: str | None,
    channel: str | None,
    acts: str | None,
) -> None:
    """Record the next step agreed at an interview.

    \b
    Example:
      followup interview next-step acme i1 --what "reference checks" --when 2026-11-06 --who sam
    """
    app = get_app()
    what = ask(what, "--what", "What is the next step", interactive=app.interactive)
    when_ = ask(
        when_, "--when", "When (e.g. 2026-11-06)", interactive=app.interactive, type=WhenType()
    )
    step = NextStep(
        what=what,
        when=keep_day(when_, app.profile_tz()),
        who=who,
        channel=cast("Channel", channel),
        acts=cast("Actor", acts),
    )
    record.set_next_step(app.workspace, opp_id, interview_id, step)
    click.echo(f"Next step of {opp_id} {interview_id}: {what}.")


def _step(
    what: str | None,
    when: date | datetime | None,
    who: str | None,
    channel: str | None,
    acts: str | None,
    app: App,
) -> NextStep | None:
    if what is None and when is None:
        if who is not None or channel is not None or acts is not None:
            raise UsageError(
                "--next-step-who, --next-step-channel and --next-step-acts need --next-step-what"
            )
        return None
    if what is None or when is None:
        raise UsageError("a next step needs both --next-step-what and --next-step-when")
    return NextStep(
        what=what,
        when=keep_day(when, app.profile_tz()),
        who=who,
        channel=cast("Channel", channel),
        acts=cast("Actor", acts),
    )


@click.group()
def touch() -> None:
    """Log, edit, remove contacts: sent or received.

    Logged touches complete planned actions, restart the keep-in-touch cycle (a reply), or
    turn a date the employer named into a callback.
    """


@touch.command("add")
@click.argument("opp_id", metavar="OPPORTUNITY")
@click.option("--person", "person_id", help="Who (a person id).")
@click.option(
    "--in/--out",
    "inbound",
    default=None,
    help="Received, or sent (default: sent; received with --outcome offer or rejected).",
)
@click.option("--channel", type=_CHANNEL, default="email", show_default=True)
@click.option("--kind", type=click.Choice(TOUCH_KINDS), default="other", show_default=True)
@click.option("--summary", help="What was said, in a line.")
@click.option("--body", help="The full text, if you want to keep it.")
@click.option("--at", type=WhenType(), help="When (default: now).")
@click.option(
    "--states-date",
    type=WhenType(),
    help='A date they named ("call me Monday", "we decide by the 10th").',
)
@click.option("--acts", type=_ACTS, help=_ACTS_HELP)
@click.option(
    "--outcome",
    type=click.Choice(TOUCH_OUTCOMES),
    help="What it brought: an offer, a rejection, or your withdrawal; sets the status "
    "(an offer is recorded at this moment unless one is held already).",
)
@click.option("--offer-expires", type=WhenType(), help="With --outcome offer: when it expires.")
@click.option("--id", "touch_id", help="Its id (default: t1, t2...).")
def touch_add(
    opp_id: str,
    person_id: str | None,
    inbound: bool | None,
    channel: str,
    kind: str,
    summary: str | None,
    body: str | None,
    at: date | datetime | None,
    states_date: date | datetime | None,
    acts: str | None,
    outcome: str | None,
    offer_expires: date | datetime | None,
    touch_id: str | None,
) -> None:
    """Log a contact you made (--out) or received (--in).

    An inbound reply restarts the follow-up cycle; a date they name becomes a callback. An
    outcome sets the opportunity's status: a rejection or your withdrawal stops its actions; an
    offer is recorded (decide before it expires with `followup offer accept|decline|extend`).

    \b
    Examples:
      followup touch add acme --person dana --out --channel email --kind thank-you
      followup touch add acme --person sam --in --channel phone \\
          --summary "still deciding, call Monday" --states-date 2026-11-09
      followup touch add acme --person sam --in --channel email \
          --summary "we decide by the 20th" --states-date 2026-11-20 --acts they
      followup touch add acme --person sam --channel phone --outcome offer \\
          --offer-expires 2026-11-27 --summary "offer: 180k, answer by Friday"
    """
    app = get_app()
    if acts is not None and states_date is None:
        raise UsageError("--acts says who acts on a named date: give --states-date too")
    if offer_expires is not None and outcome != "offer":
        raise UsageError("--offer-expires says when an offer expires: give --outcome offer too")
    if inbound is None:
        inbound = outcome in ("offer", "rejected")
    person_id = ask(person_id, "--person", "Who (person id)", interactive=app.interactive)
    tz = app.profile_tz()
    new = Touch(
        at=localize(at, tz) if at is not None else app.now(),
        person=person_id,
        channel=channel,  # type: ignore[arg-type]
        direction="in" if inbound else "out",
        kind=kind,
        id=touch_id,
        summary=summary,
        body=body,
        states_date=keep_day(states_date, tz) if states_date is not None else None,
        acts=cast("Actor", acts),
        outcome=outcome,
    )
    expires = keep_day(offer_expires, tz) if offer_expires is not None else None
    new_id = record.add_touch(app.workspace, opp_id, new, expires)
    arrow = "from" if inbound else "to"
    click.echo(f"Logged touch {new_id}: {kind} ({channel}) {arrow} {person_id}.")
    if outcome is not None:
        click.echo(f"{opp_id} is now {_STATUS_OF[outcome]}.")


@click.group()
def offer() -> None:
    """Record, extend, accept, decline, edit offers.

    An offer gives the opportunities you prefer a reason to hear from you at once, and you a
    reminder to decide before it expires. Accepting one stops every other opportunity but for
    a short withdrawal note to each.
    """


@offer.command("add")
@click.argument("opp_id", metavar="OPPORTUNITY")
@click.option("--received", type=WhenType(), help="When it came (default: today).")
@click.option("--expires", type=WhenType(), help="When it expires.")
@click.option("--id", "offer_id", help="Its id (default: o1, o2...).")
def offer_add(
    opp_id: str,
    received: date | datetime | None,
    expires: date | datetime | None,
    offer_id: str | None,
) -> None:
    """Record an offer; preferred opportunities get counter-offer actions.

    \b
    Example:
      followup offer add initech --received 2026-11-03 --expires 2026-11-10
    """
    app = get_app()
    facts = app.facts()
    opp = checks.opportunity(facts, opp_id)
    tz = app.profile_tz()
    new = Offer(
        id=offer_id or record.next_id("o", [o.id for o in opp.offers]),
        received=keep_day(received, tz) if received else app.now().astimezone(tz).date(),
        expires=keep_day(expires, tz) if expires else None,
    )
    record.add_offer(app.workspace, opp_id, new)
    click.echo(f"Recorded offer {new.id} from {opp_id}.")


@click.group()
def achievement() -> None:
    """Record, edit, remove what sets you apart.

    An article, a talk or a course is worth sharing with the hiring managers it relates to.
    """


@achievement.command("add")
@click.option("--title", help="e.g. 'Talk: Scaling billing at PyCon'.")
@click.option("--kind", default="other", show_default=True, help="article, talk, course...")
@click.option("--at", type=WhenType(), help="When (default: today).")
@click.option("--tag", "tags", multiple=True, help="A topic it relates to (repeatable).")
@click.option("--id", "achievement_id", help="Its id (default: a1, a2...).")
def achievement_add(
    title: str | None,
    kind: str,
    at: date | datetime | None,
    tags: tuple[str, ...],
    achievement_id: str | None,
) -> None:
    """Record an achievement (article, talk, course) to share with related employers.

    \b
    Example:
      followup achievement add --title "Wrote: Kafka at scale" --kind article --tag kafka
    """
    app = get_app()
    title = ask(title, "--title", "Title", interactive=app.interactive)
    tz = app.profile_tz()
    new = Achievement(
        at=keep_day(at, tz) if at else app.now().astimezone(tz).date(),
        kind=kind,
        title=title,
        id=achievement_id,
        tags=tags,
    )
    new_id = record.add_achievement(app.workspace, new)
    click.echo(f"Recorded achievement {new_id}: {title}")


for _group, _kind in (
    (person, "person"),
    (interview, "interview"),
    (touch, "touch"),
    (offer, "offer"),
    (achievement, "achievement"),
):
    editing.attach(_group, _kind)
