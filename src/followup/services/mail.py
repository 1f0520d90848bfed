"""Sending an action's message from the user's own mailbox, exactly once, through an outbox.

`send` works in three steps:

1. one transaction commits the outbox row: the whole message and its Message-ID, in state
   ``sending``;
2. the SMTP conversation hands it to the user's server;
3. one transaction marks the row ``sent`` and logs the touch that completes the action (the
   message's text is the touch's body), as `followup done` would.

A crash between 1 and 3 leaves the row in ``sending``: nobody knows whether the server took
the message, so it is never sent again by itself. `followup mail outbox` shows it and the user,
having looked in their Sent folder, marks it sent (the touch is logged then) or not sent (the
action can be sent again). A refusal by the server before it took the message is ``failed``:
certainly not sent, safe to send again.

Follow-ups to the same person continue the thread: In-Reply-To / References name the last
message sent to them. Where IMAP is configured, a copy goes to the Sent folder afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from followup.core.model import Action, Facts, Person, Touch
from followup.core.planner import completing_touch
from followup.errors import Conflict, FollowupError, NotFound, UsageError
from followup.services.acting import find_action
from followup.services.workspace import Workspace

if TYPE_CHECKING:
    from email.message import EmailMessage

    from followup.integrations.imap import Inbox
    from followup.integrations.smtp import Mailer

#: Outbox states whose message may have reached the server: never sent again by itself.
UNSETTLED: Final = ("sending", "unknown")
#: Channels a message is sent on (a call or a visit is not e-mailed).
SENDABLE_CHANNELS: Final = frozenset({"email", "any", None})
_OUTBOX_HINT = "`followup mail outbox` lists it; check your Sent folder, then mark it"


class MailError(FollowupError):
    """The mail server refused, or cannot be reached."""

    exit_code = 7
    http_status = 502


@dataclass(frozen=True, slots=True)
class Prepared:
    """A message ready to send: what `followup send` shows before asking."""

    action: Action
    person: Person
    to: str
    subject: str
    body: str
    thread: tuple[str, ...]
    decided: bool = False  # skipped or snoozed: sending lifts that


@dataclass(frozen=True, slots=True)
class Sent:
    outbox_id: int
    message_id: str
    touch: Touch
    copy_saved: bool | None  # None: no IMAP configured
    warning: str | None = None


# -- settings ----------------------------------------------------------------------------


def get_settings(database: Workspace) -> dict[str, Any]:
    from followup.store import mail_rows

    with database.mail().read() as conn:
        return mail_rows.settings(conn)


def set_settings(database: Workspace, values: Mapping[str, Any]) -> dict[str, Any]:
    """Change the given settings (None clears one); returns them all."""
    from followup.integrations.mailconf import SECURITIES
    from followup.store import mail_rows

    for key in ("smtp_security", "imap_security"):
        if values.get(key) not in (None, *SECURITIES):
            raise UsageError(f"{key.replace('_', ' ')} must be one of {', '.join(SECURITIES)}")
    from followup.core.problems import Problem, parse_email, show
    from followup.errors import InvalidInput

    values = dict(values)
    found: list[Problem] = []
    for key, value in values.items():  # a line break in a header value writes another header
        if isinstance(value, str) and any(ord(c) < 32 or ord(c) == 127 for c in value):
            found.append(Problem(f"mail.{key}", f"{show(value)} holds a control character"))
    address = values.get("from_address")
    if address is not None and not found:
        values["from_address"], problem = parse_email(str(address), "mail.from_address")
        if problem is not None:
            found.append(problem)
    if found:
        raise InvalidInput(found)
    with database.mail().write() as conn:
        mail_rows.save_settings(conn, values)
        return mail_rows.settings(conn)


# -- sending -----------------------------------------------------------------------------


def prepare(
    database: Workspace,
    action_id: str,
    now: datetime,
    text: str | None = None,
    config_dir: Path | None = None,
) -> Prepared:
    """The message `send` would send for ``action_id``: the user's ``text`` (an optional
    ``Subject:`` line, then the body) or the action's draft. Refuses what must not be sent."""
    from followup.store import mail_rows

    agenda = database.agenda()
    action = find_action(agenda.at(now), action_id)
    if action.status in ("done", "replaced", "skipped"):
        raise Conflict(f"action '{action_id}' is {action.status}: there is nothing to send")
    if action.channel not in SENDABLE_CHANNELS:
        raise UsageError(
            f"action '{action_id}' is a {action.channel} action, not an e-mail",
            hint="do it, then `followup done ACTION_ID`",
        )
    facts = database.facts()
    person = _person(facts, action)
    if not person.email:
        raise UsageError(
            f"{person.name} has no e-mail address on file",
            hint="add it to the person, or write from your own mail program (mailto: link)",
        )
    with database.mail().read() as conn:
        _check_outbox(mail_rows.outbox_for_action(conn, action.id), action.id)
        bad = mail_rows.bad_addresses(conn).get(person.email.lower())
        previous = mail_rows.last_sent_to(conn, action.opportunity or "", person.id)
    if bad is not None:
        raise UsageError(
            f"{person.email} bounced earlier ({bad})",
            hint="check the address on file for this person",
        )
    subject, body = _text(database, action, now, text, config_dir)
    thread: tuple[str, ...] = ()
    if previous is not None:
        thread = (*previous.refs, previous.message_id)
        if not subject:
            subject = previous.subject
    if not body.strip():
        raise UsageError("the message is empty; nothing was sent")
    if not subject:
        raise UsageError("the message has no subject", hint="start the text with 'Subject: ...'")
    decided = agenda.decided(action.id)
    return Prepared(action, person, person.email, subject, body, thread, decided)


def send(
    database: Workspace,
    prepared: Prepared,
    mailer: Mailer,
    now: datetime,
    sender: str,
    sender_name: str | None = None,
    sent_copy: Callable[[bytes, datetime], None] | None = None,
) -> Sent:
    """Send ``prepared`` once (see the module docstring). ``sent_copy(raw, when)``, when
    given, keeps a copy in the Sent folder after the commit."""
    from followup.integrations.smtp import Refused, Unknown, compose
    from followup.store import mail_rows

    message = compose(
        sender=sender,
        sender_name=sender_name,
        to=prepared.to,
        to_name=prepared.person.name,
        subject=prepared.subject,
        body=prepared.body,
        now=now,
        thread=prepared.thread,
    )
    message_id = str(message["Message-ID"])
    action = prepared.action
    with database.mail().write() as conn:  # step 1: the outbox row
        _check_outbox(mail_rows.outbox_for_action(conn, action.id), action.id)
        pk = mail_rows.add_outbox(conn, _outbox_values(prepared, message, message_id, now))
    try:
        mailer.send(message)  # step 2
    except Refused as exc:
        with database.mail().write() as conn:
            mail_rows.set_outbox_state(conn, pk, "failed", now, str(exc))
        raise MailError(
            f"not sent: {exc}", hint="`followup mail settings` shows the server"
        ) from exc
    except Unknown as exc:
        with database.mail().write() as conn:
            mail_rows.set_outbox_state(conn, pk, "unknown", now, str(exc))
        raise MailError(
            f"message {pk} may or may not have been sent: {exc}",
            hint=f"{_OUTBOX_HINT} with --sent {pk} or --not-sent {pk}",
        ) from exc
    touch = _complete(database, pk, action, prepared, now)  # step 3
    saved, warning = _save_copy(sent_copy, message, now)
    return Sent(pk, message_id, touch, saved, warning)


def outbox(database: Workspace, states: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """The outbox, oldest first (``states``: only those)."""
    from followup.store import mail_rows

    with database.mail().read() as conn:
        rows = mail_rows.outbox(conn, states)
    return [_outbox_json(r) for r in rows]


def settle(
    database: Workspace,
    outbox_id: int,
    *,
    was_sent: bool,
    now: datetime,
) -> dict[str, Any]:
    """The user's word on a message whose fate was unknown: sent (log its touch) or not."""
    from followup.store import mail_rows

    with database.mail().read() as conn:
        row = mail_rows.outbox_row(conn, outbox_id)
    if row is None:
        raise NotFound(f"no message {outbox_id} in the outbox", hint="`followup mail outbox`")
    if row.state not in UNSETTLED:
        raise Conflict(f"message {outbox_id} is {row.state}, not of unknown fate")
    if not was_sent:
        with database.mail().write() as conn:
            mail_rows.set_outbox_state(conn, outbox_id, "failed", now, "marked not sent")
    else:
        agenda = database.agenda()
        action = find_action(agenda.at(now), row.action)
        if action.status == "done":  # done by hand meanwhile: nothing more to log
            with database.mail().write() as conn:
                mail_rows.set_outbox_state(conn, outbox_id, "sent", now, "marked sent")
        else:
            facts = database.facts()
            prepared = Prepared(
                action,
                _person(facts, action),
                row.to_address,
                row.subject,
                row.body,
                tuple(row.refs),
                agenda.decided(action.id),
            )
            _complete(database, outbox_id, action, prepared, row.created)
    with database.mail().read() as conn:
        return _outbox_json(mail_rows.outbox_row(conn, outbox_id))


def check_unsettled(
    database: Workspace,
    inbox: Inbox,
    sent_folder: str,
    now: datetime,
) -> list[dict[str, Any]]:
    """Look for each message of unknown fate in the Sent folder (many providers keep a copy
    of what their SMTP server accepts): one found there was sent, and is settled so. The
    others stay for the user to check. Returns the outbox rows found."""
    rows = outbox(database, UNSETTLED)
    if not rows:
        return []
    inbox.open(sent_folder)
    found = [r for r in rows if inbox.has_message(str(r["message_id"]))]
    return [settle(database, int(r["id"]), was_sent=True, now=now) for r in found]


# -- helpers -----------------------------------------------------------------------------


def _person(facts: Facts, action: Action) -> Person:
    opp = facts.opportunity(action.opportunity) if action.opportunity else None
    person = opp.person(action.person) if opp is not None and action.person else None
    if person is None:
        raise UsageError(f"action '{action.id}' is not addressed to a person")
    return person


def _check_outbox(rows: list[Any], action_id: str) -> None:
    for row in rows:
        if row.state in UNSETTLED:
            raise Conflict(
                f"message {row.pk} for action '{action_id}' may already have been sent "
                f"(to {row.to_address}); it is not sent again blindly",
                hint=f"{_OUTBOX_HINT} with --sent {row.pk} or --not-sent {row.pk}",
            )
        if row.state in ("sent", "bounced"):
            raise Conflict(f"action '{action_id}' was sent already (message {row.pk})")


def _text(
    database: Workspace,
    action: Action,
    now: datetime,
    text: str | None,
    config_dir: Path | None,
) -> tuple[str, str]:
    from followup.drafts.render import split_subject

    if text is not None:
        return split_subject(text.strip("\n") + "\n")
    from followup.services.drafting import draft

    made = draft(database, action.id, now, config_dir, guard=False)
    return made.subject, made.body


def _outbox_values(
    prepared: Prepared, message: EmailMessage, message_id: str, now: datetime
) -> dict[str, Any]:
    return {
        "message_id": message_id,
        "action": prepared.action.id,
        "opportunity_id": prepared.action.opportunity,
        "person_id": prepared.person.id,
        "to_address": prepared.to,
        "subject": prepared.subject,
        "body": prepared.body,
        "raw": message.as_string(),
        "refs": prepared.thread,
        "state": "sending",
        "created": now,
        "finished": None,
        "detail": None,
        "touch_id": None,
    }


def _complete(
    database: Workspace, pk: int, action: Action, prepared: Prepared, now: datetime
) -> Touch:
    """Mark the outbox row sent and log the touch that completes the action, together (the
    same touch `followup done` logs, with the message as its body)."""
    from followup.store import mail_rows

    touch = replace(
        completing_touch(action, now),
        channel="email",
        summary=prepared.subject,
        body=prepared.body,
    )
    with database.unit_of_work(side_tables=True) as uow:
        touch_id = uow.add_touch(action.opportunity or "", touch)
        if prepared.decided:
            uow.clear_decision(action.id)
        mail_rows.set_outbox_state(mail_rows.connection_of(uow), pk, "sent", now, None, touch_id)
    return replace(touch, id=touch_id)


def _save_copy(
    sent_copy: Any, message: EmailMessage, now: datetime
) -> tuple[bool | None, str | None]:
    if sent_copy is None:
        return None, None
    try:
        sent_copy(message.as_bytes(), now)
    except Exception as exc:  # the message is sent: a missing copy is only a warning
        return False, f"sent, but no copy was saved in the Sent folder: {exc}"
    return True, None


def _outbox_json(row: Any) -> dict[str, Any]:
    return {
        "id": row.pk,
        "state": row.state,
        "action": row.action,
        "to": row.to_address,
        "subject": row.subject,
        "message_id": row.message_id,
        "created": row.created.isoformat(),
        "finished": row.finished.isoformat() if row.finished else None,
        "detail": row.detail,
        "touch": row.touch_id,
    }
