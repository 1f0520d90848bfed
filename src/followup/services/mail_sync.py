"""Noticing replies: `followup mail sync` and the review list.

A sync reads the folder's messages newer than the last one seen (by UID, for the folder's
UIDVALIDITY; when the server renumbers the folder, it reads again from a few days before the
last sync, and the messages already logged are recognised by their Message-ID). Each message is
matched to a person:

1. a reply to one of our sent messages (In-Reply-To / References name its Message-ID);
2. else a message from an address on file for a person;
3. else a message from the domain of an opportunity's people goes to the review list, where the
   user confirms (or dismisses) it.

Matched replies become inbound touches (the planner restarts the cycle on them). Auto-replies
are not replies: when one names a return date, the person's pending actions are snoozed until
then. Bounces flag the address as undeliverable. Each batch of messages commits together with
the sync position, so an interrupted sync resumes where it stopped and nothing is logged twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

from followup.core.model import Action, ActionDecision, Facts, Person, Touch
from followup.services.workspace import Workspace

if TYPE_CHECKING:
    from followup.integrations.imap import Fetched, Inbox
    from followup.integrations.mailparse import Received
    from followup.store.mail_rows import Scoped
    from followup.store.uow import UnitOfWork

BATCH: Final = 50
#: A first sync reads this far back.
FIRST_SYNC_DAYS: Final = 30
#: After the server renumbers a folder, read again from this long before the last sync.
RESCAN_MARGIN: Final = timedelta(days=2)
#: Domains many people share: a sender there is nobody's colleague.
SHARED_DOMAINS: Final = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.com",
        "yandex.ru",
    ]
)
#: The hour (in the profile's time zone) an auto-reply's return day starts.
RETURN_HOUR: Final = 9


@dataclass
class SyncSummary:
    """What a sync did (`followup mail sync --json`)."""

    folder: str
    uidvalidity: int = 0
    last_uid: int = 0
    rescanned: bool = False
    read: int = 0
    replies: int = 0
    auto_replies: int = 0
    snoozed: int = 0
    bounces: int = 0
    review: int = 0
    ignored: int = 0
    already_seen: int = 0
    unreadable: int = 0
    problems: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def sync(
    database: Workspace,
    inbox: Inbox,
    folder: str,
    now: datetime,
    own_address: str | None = None,
    since: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SyncSummary:
    """Read ``folder`` of ``inbox`` from where the last sync stopped (see the module
    docstring); ``progress(done, total)`` is called after each message."""
    from followup.store import mail_rows

    summary = SyncSummary(folder)
    uidvalidity = inbox.open(folder)
    tables = database.mail()
    with tables.read() as conn:
        position = mail_rows.sync_position(conn, folder)
        synced = mail_rows.last_synced(conn, folder)
    if position is not None and position[0] == uidvalidity:
        last_uid = position[1]
        uids = inbox.uids_after(last_uid)
    else:
        summary.rescanned = position is not None
        first_day = since or (
            (synced - RESCAN_MARGIN).date()
            if synced is not None
            else (now - timedelta(days=FIRST_SYNC_DAYS)).date()
        )
        last_uid = 0
        uids = inbox.uids_since(first_day)
    summary.uidvalidity = uidvalidity
    total = len(uids)
    for start in range(0, total, BATCH):
        batch = inbox.fetch(uids[start : start + BATCH])
        facts = database.facts()
        agenda = database.agenda()
        pending = [a for a in agenda.at(now) if a.status not in ("done", "replaced", "skipped")]
        with database.unit_of_work(side_tables=True) as uow:
            conn = mail_rows.connection_of(uow)
            for fetched in batch:
                _one(conn, uow, facts, pending, fetched, own_address, now, summary)
                summary.read += 1
                if progress is not None:
                    progress(summary.read, total)
            # Past the whole batch, even messages deleted between the search and the fetch.
            last_uid = max([last_uid, *uids[start : start + BATCH]])
            mail_rows.save_sync_position(conn, folder, uidvalidity, last_uid, now)
    if total == 0:
        with tables.write() as conn:
            keep = position[1] if position is not None and not summary.rescanned else last_uid
            mail_rows.save_sync_position(conn, folder, uidvalidity, keep, now)
            last_uid = keep
    summary.last_uid = last_uid
    return summary


def _one(
    conn: Scoped,
    uow: UnitOfWork,
    facts: Facts,
    pending: list[Action],
    fetched: Fetched,
    own_address: str | None,
    now: datetime,
    summary: SyncSummary,
) -> None:
    """Read, classify and record one message (never raises on what the message holds)."""
    from followup.integrations.mailparse import parse
    from followup.store import mail_rows

    arrived = fetched.arrived or now
    if arrived.tzinfo is None:
        arrived = arrived.replace(tzinfo=UTC)
    message = parse(fetched.raw, arrived.date())
    if message.problems:
        summary.problems += [f"UID {fetched.uid}: {p}" for p in message.problems]
    if not message.from_address and not message.message_id:
        summary.unreadable += 1
        return
    key = message.message_id or f"uid:{summary.folder}:{summary.uidvalidity}:{fetched.uid}"
    if mail_rows.known_keys(conn, [key]):
        summary.already_seen += 1
        return
    if own_address and message.from_address == own_address.lower():
        summary.ignored += 1
        return
    when = min(message.date or arrived, now)
    row = _row(key, message, when)
    if message.bounce:
        _bounce(conn, message, row, now)
        summary.bounces += 1
        return
    match = _match(conn, facts, message)
    if match is None:
        summary.ignored += 1
        return
    opp_id, person, certain = match
    row.update(opportunity_id=opp_id, person_id=person.id if person else None)
    if message.auto_reply:
        row.update(kind="auto-reply", status="done")
        if certain and person is not None and message.returns_on is not None:
            until = _return_moment(message.returns_on, facts)
            summary.snoozed += _snooze(uow, pending, opp_id, person.id, until, now)
            row["detail"] = f"back {message.returns_on.isoformat()}"
        summary.auto_replies += 1
        mail_rows.add_inbound(conn, row)
        return
    if not certain or person is None:
        row.update(kind="review", status="pending")
        summary.review += 1
        mail_rows.add_inbound(conn, row)
        return
    row.update(kind="reply", status="done")
    touch = inbound_touch(person.id, when, message.subject, row["snippet"])
    row["touch_id"] = uow.add_touch(opp_id, touch)
    summary.replies += 1
    mail_rows.add_inbound(conn, row)


def _row(key: str, message: Received, when: datetime) -> dict[str, Any]:
    return {
        "key": key,
        "received": when,
        "from_address": message.from_address,
        "subject": message.subject[:500],
        "snippet": message.snippet,
        "kind": "ignored",
        "status": "done",
        "opportunity_id": None,
        "person_id": None,
        "touch_id": None,
        "detail": None,
    }


def inbound_touch(person_id: str, when: datetime, subject: str, snippet: str) -> Touch:
    """The touch a reply is logged as: an inbound e-mail, its subject and first lines (without
    control characters: `parse` takes them out, and a row stored before it did may hold them)."""
    from followup.core.problems import clean_text

    subject, snippet = clean_text(subject), clean_text(snippet)
    return Touch(
        at=when,
        person=person_id,
        channel="email",
        direction="in",
        kind="other",
        summary=subject or "(no subject)",
        body=snippet or None,
    )


def _bounce(conn: Scoped, message: Received, row: dict[str, Any], now: datetime) -> None:
    from followup.store import mail_rows

    original = mail_rows.sent_by_message_id(conn, message.bounced_ids)
    failed = list(message.failed_recipients)
    if original is not None:
        mail_rows.set_outbox_state(
            conn, original.pk, "bounced", original.finished, "returned by the recipient's server"
        )
        row.update(opportunity_id=original.opportunity_id, person_id=original.person_id)
        if not failed:
            failed = [original.to_address]
    for address in failed:
        mail_rows.flag_bad_address(conn, address, f"bounced: {message.subject[:120]}", now)
    row.update(kind="bounce", status="done", detail=", ".join(failed) or None)
    mail_rows.add_inbound(conn, row)


def _match(conn: Scoped, facts: Facts, message: Received) -> tuple[str, Person | None, bool] | None:
    """(opportunity id, person or None, certain): a reply to our message or from an address
    on file is certain; one only from the company's domain is not."""
    from followup.store import mail_rows

    sent = mail_rows.sent_by_message_id(conn, message.refers_to)
    if sent is not None:
        opp = facts.opportunity(sent.opportunity_id)
        person = opp.person(sent.person_id) if opp is not None else None
        if opp is not None and person is not None:
            return opp.id, person, True
    sender = message.from_address
    if not sender:
        return None
    active = sorted(facts.opportunities, key=lambda o: o.status != "active")
    for opp in active:
        for person in opp.people:
            if person.email and person.email.lower() == sender:
                return opp.id, person, True
    domain = sender.rsplit("@", 1)[-1]
    if domain in SHARED_DOMAINS:
        return None
    for opp in active:
        colleagues = [
            p for p in opp.people if p.email and p.email.lower().rsplit("@", 1)[-1] == domain
        ]
        if colleagues:
            return opp.id, colleagues[0] if len(colleagues) == 1 else None, False
    return None


def _return_moment(day: date, facts: Facts) -> datetime:
    return datetime.combine(day, time(RETURN_HOUR), ZoneInfo(facts.profile.timezone))


def _snooze(
    uow: UnitOfWork,
    pending: list[Action],
    opp_id: str,
    person_id: str,
    until: datetime,
    now: datetime,
) -> int:
    """Snooze the person's pending actions that would fall before ``until``."""
    if until <= now:
        return 0
    count = 0
    for action in pending:
        if action.opportunity != opp_id or action.person != person_id:
            continue
        if action.snoozed_until is not None and action.snoozed_until >= until:
            continue
        if action.window_start >= until:
            continue
        uow.set_decision(ActionDecision(action.id, "snoozed", until))
        count += 1
    return count
