"""Reading the user's mailbox over IMAP, read-only, and keeping a copy of sent mail.

The folder is selected read-only and messages are fetched with ``BODY.PEEK``, so a sync never
marks mail as read and never deletes or moves anything. Only the first `FETCH_BYTES` of each
message are fetched: enough for the headers and the start of the text, whatever size the
attachments are.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Final, Protocol

from followup.integrations.mailconf import Server

if TYPE_CHECKING:
    from imapclient import IMAPClient

FETCH_BYTES: Final = 256 * 1024
TIMEOUT_SECONDS: Final = 60.0
_PARTIAL = f"BODY.PEEK[]<0.{FETCH_BYTES}>"


class ImapFailed(Exception):
    """The IMAP server could not be reached, refused the login, or broke off."""


@dataclass(frozen=True, slots=True)
class Fetched:
    uid: int
    raw: bytes
    arrived: datetime | None  # INTERNALDATE: when the mailbox received it
    size: int


class Inbox(Protocol):
    """A mailbox folder read by UID (see `ImapInbox`)."""

    def open(self, folder: str) -> int:
        """Select ``folder`` read-only; returns its UIDVALIDITY."""
        ...

    def uids_after(self, last_uid: int) -> list[int]: ...

    def uids_since(self, day: date) -> list[int]: ...

    def fetch(self, uids: Sequence[int]) -> list[Fetched]: ...

    def append(self, folder: str, raw: bytes, when: datetime) -> None: ...

    def has_message(self, message_id: str) -> bool:
        """Whether the open folder holds a message with this Message-ID."""
        ...


class ImapInbox:
    """`Inbox` over a real IMAP server; use it as a context manager."""

    def __init__(self, server: Server, password: str | None) -> None:
        self.server = server
        self._password = password
        self._client: IMAPClient | None = None

    def __enter__(self) -> ImapInbox:
        from imapclient import IMAPClient

        client = None
        try:
            client = IMAPClient(
                self.server.host,
                port=self.server.port,
                ssl=self.server.security == "tls",
                ssl_context=ssl.create_default_context(),
                timeout=TIMEOUT_SECONDS,
            )
            client.normalise_times = False  # INTERNALDATE with its offset, not local naive
            if self.server.security == "starttls":
                client.starttls(ssl.create_default_context())
            if self.server.user:
                client.login(self.server.user, self._password or "")
        except Exception as exc:  # socket errors, IMAPClient.Error, LoginError...
            if client is not None:
                client.shutdown()
            raise ImapFailed(f"{self.server.describe()}: {_reason(exc)}") from exc
        self._client = client
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            try:
                self._client.logout()
            except Exception:  # already gone: nothing to close
                self._client.shutdown()
            self._client = None

    @property
    def client(self) -> IMAPClient:
        if self._client is None:
            raise RuntimeError("use ImapInbox as a context manager")
        return self._client

    def open(self, folder: str) -> int:
        with self._errors():
            info = self.client.select_folder(folder, readonly=True)
        return int(info[b"UIDVALIDITY"])

    def uids_after(self, last_uid: int) -> list[int]:
        with self._errors():
            found = self.client.search(["UID", f"{last_uid + 1}:*"])
        # "n:*" always names the newest message, even when its UID is below n.
        return sorted(int(u) for u in found if int(u) > last_uid)

    def uids_since(self, day: date) -> list[int]:
        with self._errors():
            return sorted(int(u) for u in self.client.search(["SINCE", day]))

    def fetch(self, uids: Sequence[int]) -> list[Fetched]:
        if not uids:
            return []
        with self._errors():
            answer = self.client.fetch(list(uids), [_PARTIAL, "INTERNALDATE", "RFC822.SIZE"])
        out = []
        for uid, data in sorted(answer.items()):
            raw = next((v for k, v in data.items() if k.startswith(b"BODY[]")), b"") or b""
            arrived = data.get(b"INTERNALDATE")
            out.append(
                Fetched(
                    int(uid),
                    bytes(raw),
                    arrived if isinstance(arrived, datetime) else None,
                    int(data.get(b"RFC822.SIZE") or len(raw)),
                )
            )
        return out

    def append(self, folder: str, raw: bytes, when: datetime) -> None:
        with self._errors():
            self.client.append(folder, raw, flags=[b"\\Seen"], msg_time=when)

    def has_message(self, message_id: str) -> bool:
        with self._errors():
            return bool(self.client.search(["HEADER", "Message-ID", message_id]))

    def _errors(self) -> _Errors:
        return _Errors(self.server)


class _Errors:
    """Turns whatever the connection raises into `ImapFailed`, naming the server."""

    def __init__(self, server: Server) -> None:
        self.server = server

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, _tb: object
    ) -> None:
        if exc is not None and isinstance(exc, Exception) and not isinstance(exc, ImapFailed):
            raise ImapFailed(f"{self.server.describe()}: {_reason(exc)}") from exc


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.removeprefix("b'").removesuffix("'")


def batches(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
