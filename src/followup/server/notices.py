"""E-mails the server sends on its own, through its outbox (the ``server_mail`` table).

Three kinds, in one registry (`KINDS`):

- **reset**: a password-reset link, asked for on the sign-in page. The row names the account;
  the link is made when the message is sent (only its hash is ever stored) and kept out of the
  copy of the body in the outbox.
- **reminder**: a candidate's morning e-mail on a working day (Monday to Friday, from 07:00
  to noon on their own clock) when a follow-up is overdue, due, or opens later that day,
  with those follow-ups and a link to Today. No follow-up, no e-mail: a reminder that says
  nothing (or only "apply to more roles", every day) teaches people to ignore the next one.
- **digest**: a coach's Monday e-mail: who in their caseload is behind, and by what.

The server mails only when ``FOLLOWUP_SERVER_SMTP_HOST`` is set (`MailConfig.of`), and an
account can turn reminders and digests off (``account.notices``) on its account page.

Each message is sent in the way the candidates' own outbox sends theirs (`services.mail`):
the row is committed first, in state ``queued``, by whatever decides to send it; a worker's
job claims it (``sending``), hands it to the SMTP server, and marks it ``sent``. When the
server cannot take it yet (unreachable, "try later", without the STARTTLS or login the
settings ask for), the row goes back to ``queued`` and the periodic job tries again, for
`GIVE_UP`; a refusal for good (a 5xx answer) is ``failed``; a broken conversation after the
data began is ``unknown`` and never sent again by itself (it may have arrived); so is a row
left ``sending`` by a worker that died. Each failure is logged. ``key`` names the occasion
("reminder:ACCOUNT:DAY"), so two workers deciding the same thing at once make one row, and a
reminder goes once a day, a digest once a week.

The jobs that call these (``server.jobs``): ``followup.notices`` every 15 minutes decides
(`due`) which reminders and digests are due and which queued rows were left unsent, and defers
``followup.remind``, ``followup.digest`` and ``followup.send_mail`` for them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Final, NamedTuple

from followup.core.problems import Problem
from followup.core.timewin import zone_or_utc
from followup.errors import InvalidInput

_LOG: Final = logging.getLogger(__name__)

if TYPE_CHECKING:
    from followup.core.model import Action
    from followup.integrations.mailconf import Server
    from followup.integrations.smtp import Mailer
    from followup.server.caseload import Case
    from followup.store.sql import Db
    from followup.store.units import Units

#: a candidate's reminder goes out between these hours of their own clock, Monday to Friday
REMINDER_HOURS: Final = (7, 12)
#: a coach's digest goes out on this weekday (Monday), from this hour (UTC: coaches keep no
#: time zone of their own here)
DIGEST_WEEKDAY: Final = 0
DIGEST_FROM_HOUR: Final = 7
#: at most one password-reset e-mail per account in this long (a double click, a script)
RESET_EVERY: Final = timedelta(minutes=15)
#: a queued row older than this was not sent by the job deferred for it (a process died
#: between the commit and the defer): the periodic job sends it
LEFT_BEHIND: Final = timedelta(minutes=5)
#: a message the SMTP server could not take yet (unreachable, "try later", a setting it
#: lacks) is tried again by the periodic job until it is this old, then marked failed
GIVE_UP: Final = timedelta(hours=6)
#: how many follow-ups a reminder lists in each group (the rest: "and N more")
REMINDER_LINES: Final = 10
#: what an outbox row keeps of a message that held a link
LINK_REMOVED: Final = "[the link, sent only in the e-mail]"
STATES: Final = ("queued", "sending", "sent", "failed", "unknown")

#: the environment variables of the server's own mail, and what each holds
ENVIRONMENT: Final = {
    "FOLLOWUP_SERVER_SMTP_HOST": "the SMTP server the server sends its own e-mail through",
    "FOLLOWUP_SERVER_SMTP_PORT": "its port (default: 587 for starttls, 465 for tls, 25)",
    "FOLLOWUP_SERVER_SMTP_SECURITY": "starttls (default), tls or none",
    "FOLLOWUP_SERVER_SMTP_USER": "the user name to log in with (none: no login)",
    "FOLLOWUP_SERVER_SMTP_PASSWORD": "its password",
    "FOLLOWUP_SERVER_MAIL_FROM": "the From address of the server's e-mail",
    "FOLLOWUP_PUBLIC_URL": "the address people open the server at, for links in e-mail",
}


@dataclass(frozen=True, slots=True)
class MailConfig:
    """How the server sends its own e-mail, from the environment of each process."""

    server: Server
    password: str | None
    sender: str
    public_url: str  # without a trailing slash

    @classmethod
    def of(cls, environ: Mapping[str, str]) -> MailConfig | None:
        """The settings in ``environ``; None when ``FOLLOWUP_SERVER_SMTP_HOST`` is not set
        (the server sends no e-mail). `InvalidInput` names every variable that is wrong."""
        from followup.core.problems import check_choice, parse_email
        from followup.integrations.mailconf import SECURITIES, server

        host = environ.get("FOLLOWUP_SERVER_SMTP_HOST", "").strip()
        if not host:
            return None
        problems: list[Problem] = []
        security = environ.get("FOLLOWUP_SERVER_SMTP_SECURITY", "").strip() or "starttls"
        found = check_choice(security, SECURITIES, "FOLLOWUP_SERVER_SMTP_SECURITY")
        port = environ.get("FOLLOWUP_SERVER_SMTP_PORT", "").strip()
        if port and not (port.isdigit() and 0 < int(port) < 65536):
            problems.append(Problem("FOLLOWUP_SERVER_SMTP_PORT", "must be a port, 1 to 65535"))
        sender, bad_sender = parse_email(
            environ.get("FOLLOWUP_SERVER_MAIL_FROM", "").strip(), "FOLLOWUP_SERVER_MAIL_FROM"
        )
        url = environ.get("FOLLOWUP_PUBLIC_URL", "").strip().rstrip("/")
        problems += [p for p in (found, bad_sender, _check_url(url)) if p is not None]
        if any(ord(c) < 32 for c in host + environ.get("FOLLOWUP_SERVER_SMTP_USER", "")):
            problems.append(Problem("FOLLOWUP_SERVER_SMTP_HOST", "holds a control character"))
        if problems or sender is None:
            raise InvalidInput(
                problems, hint="`followup server run --help` lists the mail settings"
            )
        values = {
            "smtp_host": host,
            "smtp_port": port or None,
            "smtp_security": security,
            "smtp_user": environ.get("FOLLOWUP_SERVER_SMTP_USER", "").strip() or None,
        }
        smtp = server("smtp", values)
        if smtp is None:  # cannot be: the host is set
            return None
        password = environ.get("FOLLOWUP_SERVER_SMTP_PASSWORD") or None
        return cls(smtp, password, sender, url)

    def mailer(self) -> Mailer:
        from followup.integrations.smtp import SmtpMailer

        return SmtpMailer(self.server, self.password)


def _check_url(url: str) -> Problem | None:
    from urllib.parse import urlsplit

    path = "FOLLOWUP_PUBLIC_URL"
    if not url:
        return Problem(path, "is needed for the links in e-mail (https://followup.example.org)")
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        return Problem(path, "must be an http or https address (https://followup.example.org)")
    if parts.query or parts.fragment or any(c.isspace() or ord(c) < 32 for c in url):
        return Problem(path, "must be a plain address, without ?, # or spaces")
    return None


class Queued(NamedTuple):
    """An outbox row, as the account page and the export show it."""

    kind: str
    state: str
    created: datetime
    finished: datetime | None
    subject: str | None


# -- deciding what to send -----------------------------------------------------------------


def queue(
    db: Db,
    *,
    kind: str,
    key: str,
    account_pk: int,
    recipient: str,
    now: datetime,
    subject: str | None = None,
    body: str | None = None,
) -> int | None:
    """Queue a message for the occasion ``key``; its row's key, or None when that occasion
    has a row already (sent, or being sent by another worker)."""
    if kind not in KINDS:
        raise ValueError(f"no such kind of server mail: {kind}")
    row = {
        "key": key,
        "kind": kind,
        "account_pk": account_pk,
        "recipient": recipient,
        "state": "queued",
        "created": now,
        "subject": subject,
        "body": body,
    }
    names = list(row)
    values = [db.encode(_CODECS.get(n), row[n]) for n in names]
    found = db.rows(
        f"INSERT INTO server_mail ({', '.join(names)}) VALUES ({', '.join('?' * len(names))}) "
        "ON CONFLICT (key) DO NOTHING RETURNING pk",
        values,
    )
    return int(found[0][0]) if found else None


_CODECS: Final = {"created": "moment"}


def ask_reset(store: Units, email: str, now: datetime) -> int | None:
    """Queue a password-reset e-mail for the account of ``email``: the row's key, or None
    (no such account, or one was queued in the last `RESET_EVERY`; the page says the same
    in every case, so it tells no one which addresses have accounts)."""
    from followup.core.problems import parse_email
    from followup.server.auth import principal

    normalised, _ = parse_email(email, "email")
    if normalised is None:
        return None
    slot = int(now.timestamp() // RESET_EVERY.total_seconds())
    with store.sql(write=True) as db:
        who = principal(db, normalised.lower())
        if who is None:
            return None
        return queue(
            db,
            kind="reset",
            key=f"reset:{who.pk}:{slot}",
            account_pk=who.pk,
            recipient=who.email,
            now=now,
        )


class Due(NamedTuple):
    """What the periodic job found to do: (account, day or week) of the reminders and digests
    to consider, and the keys of queued rows left unsent."""

    reminders: list[tuple[int, str]]
    digests: list[tuple[int, str]]
    unsent: list[int]


def due(store: Units, now: datetime) -> Due:
    """The reminders, digests and left-behind rows to work on at ``now`` (the jobs check
    each reminder's follow-ups; this only picks whose morning it is)."""
    with store.sql() as db:
        candidates = db.rows(
            "SELECT a.pk, p.timezone FROM account AS a "
            "LEFT JOIN profile AS p ON p.candidate_pk = a.candidate_pk "
            "WHERE a.role = 'candidate' AND a.notices = 'on' AND a.candidate_pk IS NOT NULL"
        )
        coaches = db.column(
            "SELECT a.pk FROM account AS a WHERE a.role IN ('coach', 'admin') "
            "AND a.notices = 'on' AND EXISTS (SELECT 1 FROM consent AS g "
            "WHERE g.coach_pk = a.pk AND g.revoked IS NULL)"
        )
        taken = set(
            db.column(
                "SELECT key FROM server_mail WHERE kind IN ('reminder', 'digest') AND created > ?",
                [db.moment(now - timedelta(days=8))],
            )
        )
        unsent = db.column(
            "SELECT pk FROM server_mail WHERE state = 'queued' AND created < ? ORDER BY pk",
            [db.moment(now - LEFT_BEHIND)],
        )
    reminders = []
    for pk, timezone in candidates:
        local = now.astimezone(zone_or_utc(timezone))
        if local.weekday() < 5 and REMINDER_HOURS[0] <= local.hour < REMINDER_HOURS[1]:
            day = local.date().isoformat()
            if _reminder_key(int(pk), day) not in taken:
                reminders.append((int(pk), day))
    digests = []
    at = now.astimezone(UTC)
    if at.weekday() == DIGEST_WEEKDAY and at.hour >= DIGEST_FROM_HOUR:
        week = _week(at.date())
        digests = [(int(pk), week) for pk in coaches if _digest_key(int(pk), week) not in taken]
    return Due(reminders, digests, [int(pk) for pk in unsent])


def _reminder_key(account_pk: int, day: str) -> str:
    return f"reminder:{account_pk}:{day}"


def _digest_key(account_pk: int, week: str) -> str:
    return f"digest:{account_pk}:{week}"


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def remind(
    store: Units, account_pk: int, day: str, config: MailConfig, now: datetime
) -> int | None:
    """Queue ``day``'s reminder of the candidate of ``account_pk`` when a follow-up is overdue,
    due now, or opens later that day; the row's key, or None (no follow-up today, notices off,
    or sent already). The week's applications goal is mentioned, never a reason to write."""
    from followup.config import PlaybookSource
    from followup.core.playbook import Playbook
    from followup.services.agenda import today_of

    with store.sql() as db:
        row = db.first(
            "SELECT a.email, a.notices, c.id FROM account AS a "
            "JOIN candidate AS c ON c.pk = a.candidate_pk WHERE a.pk = ?",
            [account_pk],
        )
    if row is None or row[1] != "on":
        return None
    email, _, candidate = row
    candidate_pk = store.candidate_pk(str(candidate))
    source = PlaybookSource.of(Playbook())
    found = store.read_today(lambda _: now.timestamp(), _READ, source, candidate_pk)
    agenda, groups, _ = today_of(found, source.playbook, _READ)
    tz = agenda.tz
    local_day = now.astimezone(tz).date()
    overdue = [a for a in groups[0].actions if a.opportunity is not None]
    due_now = [a for a in groups[1].actions if a.opportunity is not None]
    opening = [
        a
        for a in groups[2].actions
        if a.opportunity is not None and a.window_start.astimezone(tz).date() == local_day
    ]
    if not (overdue or due_now or opening):
        return None
    weekly = [a for a in groups[1].actions if a.opportunity is None]
    subject, body = _reminder_text(overdue, due_now + opening, weekly, tz, config.public_url)
    with store.sql(write=True) as db:
        return queue(
            db,
            kind="reminder",
            key=_reminder_key(account_pk, day),
            account_pk=account_pk,
            recipient=str(email),
            now=now,
            subject=subject,
            body=body,
        )


#: how many of each of Today's groups a reminder reads (it lists `REMINDER_LINES` of them)
_READ: Final = 200


def _reminder_text(
    overdue: list[Action], today: list[Action], weekly: list[Action], tz: tzinfo, url: str
) -> tuple[str, str]:
    """The subject and body of a reminder: the overdue follow-ups (by their deadline), then
    today's (by their deadline, or from when they open), then the week's goal."""
    from followup.render import format_when, visible

    def line(action: Action, opens: bool) -> str:
        if opens:
            when = f"from {format_when(action.window_start, tz)}"
        else:
            when = f"by {format_when(action.window_end, tz, with_date=True)}"
        return f"  {visible(action.reason, one_line=True)} ({when})"

    parts, counts = [], []
    for title, actions in (("Overdue", overdue), ("Today", today)):
        if not actions:
            continue
        counts.append(f"{len(actions)} {title.lower()}")
        lines = [line(a, a.status == "upcoming") for a in actions[:REMINDER_LINES]]
        if len(actions) > REMINDER_LINES:
            lines.append(f"  … and {len(actions) - REMINDER_LINES} more")
        parts.append(f"{title} ({len(actions)})\n" + "\n".join(lines))
    goal = "".join(f"\n\nThis week: {visible(a.reason, one_line=True)}" for a in weekly[:1])
    subject = "Your follow-ups: " + ", ".join(counts)
    body = (
        "Good morning. These follow-ups are waiting for you:\n\n"
        + "\n\n".join(parts)
        + goal
        + f"\n\nOpen Today to do, skip or put off each one: {url}/\n\n"
        "You get this e-mail on working days when a follow-up is due. To stop it, turn "
        f"these e-mails off on your account page: {url}/account\n"
    )
    return subject, body


def digest(
    store: Units, account_pk: int, week: str, config: MailConfig, now: datetime
) -> int | None:
    """Queue ``week``'s digest of the coach of ``account_pk``: the row's key, or None (no
    candidate in their caseload, notices off, or sent already)."""
    from followup.server import caseload

    with store.sql() as db:
        row = db.first("SELECT email, notices, role FROM account WHERE pk = ?", [account_pk])
    if row is None or row[1] != "on" or row[2] not in ("coach", "admin"):
        return None
    cases = caseload.sort(caseload.of_coach(store, account_pk, now))
    if not cases:
        return None
    subject, body = _digest_text(cases, config.public_url)
    with store.sql(write=True) as db:
        return queue(
            db,
            kind="digest",
            key=_digest_key(account_pk, week),
            account_pk=account_pk,
            recipient=str(row[0]),
            now=now,
            subject=subject,
            body=body,
        )


def _digest_text(cases: list[Case], url: str) -> tuple[str, str]:
    from followup.render import visible
    from followup.server.caseload import QUIET_DAYS

    behind = [c for c in cases if c.behind]
    subject = f"Your caseload this week: {len(behind)} of {len(cases)} behind"
    lines = []
    for case in behind:
        said = []
        if case.overdue:
            said.append(f"{case.overdue} overdue")
        if case.missed:
            said.append(f"{case.missed} missed")
        if case.days_quiet is not None and case.days_quiet >= QUIET_DAYS:
            said.append(f"{case.days_quiet} days without a touch")
        said.append(f"{case.applications}/{case.weekly_target} applications this week")
        if case.offers:
            said.append(f"{case.offers} offer(s) waiting")
        lines.append(f"  {visible(case.name, one_line=True)}: {', '.join(said)}")
    if behind:
        head = "Candidates behind on their follow-ups (most urgent first):\n\n" + "\n".join(lines)
    else:
        head = "Every candidate in your caseload is on track."
    body = (
        f"{head}\n\n{len(cases) - len(behind)} on track. Your caseload: {url}/coach\n\n"
        "You get this e-mail on Mondays. To stop it, turn it off on your account page: "
        f"{url}/account\n"
    )
    return subject, body


# -- sending -------------------------------------------------------------------------------


def send(
    store: Units, pk: int, config: MailConfig, now: datetime, mailer: Mailer | None = None
) -> str:
    """Send the queued row ``pk`` once (see the module docstring); its state afterwards.
    A row another worker claimed, or one sent already, is left as it is."""
    from followup.integrations.smtp import Refused, Unknown, compose
    from followup.store.sql import read_moment

    with store.sql(write=True) as db:
        claimed = db.run(
            "UPDATE server_mail SET state = 'sending' WHERE pk = ? AND state = 'queued'", [pk]
        )
        row = db.first(
            "SELECT kind, recipient, subject, body, state, created FROM server_mail WHERE pk = ?",
            [pk],
        )
    if row is None:
        return "gone"
    kind, recipient, subject, body, state, created = row
    if not claimed:
        return str(state)
    kept = body
    if kind == "reset":  # its link is made now, and kept out of the outbox's copy
        written = _reset_text(store, str(recipient), config, now)
        if written is None:
            _finish(store, pk, now, "failed", error="the account is gone")
            return "failed"
        subject, body, kept = written
    message = compose(
        sender=config.sender,
        sender_name="followup",
        to=str(recipient),
        to_name=None,
        subject=str(subject),
        body=str(body or ""),
        now=now,
    )
    try:
        (mailer or config.mailer()).send(message)
    except Refused as exc:
        _LOG.warning("server mail %s (%s to %s) not sent: %s", pk, kind, recipient, exc)
        if exc.temporary and now - read_moment(created) < GIVE_UP:  # type: ignore[operator]
            _finish(store, pk, None, "queued", error=str(exc))  # the periodic job tries again
            return "queued"
        _finish(store, pk, now, "failed", subject=subject, body=kept, error=str(exc))
        return "failed"
    except Unknown as exc:
        _LOG.warning("server mail %s (%s to %s) may not have gone: %s", pk, kind, recipient, exc)
        _finish(store, pk, now, "unknown", subject=subject, body=kept, error=str(exc))
        return "unknown"
    _finish(
        store, pk, now, "sent", subject=subject, body=kept, message_id=str(message["Message-ID"])
    )
    return "sent"


def _finish(store: Units, pk: int, now: datetime | None, state: str, **values: str | None) -> None:
    with store.sql(write=True) as db:
        db.update("server_mail", {"state": state, "finished": now, **values}, "pk = ?", [pk])


def _reset_text(
    store: Units, recipient: str, config: MailConfig, now: datetime
) -> tuple[str, str, str] | None:
    """A reset e-mail's subject, body, and body as the outbox keeps it (without the link);
    None when the account is gone."""
    from followup.server.auth import RESET_HOURS, reset_link

    token = reset_link(store, recipient, now)
    if token is None:
        return None
    text = (
        "Someone (we hope you) asked to set a new password for your followup account.\n\n"
        "Open this link to choose one; it works once, for {hours} hours:\n{link}\n\n"
        "Didn't ask? Ignore this e-mail: your password stays as it is.\n"
    )
    link = f"{config.public_url}/reset/{token}"
    hours = RESET_HOURS
    return (
        "Set a new followup password",
        text.format(hours=hours, link=link),
        text.format(hours=hours, link=LINK_REMOVED),
    )


#: every kind of message the server sends: a reset's text is written when it is sent (its
#: link must not wait in the outbox), a reminder's and a digest's when they are queued
KINDS: Final = ("reset", "reminder", "digest")


def sent_to(store: Units, account_pk: int, limit: int = 50) -> list[Queued]:
    """The latest messages the server queued for an account (newest first)."""
    from followup.store.sql import read_moment

    with store.sql() as db:
        rows = db.rows(
            "SELECT kind, state, created, finished, subject FROM server_mail "
            "WHERE account_pk = ? ORDER BY created DESC, pk DESC LIMIT ?",
            [account_pk, limit],
        )
    return [
        Queued(str(k), str(s), read_moment(c), read_moment(f) if f else None, subj)  # type: ignore[arg-type]
        for k, s, c, f, subj in rows
    ]


def set_notices(store: Units, account_pk: int, on: bool) -> None:
    """Turn an account's reminders or digests on or off."""
    with store.sql(write=True) as db:
        db.run("UPDATE account SET notices = ? WHERE pk = ?", ["on" if on else "off", account_pk])
