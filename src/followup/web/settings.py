"""The settings of one web server, resolved at the edge (``followup serve``) and handed in."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class WebSettings:
    """What ``create_app`` needs: the database, the playbook file, the clock and a secret.

    ``secret`` signs the CSRF cookies; a new one per process is enough for a local server (a
    restart only asks open pages to reload before their next form). ``allowed_hosts`` guards
    against DNS rebinding: requests naming another host are refused.
    """

    database_url: str
    config_file: Path | None = None
    clock: Callable[[], datetime] = utc_now
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "[::1]", "testserver")
    #: How many lines each group of the Today page shows before "and N more".
    today_limit: int = 20
    #: Sign-in required on every route but the sign-in page, static files and the calendar
    #: feed (a server beyond this computer, `followup serve --host`): see ``web.access``.
    access_control: bool = False
    #: Browsers reach the server over https through a proxy: session cookies are ``Secure``.
    behind_tls: bool = False

    def with_secret(self, secret: bytes) -> WebSettings:
        """These settings, signing forms with ``secret`` (shared by a server's processes)."""
        return replace(self, secret=secret)
