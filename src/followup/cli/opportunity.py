"""`followup opportunity add|list|show|status`."""

from __future__ import annotations

from datetime import date, datetime

import click

from followup.cli import editing
from followup.cli.app import get_app
from followup.cli.output import console, echo_json, escape, table
from followup.cli.params import WhenType, ask, keep_day
from followup.core.model import OPPORTUNITY_STATUSES, Decision, Opportunity
from followup.render import PENDING, format_when, shown_moment
from followup.services import checks, record
from followup.services.views import opportunity_summaries


@click.group()
def opportunity() -> None:
    """Add, list, show, edit, remove opportunities.

    An opportunity is one job you are in the running for: a company, a role, and everyone
    there who has a say.
    """


@opportunity.command("add")
@click.option("--company", help="The employer, e.g. 'Acme Corp'.")
@click.option("--role", help="The job title, e.g. 'Staff Engineer'.")
@click.option("--id", "opp_id", help="Its id (default: from the company name, e.g. acme-corp).")
@click.option(
    "--applied",
    type=WhenType("day"),
    help="The day you applied (YYYY-MM-DD); without it, the application counts toward the "
    "weekly target in the week you add it.",
)
@click.option("--source", help="Where you found it (referral, job board...).")
@click.option("--url", help="The job posting.")
@click.option("--rank", type=click.IntRange(min=1), help="Your preference: 1 = most wanted.")
@click.option("--expected-by", type=WhenType(), help="When they expect to decide.")
@click.option("--process", help="How they decide (e.g. 'panel debrief, then CEO').")
@click.option(
    "--new",
    "anyway",
    is_flag=True,
    help="Add it even if one for the same company and role is there already.",
)
def add(
    company: str | None,
    role: str | None,
    opp_id: str | None,
    applied: date | None,
    source: str | None,
    url: str | None,
    rank: int | None,
    expected_by: date | datetime | None,
    process: str | None,
    anyway: bool,
) -> None:
    """Add an opportunity.

    One for the same company and role as another (case, accents and spacing aside) is
    refused, unless --new.

    \b
    Examples:
      followup opportunity add --company "Acme Corp" --role "Staff Engineer" --rank 1
      followup opportunity add --company Globex --role "Platform Lead" --id globex \\
          --applied 2026-10-12 --expected-by 2026-11-20
    """
    app = get_app()
    company = ask(company, "--company", "Company", interactive=app.interactive)
    role = ask(role, "--role", "Role", interactive=app.interactive)
    facts = app.facts()
    taken = [o.id for o in facts.opportunities]
    new_id = opp_id
    if new_id is None:
        new_id = record.slug(company) or "opportunity"
        if new_id in taken:
            new_id = record.next_id(f"{new_id}-", taken)
    tz = app.profile_tz()
    decision = None
    if expected_by is not None or process:
        when = keep_day(expected_by, tz) if expected_by is not None else None
        decision = Decision(expected_by=when, process=process)
    opp = Opportunity(
        id=new_id,
        company=company,
        role=role,
        applied=applied,
        source=source,
        url=url,
        rank=rank,
        decision=decision,
    )
    record.add_opportunity(app.workspace, opp, now=app.now(), new=anyway)
    click.echo(f"Added opportunity {opp.id}: {company} — {role}")
    click.echo(f"Next: `followup person add {opp.id}`, then `followup interview add {opp.id}`.")


@opportunity.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list (see docs/json.md).")
def list_(as_json: bool) -> None:
    """List opportunities with their next action.

    \b
    Examples:
      followup opportunity list
      followup opportunity list --json
    """
    app = get_app()
    facts = app.facts()
    agenda = app.agenda()
    tz = agenda.tz
    summaries = opportunity_summaries(facts, agenda.at(app.now()), tz)
    if as_json:
        echo_json(summaries)
        return
    if not summaries:
        from followup.render import NO_OPPORTUNITIES

        click.echo(NO_OPPORTUNITIES)
        return
    grid = table("id", "company", "role", "status", "rank", "people", "pending", "next")
    for s in summaries:
        nxt = ""
        if s["next_action_at"]:
            nxt = format_when(datetime.fromisoformat(s["next_action_at"]), tz, with_date=True)
        grid.add_row(
            escape(s["id"]),
            escape(s["company"]),
            escape(s["role"]),
            s["status"],
            str(s["rank"] or ""),
            str(s["people"]),
            str(s["pending_actions"]),
            nxt,
        )
    console().print(grid)


@opportunity.command("show")
@click.argument("opp_id", metavar="OPPORTUNITY")
def show(opp_id: str) -> None:
    """Show an opportunity: people, interviews, touches, offers and its plan.

    \b
    Example:
      followup opportunity show acme
    """
    from followup.cli.show import show_opportunity

    app = get_app()
    facts = app.facts()
    opp = checks.opportunity(facts, opp_id)
    agenda = app.agenda()
    tz = agenda.tz
    actions = [a for a in agenda.at(app.now()) if a.opportunity == opp_id and a.status in PENDING]
    actions.sort(key=shown_moment)
    show_opportunity(console(), opp, actions, tz)


@opportunity.command("status")
@click.argument("opp_id", metavar="OPPORTUNITY")
@click.argument("status", type=click.Choice(OPPORTUNITY_STATUSES))
def status(opp_id: str, status: str) -> None:
    """Set an opportunity's status.

    An outcome (accepted, rejected, withdrawn, closed) stops every pending action for it.

    \b
    Examples:
      followup opportunity status acme rejected
      followup opportunity status globex accepted
    """
    app = get_app()
    record.set_status(app.workspace, opp_id, status)
    click.echo(f"{opp_id} is now {status}.")


editing.attach(opportunity, "opportunity")
