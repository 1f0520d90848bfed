"""Composing a message and handing it to the user's SMTP server.

`send` tells the two ways a send can fail apart, because the outbox must: `Refused` means the
server said no before accepting the message (it was certainly not sent, so sending again is
safe); `Unknown` means the conversation broke after the message data began (the server may
have accepted it, so the message must not be sent again blindly).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, formataddr, make_msgid
from typing import Final, Protocol

from followup.integrations.mailconf import Server

TIMEOUT_SECONDS: Final = 30.0


class Refused(Exception):
    """The server refused the message (or could not be reached): it was not sent.
    ``temporary``: the same message may well go later (the server could not be reached,
    answered with a 4xx code, or lacks what the settings ask of it, STARTTLS or a login);
    otherwise the server said no for good (a 5xx code: no such recipient, say)."""

    def __init__(self, message: str, *, temporary: bool = False) -> None:
        super().__init__(message)
        self.temporary = temporary


class Unknown(Exception):
    """The conversation broke while or after the data was sent: it may have been delivered."""


class Mailer(Protocol):
    """What sends a composed message (the SMTP server of the user's mailbox)."""

    def send(self, message: EmailMessage) -> None: ...


def compose(
    *,
    sender: str,
    sender_name: str | None,
    to: str,
    to_name: str | None,
    subject: str,
    body: str,
    now: datetime,
    thread: Sequence[str] = (),
) -> EmailMessage:
    """A plain-text message with a fresh Message-ID; ``thread`` (oldest first) makes it a
    follow-up in the same conversation (In-Reply-To the newest, References all)."""
    message = EmailMessage()
    message["From"] = formataddr((sender_name or "", sender))
    message["To"] = formataddr((to_name or "", to))
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    domain = sender.rsplit("@", 1)[-1] if "@" in sender else None
    message["Message-ID"] = make_msgid(domain=domain)
    if thread:
        message["In-Reply-To"] = thread[-1]
        message["References"] = " ".join(thread)
    message.set_content(body)
    return message


class SmtpMailer:
    """Sends through ``server`` with ``password`` (None: no login)."""

    def __init__(self, server: Server, password: str | None) -> None:
        self.server = server
        self._password = password

    def send(self, message: EmailMessage) -> None:
        data_started = False
        try:
            with self._connect() as smtp:
                if self.server.user:
                    smtp.login(self.server.user, self._password or "")
                # starttls() and login() say EHLO; without them nothing has: a server that
                # wants a greeting first (most do) would answer "503 send HELO first".
                smtp.ehlo_or_helo_if_needed()
                sender = _address(message["From"])
                recipients = [_address(message["To"])]
                code, reply = smtp.mail(sender)
                if code != 250:
                    raise _refused(f"sender refused: {code} {_text(reply)}", code)
                for rcpt in recipients:
                    code, reply = smtp.rcpt(rcpt)
                    if code not in (250, 251):
                        raise _refused(f"recipient {rcpt} refused: {code} {_text(reply)}", code)
                data_started = True
                code, reply = smtp.data(message.as_bytes(policy=SMTP_POLICY))
                if code != 250:
                    raise _refused(f"message refused: {code} {_text(reply)}", code)
        except smtplib.SMTPDataError as exc:  # the server answered no to the data
            said = f"message refused: {exc.smtp_code} {_text(exc.smtp_error)}"
            raise _refused(said, exc.smtp_code) from exc
        except smtplib.SMTPAuthenticationError as exc:
            said = f"login refused by {self.server.describe()}: {exc.smtp_code}"
            raise Refused(said, temporary=True) from exc  # the settings' to mend, then again
        except smtplib.SMTPResponseException as exc:
            if data_started:
                raise Unknown(f"{exc.smtp_code} {_text(exc.smtp_error)}") from exc
            raise _refused(f"{exc.smtp_code} {_text(exc.smtp_error)}", exc.smtp_code) from exc
        except smtplib.SMTPNotSupportedError as exc:  # reached, but without STARTTLS or AUTH
            said = f"{self.server.describe()} cannot do what the settings ask: {exc}"
            raise Refused(said, temporary=True) from exc
        except (OSError, smtplib.SMTPException) as exc:
            if data_started:
                raise Unknown(f"the connection broke while sending: {exc}") from exc
            said = f"cannot reach {self.server.describe()}: {exc}"
            raise Refused(said, temporary=True) from exc

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        host, port = self.server.host, self.server.port
        if self.server.security == "tls":
            return smtplib.SMTP_SSL(host, port, timeout=TIMEOUT_SECONDS, context=context)
        smtp = smtplib.SMTP(host, port, timeout=TIMEOUT_SECONDS)
        if self.server.security == "starttls":
            smtp.starttls(context=context)
        return smtp


def _refused(message: str, code: int) -> Refused:
    """A refusal with the server's code: 4xx means "not now", 5xx "no"."""
    return Refused(message, temporary=400 <= code < 500)


def _address(header: object) -> str:
    from email.utils import parseaddr

    return parseaddr(str(header))[1]


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
