"""An SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it accepts, for the tests.

``refuse_rcpt`` makes it refuse recipients (550); ``on_data`` runs after a message is received
and before the server answers 250 (the crash-injection point); ``drop_after_data`` hangs up
instead of answering.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER = "alex"
PASSWORD = "s3cret-smtp-password"


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    refuse_rcpt: bool = False
    on_data: Callable[[], None] | None = None
    drop_after_data: bool = False  # take the message, then hang up without answering

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.refuse_rcpt:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        if self.on_data is not None:
            self.on_data()
        if self.drop_after_data:
            server.transport.close()
        return "250 Message accepted for delivery"


def _authenticate(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    ok = (
        isinstance(data, LoginPassword)
        and data.login == USER.encode()
        and data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


class SmtpServer:
    """Started on a free port; ``stop()`` when done."""

    def __init__(self) -> None:
        self.handler = Handler()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._controller = Controller(
            self.handler,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=_authenticate,
            auth_require_tls=False,
            auth_required=False,  # our client logs in anyway; a wrong password is refused
        )
        self._controller.start()

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def stop(self) -> None:
        self._controller.stop()
