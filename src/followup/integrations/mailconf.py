"""Mail server settings and where their passwords come from.

The settings are stored in the database (`followup mail settings`); passwords never are. A
password comes from an environment variable (``FOLLOWUP_SMTP_PASSWORD``,
``FOLLOWUP_IMAP_PASSWORD``) or, when the optional ``keyring`` package is installed, from the
system keyring (service ``followup-smtp`` / ``followup-imap``, the server's user name as the
account). Nothing here prints, logs or stores one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal, cast

from followup.errors import UsageError

Security = Literal["starttls", "tls", "none"]
SECURITIES: Final = ("starttls", "tls", "none")
SMTP_PORTS: Final = {"starttls": 587, "tls": 465, "none": 25}
IMAP_PORTS: Final = {"starttls": 143, "tls": 993, "none": 143}
PASSWORD_ENV: Final = {"smtp": "FOLLOWUP_SMTP_PASSWORD", "imap": "FOLLOWUP_IMAP_PASSWORD"}


@dataclass(frozen=True, slots=True)
class Server:
    """One mail server: SMTP to send, IMAP to read replies and keep a copy of what was sent."""

    kind: Literal["smtp", "imap"]
    host: str
    port: int
    security: Security
    user: str | None

    def describe(self) -> str:
        who = f"{self.user}@" if self.user else ""
        security = "no encryption" if self.security == "none" else self.security
        return f"{self.kind.upper()} {who}{self.host}:{self.port} ({security})"


def server(kind: Literal["smtp", "imap"], values: Mapping[str, object]) -> Server | None:
    """The server of ``kind`` from stored settings; None when it is not configured."""
    host = values.get(f"{kind}_host")
    if not host:
        return None
    security = str(values.get(f"{kind}_security") or ("starttls" if kind == "smtp" else "tls"))
    if security not in SECURITIES:
        raise UsageError(f"{kind} security '{security}' is not one of {', '.join(SECURITIES)}")
    ports = SMTP_PORTS if kind == "smtp" else IMAP_PORTS
    port = values.get(f"{kind}_port") or ports[security]
    user = values.get(f"{kind}_user")
    return Server(
        kind, str(host), int(str(port)), cast(Security, security), str(user) if user else None
    )


def password(target: Server, environ: Mapping[str, str]) -> str | None:
    """The password of ``target``: its environment variable, else the keyring, else None."""
    variable = PASSWORD_ENV[target.kind]
    if environ.get(variable):
        return environ[variable]
    if target.user is None:
        return None
    try:
        import keyring
    except ImportError:
        return None
    try:
        found = keyring.get_password(f"followup-{target.kind}", target.user)
    except Exception:  # no usable keyring backend: same as no password
        return None
    return found if isinstance(found, str) else None


def password_source(target: Server, environ: Mapping[str, str]) -> str:
    """Where the password would come from, for `followup mail settings` (never the value)."""
    variable = PASSWORD_ENV[target.kind]
    if environ.get(variable):
        return f"from {variable}"
    if target.user is None:
        return "none (no user name)"
    if password(target, environ) is not None:
        return f"from the system keyring (followup-{target.kind})"
    return f"not found: set {variable} or store it in the system keyring as followup-{target.kind}"
