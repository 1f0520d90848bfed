"""Where mail passwords come from (environment, then the system keyring), and the settings'
validation. The keyring is a true external: a small in-memory backend stands in for it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from followup.integrations.mailconf import Server, password, password_source, server
from test_cli_support import Cli

SMTP = Server("smtp", "smtp.example.com", 587, "starttls", "alex")


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_the_environment_wins_then_the_keyring(memory_keyring: MemoryKeyring) -> None:
    assert password(SMTP, {}) is None
    assert password_source(SMTP, {}).startswith("not found: set FOLLOWUP_SMTP_PASSWORD")
    memory_keyring.set_password("followup-smtp", "alex", "from-keyring")
    assert password(SMTP, {}) == "from-keyring"
    assert password_source(SMTP, {}) == "from the system keyring (followup-smtp)"
    env = {"FOLLOWUP_SMTP_PASSWORD": "from-env"}
    assert password(SMTP, env) == "from-env"
    assert password_source(SMTP, env) == "from FOLLOWUP_SMTP_PASSWORD"


def test_servers_take_their_default_ports_from_the_security() -> None:
    assert server("smtp", {}) is None
    assert server("smtp", {"smtp_host": "h"}) == Server("smtp", "h", 587, "starttls", None)
    tls = server("imap", {"imap_host": "h", "imap_user": "me"})
    assert tls == Server("imap", "h", 993, "tls", "me")
    assert server("smtp", {"smtp_host": "h", "smtp_security": "tls"}).port == 465  # type: ignore[union-attr]


def test_settings_are_checked_and_can_be_cleared(tmp_path: Path) -> None:
    run = Cli(tmp_path / "f.db")
    assert (
        "one of starttls, tls, none"
        in run("mail", "settings", "--smtp-security", "ssl", expect=2).output
    )
    assert (
        "not a valid e-mail address" in run("mail", "settings", "--from", "alex", expect=2).output
    )
    crlf = run("mail", "settings", "--from", "me@x.example\r\nBcc: evil@x.example", expect=2)
    assert "mail.from_address" in crlf.output and "control character" in crlf.output
    assert (
        "holds a control character"
        in run("mail", "settings", "--smtp-host", "smtp.x\nevil", expect=2).output
    )
    shown = run.json("mail", "settings", "--smtp-host", "smtp.x", "--json")
    assert shown["smtp_host"] == "smtp.x" and shown["smtp_password"] == "none (no user name)"
    assert run.json("mail", "settings", "--smtp-host", "", "--json")["smtp_host"] is None
