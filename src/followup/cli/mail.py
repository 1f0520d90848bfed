"""`followup send ACTION_ID` and `followup mail settings|outbox|sync|review`.

Passwords come from the environment or the system keyring (see ``integrations.mailconf``) and
are never printed: `followup mail settings` says only where each would come from.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from followup.cli.app import App, get_app
from followup.core.words import count
from followup.errors import UsageError
from followup.render import visible

_SETTING_OPTIONS = (
    ("from_address", "--from", "Your address (the From of what you send)."),
    ("from_name", "--from-name", "Your name as recipients see it."),
    ("smtp_host", "--smtp-host", "SMTP server to send through."),
    ("smtp_port", "--smtp-port", "SMTP port (default: 587 starttls, 465 tls, 25 none)."),
    ("smtp_security", "--smtp-security", "starttls, tls or none (default starttls)."),
    ("smtp_user", "--smtp-user", "SMTP user name (password: FOLLOWUP_SMTP_PASSWORD or keyring)."),
    ("imap_host", "--imap-host", "IMAP server to read replies from."),
    ("imap_port", "--imap-port", "IMAP port (default: 993 tls, 143 otherwise)."),
    ("imap_security", "--imap-security", "tls, starttls or none (default tls)."),
    ("imap_user", "--imap-user", "IMAP user name (password: FOLLOWUP_IMAP_PASSWORD or keyring)."),
    ("imap_folder", "--imap-folder", "Folder where replies arrive (default INBOX)."),
    ("sent_folder", "--sent-folder", "Folder for a copy of what you send (default: none)."),
)
_INT_SETTINGS = ("smtp_port", "imap_port")


def _settings_options(func: Any) -> Any:
    for key, flag, help_text in reversed(_SETTING_OPTIONS):
        kind = click.IntRange(1, 65535) if key in _INT_SETTINGS else str
        func = click.option(flag, key, type=kind, default=None, help=help_text)(func)
    return func


@click.command()
@click.argument("action_id")
@click.option(
    "--body-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Send this text instead of the draft (a first line 'Subject: ...' sets the subject).",
)
@click.option("--yes", "-y", is_flag=True, help="Send without asking (after showing it).")
def send(action_id: str, body_file: Path | None, yes: bool) -> None:
    """Send an action's message from your mailbox, once.

    Shows the final message (your edited draft, or the draft) and asks before sending. It
    goes only to the address on file for that person, through your SMTP server; once sent, it
    is logged as the touch that completes the action. A message whose fate is unknown (the
    connection broke) is never sent again by itself: `followup mail outbox` shows it.

    \b
    Examples:
      followup send thank-you:acme:dana:i1
      followup send value-add:acme:dana:i1 --body-file note.txt
    """
    from followup.integrations.mailconf import password, server
    from followup.integrations.smtp import SmtpMailer
    from followup.services import mail

    app = get_app()
    settings = mail.get_settings(app.workspace)
    smtp = server("smtp", settings)
    sender = settings.get("from_address")
    if smtp is None or not sender:
        raise UsageError(
            "sending needs your SMTP server and address",
            hint="`followup mail settings --from ME@EXAMPLE.COM --smtp-host HOST --smtp-user ME`"
            "; without them, use the draft's mailto: link",
        )
    text = _read(body_file) if body_file is not None else None
    now = app.now()
    prepared = mail.prepare(app.workspace, action_id, now, text, app.config.config_dir)
    click.echo(visible(f"From: {sender}\nTo: {prepared.person.name} <{prepared.to}>"))
    click.echo(visible(f"Subject: {prepared.subject}\n\n{prepared.body.rstrip()}\n"))
    if not yes and not click.confirm("Send this message?", default=False):
        click.echo("Not sent.")
        return
    done = mail.send(
        app.workspace,
        prepared,
        SmtpMailer(smtp, password(smtp, app.environ)),
        now,
        str(sender),
        settings.get("from_name"),
        _sent_copy(app, settings),
    )
    click.echo(
        f"Sent to {prepared.to} (message {done.outbox_id}); logged as touch {done.touch.id}."
    )
    if done.warning:
        click.echo(f"warning: {done.warning}", err=True)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read --body-file {path}: {exc}") from exc


def _sent_copy(app: App, settings: dict[str, Any]) -> Callable[[bytes, datetime], None] | None:
    """A function that appends a sent message to the Sent folder, when IMAP is configured."""
    from followup.integrations.mailconf import password, server

    imap = server("imap", settings)
    folder = settings.get("sent_folder")
    if imap is None or not folder:
        return None

    def save(raw: bytes, when: datetime) -> None:
        from followup.integrations.imap import ImapInbox

        with ImapInbox(imap, password(imap, app.environ)) as inbox:
            inbox.append(str(folder), raw, when)

    return save


@click.group()
def mail() -> None:
    """Mail settings, outbox, reply sync and review.

    Send from your own mailbox (`followup send`), and notice replies (`mail sync`).

    \b
    Examples:
      followup mail settings --from me@example.com --smtp-host smtp.example.com --smtp-user me
      followup mail sync
      followup mail review
    """


@mail.command("settings")
@_settings_options
@click.option("--json", "as_json", is_flag=True, help="Print the settings as JSON.")
def settings_command(as_json: bool, **values: Any) -> None:
    """Show or change the mail settings (passwords are never stored or shown).

    Passwords come from FOLLOWUP_SMTP_PASSWORD / FOLLOWUP_IMAP_PASSWORD or the system keyring
    (services followup-smtp / followup-imap, with `pip install keyring`). An empty value
    clears a setting.

    \b
    Examples:
      followup mail settings
      followup mail settings --from me@example.com --smtp-host smtp.example.com --smtp-user me
      followup mail settings --imap-host imap.example.com --imap-user me --sent-folder Sent
    """
    from followup.integrations.mailconf import password_source, server
    from followup.services import mail as mail_service

    app = get_app()
    given = {k: v for k, v in values.items() if v is not None}
    current = (
        mail_service.set_settings(app.workspace, {k: (v or None) for k, v in given.items()})
        if given
        else mail_service.get_settings(app.workspace)
    )
    sources = {}
    for kind in ("smtp", "imap"):
        found = server(kind, current)
        sources[f"{kind}_password"] = password_source(found, app.environ) if found else None
    if as_json:
        click.echo(json.dumps({**current, **sources}, indent=2))
        return
    for key, flag, _help in _SETTING_OPTIONS:
        click.echo(f"{flag.lstrip('-'):<14} {current.get(key) or '-'}")
    for key, source in sources.items():
        click.echo(f"{key.replace('_', '-'):<14} {source or '-'}")


@mail.command("outbox")
@click.option("--sent", "sent_id", type=int, help="Message N reached its recipient (you checked).")
@click.option("--not-sent", "unsent_id", type=int, help="Message N was not sent: allow sending.")
@click.option(
    "--check", is_flag=True, help="Look for messages of unknown fate in your Sent folder (IMAP)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the outbox as JSON.")
def outbox_command(sent_id: int | None, unsent_id: int | None, check: bool, as_json: bool) -> None:
    """The messages sent or being sent; settle one whose fate is unknown.

    A message whose sending was interrupted is never sent again by itself: look in your Sent
    folder (or ask the recipient), then say what happened.

    \b
    Examples:
      followup mail outbox
      followup mail outbox --check
      followup mail outbox --sent 3
      followup mail outbox --not-sent 3
    """
    from followup.services import mail as mail_service

    app = get_app()
    if sent_id is not None and unsent_id is not None:
        raise UsageError("give --sent or --not-sent, not both")
    if sent_id is not None or unsent_id is not None:
        which = sent_id if sent_id is not None else unsent_id
        row = mail_service.settle(
            app.workspace,
            int(which or 0),
            was_sent=sent_id is not None,
            now=app.now(),
        )
        click.echo(f"Message {row['id']} is now {row['state']}.")
        return
    if check:
        _check_sent_folder(app)
    rows = mail_service.outbox(app.workspace)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("The outbox is empty.")
    for row in rows:
        flag = "  <- check your Sent folder" if row["state"] in mail_service.UNSETTLED else ""
        line = f"{row['id']:>4}  {row['state']:<8} {row['to']:<30} {row['subject']}{flag}"
        click.echo(visible(line, one_line=True))


def _check_sent_folder(app: App) -> None:
    from followup.integrations.imap import ImapFailed, ImapInbox
    from followup.integrations.mailconf import password, server
    from followup.services import mail as mail_service

    settings = mail_service.get_settings(app.workspace)
    imap = server("imap", settings)
    folder = settings.get("sent_folder")
    if imap is None or not folder:
        raise UsageError(
            "--check needs your IMAP server and Sent folder",
            hint="`followup mail settings --imap-host HOST --imap-user ME --sent-folder Sent`",
        )
    try:
        with ImapInbox(imap, password(imap, app.environ)) as inbox:
            found = mail_service.check_unsettled(app.workspace, inbox, str(folder), app.now())
    except ImapFailed as exc:
        raise mail_service.MailError(f"cannot look in {folder}: {exc}") from exc
    for row in found:
        click.echo(f"Found message {row['id']} in {folder}: it was sent.", err=True)


@mail.command("sync")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Read from this day (first sync).")
@click.option("--json", "as_json", is_flag=True, help="Print a summary as JSON.")
def sync_command(since: Any, as_json: bool) -> None:
    """Read new mail (read-only) and log replies from the people on file.

    Matches replies to your sent messages first, then senders on file; a sender only from a
    company's domain waits on `followup mail review`. Auto-replies are not replies (a return
    date puts that person's actions off until then); bounces flag the address.

    \b
    Examples:
      followup mail sync
      followup mail sync --since 2026-11-01 --json
    """
    from followup.integrations.imap import ImapFailed, ImapInbox
    from followup.integrations.mailconf import password, server
    from followup.services import mail as mail_service
    from followup.services.mail_sync import sync

    app = get_app()
    settings = mail_service.get_settings(app.workspace)
    imap = server("imap", settings)
    if imap is None:
        raise UsageError(
            "reading replies needs your IMAP server",
            hint="`followup mail settings --imap-host HOST --imap-user ME`",
        )
    folder = str(settings.get("imap_folder") or "INBOX")
    progress, finish = _progress(app, as_json)
    try:
        with ImapInbox(imap, password(imap, app.environ)) as inbox:
            summary = sync(
                app.workspace,
                inbox,
                folder,
                app.now(),
                settings.get("from_address"),
                since.date() if since else None,
                progress,
            )
    except ImapFailed as exc:
        raise mail_service.MailError(f"mail sync stopped: {exc}") from exc
    finally:
        finish()
    if as_json:
        click.echo(json.dumps(summary.as_json(), indent=2))
        return
    click.echo(
        f"Read {count(summary.read, 'message')} in {folder}: "
        f"{count(summary.replies, 'reply')} logged, {count(summary.auto_replies, 'auto-reply')}, "
        f"{count(summary.bounces, 'bounce')}, "
        f"{summary.review} to review."
    )
    if summary.review:
        click.echo("Confirm or dismiss them with `followup mail review`.")
    for problem in summary.problems:  # what was read but not taken (a return date far off...)
        click.echo(visible(f"note: {problem}", one_line=True), err=True)


def _progress(app: App, quiet: bool) -> tuple[Any, Any]:
    """A progress bar on a terminal for syncs of more than a handful of messages."""
    if quiet or not app.interactive:
        return None, lambda: None
    from followup.cli.output import progress_bar

    return progress_bar("Reading mail", 20)


@mail.command("review")
@click.option("--confirm", "confirm_id", type=int, help="Log message N as a reply.")
@click.option("--person", help="With --confirm: who it is from (a person id of the opportunity).")
@click.option("--dismiss", "dismiss_id", type=int, help="Message N is not a reply: drop it.")
@click.option("--json", "as_json", is_flag=True, help="Print the review list as JSON.")
def review_command(
    confirm_id: int | None, person: str | None, dismiss_id: int | None, as_json: bool
) -> None:
    """Messages from a company's domain but not from anyone on file: confirm or dismiss.

    \b
    Examples:
      followup mail review
      followup mail review --confirm 4 --person dana
      followup mail review --dismiss 5
    """
    from followup.services import mail_review

    app = get_app()
    if confirm_id is not None and dismiss_id is not None:
        raise UsageError("give --confirm or --dismiss, not both")
    if confirm_id is not None:
        touch = mail_review.confirm(app.workspace, confirm_id, person)
        click.echo(f"Logged message {confirm_id} as a reply from {touch.person} ({touch.id}).")
        return
    if dismiss_id is not None:
        mail_review.dismiss(app.workspace, dismiss_id)
        click.echo(f"Dismissed message {dismiss_id}.")
        return
    rows = mail_review.review_list(app.workspace)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("Nothing to review.")
    for row in rows:
        who = f"{row['opportunity']}/{row['person'] or '?'}"
        click.echo(
            visible(
                f"{row['id']:>4}  {row['received'][:16]}  {row['from']}  ({who})", one_line=True
            )
        )
        click.echo(visible(f"      {row['subject']}: {row['snippet'][:100]}", one_line=True))
