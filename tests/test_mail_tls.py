"""Sending over TLS: STARTTLS on the submission port and TLS from the first byte, against a real
SMTP server with a certificate the test makes. The certificate is trusted through
SSL_CERT_FILE, as a user would trust their own server's; an untrusted one is refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from followup.services.mail import MailError
from mailfixtures.smtp_server import PASSWORD, USER, SmtpServer, make_certificate
from test_cli_support import Cli

THANKS = "thank-you:acme:dana:i1"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(params=["starttls", "tls"])
def server(request: pytest.FixtureRequest, certificate: tuple[Path, Path]) -> Iterator[SmtpServer]:
    smtp = SmtpServer(tls=request.param, certificate=certificate)
    smtp.security = request.param  # type: ignore[attr-defined]
    yield smtp
    smtp.stop()


def _configured(tmp_path: Path, server: SmtpServer) -> Cli:
    cli = Cli(tmp_path / "followup.db")
    cli.load(folder=tmp_path)
    cli(
        "mail", "settings", "--from", "alex@me.example", "--smtp-host", "localhost",
        "--smtp-port", str(server.port), "--smtp-security", server.security,  # type: ignore[attr-defined]
        "--smtp-user", USER,
    )  # fmt: skip
    return cli


def test_a_message_goes_out_encrypted(
    tmp_path: Path, server: SmtpServer, certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("FOLLOWUP_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    cli = _configured(tmp_path, server)
    cli("send", THANKS, "--yes")
    [got] = server.received
    assert got.recipients == ["dana@acme.example"]


def test_an_untrusted_certificate_is_refused_and_nothing_is_sent(
    tmp_path: Path, server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOLLOWUP_SMTP_PASSWORD", PASSWORD)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    cli = _configured(tmp_path, server)
    refused = cli("send", THANKS, "--yes", expect=MailError.exit_code)
    assert "self-signed certificate" in refused.output
    assert server.received == []
    [row] = json.loads(cli("mail", "outbox", "--json").stdout)
    assert row["state"] == "failed"  # refused before any message was sent: safe to send again
