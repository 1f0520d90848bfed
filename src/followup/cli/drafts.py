"""`followup draft ACTION_ID` and `followup check`: personal drafts and the form-letter guard."""

from __future__ import annotations

import json
from urllib.parse import quote

import click

from followup.cli.app import get_app
from followup.core.words import count
from followup.errors import UsageError
from followup.render import visible


@click.command()
@click.argument("action_id")
@click.option("--json", "as_json", is_flag=True, help="Print the draft as JSON.")
@click.option("--edit", is_flag=True, help="Open the draft in $EDITOR and keep your text.")
@click.option("--mailto", is_flag=True, help="Print a mailto: link with the subject and body.")
@click.option("--discard", is_flag=True, help="Forget your edited text; back to the template.")
@click.option(
    "--polish", is_flag=True, help="Also show a rewrite by your local model (`followup llm`)."
)
@click.option("--save", is_flag=True, help="With --polish: keep the rewrite as your edit.")
def draft(
    action_id: str,
    as_json: bool,
    edit: bool,
    mailto: bool,
    discard: bool,
    polish: bool,
    save: bool,
) -> None:
    """Print the personal draft of a message or call.

    Each draft uses what you noted about that person, the article chosen for a value-add and
    the achievement for a set-apart. Warnings say what is missing (no notes: the draft marks
    where the personal part goes) and which other message it is too much like. Templates
    can be overridden: put a file of the same name (e.g. thank-you.txt) in the templates
    folder of your config folder. `followup done` keeps the final text as the touch's body.
    --polish also shows a rewrite by your own local model (`followup llm settings`), only
    if it keeps every fact of the draft and reads like no form letter.

    \b
    Examples:
      followup draft thank-you:acme:dana:onsite
      followup draft thank-you:acme:dana:onsite --edit
      followup draft value-add:acme:dana:onsite --json
      followup draft thank-you:acme:dana:onsite --polish --save
    """
    from followup.services import drafting

    app = get_app()
    now = app.now()
    config_dir = app.config.config_dir
    if save and not polish:
        raise UsageError("--save keeps a rewrite: give it with --polish")
    if polish:
        _polish(action_id, as_json=as_json, save=save)
        return
    if discard:
        drafting.discard_edit(app.workspace, action_id)
        click.echo(f"Discarded your edit of {action_id}; the draft follows its template again.")
        return
    made = drafting.draft(app.workspace, action_id, now, config_dir)
    if edit:
        text = click.edit(made.text, extension=".txt", require_save=True)
        if text is not None and text.strip() != made.text.strip():
            drafting.save_edit(app.workspace, action_id, text, now)
            made = drafting.draft(app.workspace, action_id, now, config_dir)
        elif not as_json:
            click.echo("(no changes)", err=True)
    if as_json:
        click.echo(json.dumps(made.as_json(), indent=2, ensure_ascii=False))
        return
    if mailto:
        if made.channel == "phone":
            raise UsageError(f"{action_id} is a call: there is no e-mail to open")
        address = made.to if "@" in made.to else ""
        query = f"subject={quote(made.subject)}&body={quote(made.body)}"
        click.echo(f"mailto:{quote(address, safe='@')}?{query}")
        return
    header = f"To: {made.to}" + (f"\nSubject: {made.subject}" if made.subject else "")
    click.echo(visible(f"{header}\n\n{made.body.rstrip()}"))
    for warning in made.warnings:
        click.echo(f"warning: {warning}", err=True)


def _polish(action_id: str, *, as_json: bool, save: bool) -> None:
    """`followup draft ID --polish`: the draft, then the model's checked rewrite, labelled."""
    from followup.drafts.polish import is_loopback
    from followup.services import drafting
    from followup.services import polish as polishing

    app = get_app()
    now = app.now()
    settings = polishing.load_settings(app.config.config_dir)
    if settings.on and not is_loopback(settings.url):
        click.echo(f"warning: sending this person's context to {settings.url}", err=True)
    done = polishing.polish(app.workspace, action_id, now, app.config.config_dir, app.environ)
    if save:
        drafting.save_edit(app.workspace, action_id, done.text, now)
    if as_json:
        doc = {**done.draft.as_json(), "polished": done.text, "saved": save}
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    made = done.draft
    label = "Your edited draft" if made.edited else "Template draft"
    click.echo(f"== {label} ==")
    click.echo(visible(f"To: {made.to}\n{made.text.rstrip()}"))
    click.echo("")
    click.echo(f"== Polished by {settings.model} (every fact kept, no form letter) ==")
    click.echo(visible(f"To: {made.to}\n{done.text.rstrip()}"))
    for warning in made.warnings:
        click.echo(f"warning: {warning}", err=True)
    if save:
        click.echo(f"Kept the polished text as your draft of {action_id}.", err=True)
    else:
        click.echo(f"To keep it: followup draft {action_id} --polish --save (or --edit)", err=True)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the flagged pairs as JSON.")
def check(as_json: bool) -> None:
    """Find form letters: messages too much alike.

    Compares every pending draft and every logged outbound message body with those for other
    people (greetings, sign-offs and names removed). A pair at or above the threshold (45%
    of their three-word phrases shared) is listed with the passage they share. Exits with
    status 1 when a pair is flagged.

    \b
    Example:
      followup check --json
    """
    from followup.drafts.guard import THRESHOLD
    from followup.services import drafting

    app = get_app()
    report = drafting.check(app.workspace, app.now(), app.config.config_dir)
    if as_json:
        rows = [
            {
                "first": f.first,
                "second": f.second,
                "first_label": report.labels.get(f.first, f.first),
                "second_label": report.labels.get(f.second, f.second),
                "similarity": f.similarity,
                "same_opportunity": f.same_opportunity,
                "shared": f.shared,
            }
            for f in report.flags
        ]
        doc = {"threshold": THRESHOLD, "compared": report.compared, "flagged": rows}
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    elif not report.flags:
        compared = count(report.compared, "message")
        click.echo(f"No form letters: {compared} compared, none too alike.")
    else:
        compared = count(report.compared, "message")
        click.echo(f"{count(len(report.flags), 'pair')} too alike ({compared} compared):")
        for f in report.flags:
            first, second = (
                report.labels.get(f.first, f.first),
                report.labels.get(f.second, f.second),
            )
            click.echo(visible(f"  {f.similarity:.0%}  {first}", one_line=True))
            click.echo(visible(f"       {second}", one_line=True))
            click.echo(visible(f"       shared: “{f.shared}”", one_line=True))
    if report.flags:
        raise SystemExit(1)
