"""The server mode: each candidate's replies read from their own mailbox, by a worker.

A candidate's mail settings are the rows `followup mail settings` keeps locally
(``services.mail.get_settings`` / ``set_settings`` on their workspace, with the same checks);
what the server adds is the **password**, which a server cannot read from a candidate's keyring:

- it is **sealed** (``cryptography.fernet``) with the key in the environment variable
  ``FOLLOWUP_SECRET_KEY`` of every web process and worker, and kept sealed in ``mail_secret``
  (``kind`` smtp or imap). The key is never in the database, so a copy of the database opens no
  mailbox. ``followup server secret-key`` makes a key. Several keys, space-separated, rotate
  without downtime: the first seals, all of them open; `reseal` then seals every stored password
  with the first, after which the old key can go.
- without the variable, storing a password is refused (`SecretKeyMissing`); a sealed password
  the key cannot open (the key changed) stops the sync with "the stored password cannot be
  opened with this server's key; enter it again" (`SecretUnreadable`).
- a change of a server (host, port, security or user) forgets its stored password unless a new
  one comes with it: a stolen session cannot send the candidate's password to another host.
- the outcome of the last sync (when, and what it did or why it stopped) is kept as a row of
  ``mail_sync_outcome`` (JSON), so the candidate sees on /account/mail what the worker did.

For the periodic job (``server.jobs``)::

    for candidate in candidates_to_sync(store):          # IMAP host and password stored
        try:
            sync_candidate(store, playbook, candidate, os.environ, now)
        except FollowupError as exc:   # already recorded for the candidate: log exc.message
            ...

`sync_candidate` records its outcome (success or failure) before it returns or raises, raises
only `FollowupError` for what a candidate or an administrator can fix (IMAP unreachable, login
refused, no key, a key that cannot open the password, no settings), and refuses (`Conflict`)
to start while another sync of the same candidate runs (a PostgreSQL advisory lock): the job
and the "sync now" button of /account/mail never read one mailbox twice at once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, Literal

from followup.errors import Conflict, FollowupError, InvalidInput, UsageError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from cryptography.fernet import MultiFernet

    from followup.config import PlaybookSource
    from followup.core.playbook import Playbook
    from followup.services.mail_sync import SyncSummary
    from followup.services.workspace import Workspace
    from followup.store import Store
    from followup.store.sql import Db

Kind = Literal["smtp", "imap"]
#: the environment variable holding the key (or keys, space-separated: the first seals)
SECRET_KEY_ENV: Final = "FOLLOWUP_SECRET_KEY"  # noqa: S105 (a variable's name)
#: the kinds of ``mail_secret`` rows that hold a sealed password
KINDS: Final[tuple[Kind, ...]] = ("smtp", "imap")
#: the kind of the ``mail_secret`` row that holds the last sync's outcome (plain JSON)
#: the longest password taken (a mail password is far shorter)
MAX_PASSWORD: Final = 1024
#: the first key of the advisory lock held while a candidate's mailbox is read ("fu" "ms")
#: the advisory lock of one candidate's sync: named by the schema too, since advisory locks
#: are shared by every schema of a database (two installations, or tests, side by side)
SYNC_LOCK: Final = "hashtextextended(current_schema() || ':mail-sync:' || CAST(? AS TEXT), 0)"
#: "any" lets candidates' mail servers be on loopback, private or link-local addresses (a
#: test, or an intranet's own mail server); by default only public addresses are reached, so
#: a candidate cannot point the server's workers at the machines beside it
HOSTS_ENV: Final = "FOLLOWUP_CANDIDATE_MAIL_HOSTS"
_MAKE_KEY = (
    "make one with `followup server secret-key` and set FOLLOWUP_SECRET_KEY to it for every "
    "web process and worker"
)
_ENTER_AGAIN = "enter the password again on /account/mail"


class SecretKeyMissing(FollowupError):
    """The server has no key (``FOLLOWUP_SECRET_KEY``): it cannot seal or open a password."""

    http_status = 503


class SecretUnreadable(FollowupError):
    """A sealed password that this server's key cannot open (the key changed)."""

    http_status = 409


# -- sealing ---------------------------------------------------------------------------------


def new_secret_key() -> str:
    """A fresh key for ``FOLLOWUP_SECRET_KEY`` (32 random bytes, URL-safe base64)."""
    key: bytes = _fernet().Fernet.generate_key()
    return key.decode("ascii")


def has_key(environ: Mapping[str, str]) -> bool:
    return bool(environ.get(SECRET_KEY_ENV, "").split())


def sealer(environ: Mapping[str, str]) -> MultiFernet:
    """The keys of ``environ``: the first seals, all open. Refuses when there is none, and
    names a malformed one by its place (never by its value)."""
    fernet = _fernet()
    words = environ.get(SECRET_KEY_ENV, "").split()
    if not words:
        raise SecretKeyMissing(
            f"this server cannot store mail passwords: {SECRET_KEY_ENV} is not set",
            hint=_MAKE_KEY,
        )
    keys = []
    for place, word in enumerate(words, 1):
        try:
            keys.append(fernet.Fernet(word.encode("ascii", "replace")))
        except (ValueError, TypeError) as exc:
            raise SecretKeyMissing(
                f"{SECRET_KEY_ENV} holds something that is not a key (word {place} of "
                f"{len(words)}: a key is 44 characters of URL-safe base64)",
                hint=_MAKE_KEY,
            ) from exc
    found: MultiFernet = fernet.MultiFernet(keys)
    return found


def check_environment(environ: Mapping[str, str]) -> str:
    """What `followup server run` and `followup worker` say of candidates' mailboxes when they
    start; refuses a malformed key or a `HOSTS_ENV` that is neither "public" nor "any"."""
    hosts = environ.get(HOSTS_ENV, "").strip().lower() or "public"
    if hosts not in ("public", "any"):
        raise UsageError(
            f"{HOSTS_ENV} must be 'public' (the default) or 'any', not {hosts!r}",
            hint="'any' lets candidates' mail servers be on private addresses",
        )
    if not has_key(environ):
        return (
            f"Candidates cannot store mail passwords here ({SECRET_KEY_ENV} is not set: "
            "`followup server secret-key` makes one)."
        )
    sealer(environ)  # refuses a malformed key now, not at a candidate's first save
    count = len(environ.get(SECRET_KEY_ENV, "").split())
    where = "any address" if hosts == "any" else "public addresses only"
    keys = "1 key" if count == 1 else f"{count} keys"
    return f"Candidates' mail passwords are sealed ({keys}); their mail servers: {where}."


def seal(password: str, environ: Mapping[str, str]) -> str:
    """``password`` sealed with the first key of ``environ``."""
    return sealer(environ).encrypt(password.encode("utf-8")).decode("ascii")


def unseal(sealed: str, environ: Mapping[str, str]) -> str:
    """The password ``sealed`` holds; `SecretUnreadable` when no key of ``environ`` opens it."""
    from cryptography.fernet import InvalidToken

    keys = sealer(environ)
    try:
        return keys.decrypt(sealed.encode("ascii", "replace")).decode("utf-8")
    except (InvalidToken, UnicodeDecodeError) as exc:
        raise SecretUnreadable(
            "the stored password cannot be opened with this server's key; enter it again",
            hint=f"{_ENTER_AGAIN} (the server's {SECRET_KEY_ENV} changed since it was stored)",
        ) from exc


def reseal(store: Store, environ: Mapping[str, str]) -> tuple[int, int]:
    """Seal every stored password with the first key (after a new key was put first in
    ``FOLLOWUP_SECRET_KEY``, before the old one is removed); how many were sealed again, and
    how many no key opens (they stay as they are: their candidates must enter them again)."""
    from cryptography.fernet import InvalidToken

    keys = sealer(environ)
    resealed = unreadable = 0
    with store.sql(write=True) as db:
        rows = db.rows(
            "SELECT candidate_pk, kind, sealed FROM mail_secret WHERE kind IN (?, ?)", list(KINDS)
        )
        for candidate_pk, kind, sealed in rows:
            try:
                fresh = keys.rotate(str(sealed).encode("ascii", "replace")).decode("ascii")
            except InvalidToken:
                unreadable += 1
                continue
            db.run(
                "UPDATE mail_secret SET sealed = ? WHERE candidate_pk = ? AND kind = ?",
                [fresh, candidate_pk, kind],
            )
            resealed += 1
    return resealed, unreadable


def _fernet() -> Any:
    """``cryptography.fernet``, or what to install to have it."""
    try:
        from cryptography import fernet
    except ImportError as exc:
        raise UsageError(
            "sealing mail passwords needs the server extras", hint="pip install 'followup[server]'"
        ) from exc
    return fernet


# -- what is stored ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """The last sync of a candidate's mailbox: when, whether it worked, and what it did."""

    at: datetime
    ok: bool
    message: str
    hint: str | None = None
    summary: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "ok": self.ok,
            "message": self.message,
            "hint": self.hint,
            "summary": self.summary,
        }

    @classmethod
    def of_json(cls, text: str) -> Outcome | None:
        try:
            found = json.loads(text)
            return cls(
                datetime.fromisoformat(str(found["at"])),
                bool(found["ok"]),
                str(found["message"]),
                found.get("hint"),
                found.get("summary"),
            )
        except (ValueError, KeyError, TypeError):  # written by another version: not shown
            return None


@dataclass(frozen=True, slots=True)
class Mailbox:
    """A candidate's mail settings as /account/mail shows them: never a password."""

    settings: dict[str, Any]
    stored: dict[str, bool]  # kind -> whether a sealed password is stored
    last: Outcome | None
    can_store: bool  # the server has a key
    last_synced: datetime | None = None  # the folder's last complete read


@dataclass(frozen=True, slots=True)
class Saved:
    settings: dict[str, Any]
    stored: list[str] = field(default_factory=list)  # kinds whose password was stored now
    forgotten: list[str] = field(default_factory=list)  # kinds forgotten: their server changed


def workspace(
    store: Store, playbook: PlaybookSource | Playbook | None, candidate: str
) -> Workspace:
    """``candidate``'s workspace on the server's open store."""
    from followup.services.workspace import Workspace

    return Workspace.of(store, playbook, candidate=candidate)


def mailbox(
    store: Store,
    playbook: PlaybookSource | Playbook | None,
    candidate: str,
    environ: Mapping[str, str],
) -> Mailbox:
    """What /account/mail shows of ``candidate``'s mail settings."""
    from followup.services import mail
    from followup.store import mail_rows

    ws = workspace(store, playbook, candidate)
    settings = mail.get_settings(ws)
    folder = str(settings.get("imap_folder") or "INBOX")
    with ws.mail().read() as conn:
        synced = mail_rows.last_synced(conn, folder)
    kinds = _stored(store, ws.candidate_pk)
    return Mailbox(
        settings,
        {kind: kind in kinds for kind in KINDS},
        last_outcome(store, candidate),
        has_key(environ),
        synced,
    )


def save_settings(
    store: Store,
    playbook: PlaybookSource | Playbook | None,
    candidate: str,
    values: Mapping[str, Any],
    passwords: Mapping[str, str | None],
    environ: Mapping[str, str],
) -> Saved:
    """Change ``candidate``'s settings (``services.mail.set_settings``: None clears one) and
    store the passwords given (a kind -> its password; None or empty keeps the stored one).

    Everything is checked before anything is written: a password without a key on the server,
    a password with a control character, a setting the settings' own checks refuse."""
    from followup.services import mail

    given = {kind: p for kind, p in passwords.items() if p}
    _check_passwords(given)
    sealed = {kind: seal(p, environ) for kind, p in given.items()}  # refused here: no key
    ws = workspace(store, playbook, candidate)
    before = mail.get_settings(ws)
    after = mail.set_settings(ws, values)
    changed = [k for k in KINDS if k not in sealed and _server(k, before) != _server(k, after)]
    forgotten: list[str] = []
    with store.sql(write=True) as db:
        for kind, value in sealed.items():
            _put(db, ws.candidate_pk, kind, value)
        for kind in changed:
            if db.run(_DELETE, [ws.candidate_pk, kind]):
                forgotten.append(kind)
    return Saved(after, sorted(sealed), forgotten)


def forget_passwords(store: Store, candidate: str) -> int:
    """Forget ``candidate``'s stored passwords; how many there were."""
    pk = store.candidate_pk(candidate)
    with store.sql(write=True) as db:
        return sum(db.run(_DELETE, [pk, kind]) for kind in KINDS)


def last_outcome(store: Store, candidate: str) -> Outcome | None:
    """The outcome of ``candidate``'s last sync (None: never synced on the server)."""
    pk = store.candidate_pk(candidate)
    with store.sql() as db:
        found = db.scalar("SELECT outcome FROM mail_sync_outcome WHERE candidate_pk = ?", [pk])
    return None if found is None else Outcome.of_json(str(found))


def candidates_to_sync(store: Store) -> list[str]:
    """The candidates whose replies a worker can read: an IMAP host set and a sealed IMAP
    password stored (whether the key opens it, the sync says), by id."""
    with store.sql() as db:
        found = db.column(
            "SELECT c.id FROM candidate AS c "
            "JOIN mail_settings AS m ON m.candidate_pk = c.pk "
            "JOIN mail_secret AS s ON s.candidate_pk = c.pk AND s.kind = 'imap' "
            "WHERE m.imap_host IS NOT NULL AND m.imap_host <> '' ORDER BY c.id"
        )
    return [str(c) for c in found]


# -- syncing -------------------------------------------------------------------------------


def sync_candidate(
    store: Store,
    playbook: PlaybookSource | Playbook | None,
    candidate: str,
    environ: Mapping[str, str],
    now: datetime,
) -> SyncSummary:
    """Read ``candidate``'s new replies from their mailbox into their workspace (as `followup
    mail sync` does locally, their from address being their own), and record the outcome.

    Raises `FollowupError` (recorded first) when it cannot: no IMAP server or password, no key,
    a password the key cannot open, the server unreachable or refusing the login."""
    from followup.errors import StorageError

    ws = workspace(store, playbook, candidate)
    summary: SyncSummary | None = None
    try:
        with _one_sync_at_a_time(store, ws.candidate_pk):
            try:
                summary = _sync(store, ws, environ, now)
            except FollowupError as exc:
                _record(store, ws.candidate_pk, Outcome(now, False, exc.message, exc.hint))
                raise
    except StorageError:
        if summary is None:
            raise
        # the sync is done (its batches committed); only the lock's transaction ended early
    _record(store, ws.candidate_pk, Outcome(now, True, describe(summary), None, summary.as_json()))
    return summary


def describe(summary: SyncSummary) -> str:
    """One sentence on what a sync did."""
    from followup.core.words import count

    text = (
        f"Read {count(summary.read, 'message')} in {summary.folder}: "
        f"{count(summary.replies, 'reply')} logged, {count(summary.auto_replies, 'auto-reply')}, "
        f"{count(summary.bounces, 'bounce')}, {summary.review} to review."
    )
    if summary.problems:
        text += f" {count(len(summary.problems), 'message')} partly unreadable."
    return text


def _sync(store: Store, ws: Workspace, environ: Mapping[str, str], now: datetime) -> SyncSummary:
    from followup.integrations.imap import ImapFailed, ImapInbox
    from followup.integrations.mailconf import server
    from followup.services import mail
    from followup.services.mail_sync import sync

    settings = mail.get_settings(ws)
    imap = server("imap", settings)
    if imap is None:
        raise UsageError("reading replies needs your IMAP server", hint="set it on /account/mail")
    with store.sql() as db:
        sealed = db.scalar(_SELECT, [ws.candidate_pk, "imap"])
    if sealed is None:
        raise UsageError("no IMAP password is stored for your mailbox", hint=_ENTER_AGAIN)
    password = unseal(str(sealed), environ)
    _check_public(imap.host, imap.port, environ)
    folder = str(settings.get("imap_folder") or "INBOX")
    try:
        with ImapInbox(imap, password) as inbox:
            return sync(ws, inbox, folder, now, settings.get("from_address"))
    except ImapFailed as exc:
        raise mail.MailError(
            f"mail sync stopped: {exc}",
            hint="check the IMAP settings and password on /account/mail",
        ) from exc


@contextmanager
def _one_sync_at_a_time(store: Store, candidate_pk: int) -> Iterator[None]:
    """Held while a candidate's mailbox is read (PostgreSQL: an advisory lock, released with
    its transaction even if the process dies); refuses a second sync meanwhile."""
    with store.sql(write=True) as db:
        if db.dialect == "postgresql":
            got = db.scalar(f"SELECT pg_try_advisory_xact_lock({SYNC_LOCK})", [candidate_pk])
            if not got:
                raise Conflict(
                    "your mailbox is being read already",
                    hint="its outcome shows on /account/mail when it ends",
                )
        yield


def _record(store: Store, candidate_pk: int, outcome: Outcome) -> None:
    with store.sql(write=True) as db:
        db.run(
            "INSERT INTO mail_sync_outcome (candidate_pk, outcome) VALUES (?, ?) "
            "ON CONFLICT (candidate_pk) DO UPDATE SET outcome = excluded.outcome",
            [candidate_pk, json.dumps(outcome.as_json())],
        )


# -- helpers -------------------------------------------------------------------------------


def _check_public(host: str, port: int, environ: Mapping[str, str]) -> None:
    """Refuse a mail server on an address that is not public (loopback, private, link-local,
    reserved), unless `HOSTS_ENV` is "any": the worker connects where the candidate says, and
    must not become a way into the server's own network. (The name is resolved here and again
    by the connection; a name that changes its address in between is not caught.)"""
    import ipaddress
    import socket

    if environ.get(HOSTS_ENV, "").strip().lower() == "any":
        return
    try:
        found = {str(i[4][0]) for i in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except (OSError, UnicodeError) as exc:
        raise UsageError(
            f"the mail server {host} cannot be found: {exc}",
            hint="check the IMAP host on /account/mail",
        ) from exc
    inner = sorted(a for a in found if not ipaddress.ip_address(a.split("%")[0]).is_global)
    if inner:
        raise UsageError(
            f"the mail server {host} is at an address this server does not reach "
            f"({', '.join(inner)}: not a public address)",
            hint=f"give your mail provider's public IMAP host (an administrator can allow "
            f"private addresses with {HOSTS_ENV}=any)",
        )


_SELECT: Final = "SELECT sealed FROM mail_secret WHERE candidate_pk = ? AND kind = ?"
_DELETE: Final = "DELETE FROM mail_secret WHERE candidate_pk = ? AND kind = ?"


def _put(db: Db, candidate_pk: int, kind: str, value: str) -> None:
    db.run(
        "INSERT INTO mail_secret (candidate_pk, kind, sealed) VALUES (?, ?, ?) "
        "ON CONFLICT (candidate_pk, kind) DO UPDATE SET sealed = excluded.sealed",
        [candidate_pk, kind, value],
    )


def _stored(store: Store, candidate_pk: int) -> set[str]:
    with store.sql() as db:
        found = db.column("SELECT kind FROM mail_secret WHERE candidate_pk = ?", [candidate_pk])
    return {str(k) for k in found} & set(KINDS)


def _server(kind: Kind, settings: Mapping[str, Any]) -> object:
    """What a password is given to: the server (host, port, security, user), defaults resolved."""
    from followup.integrations.mailconf import server

    return server(kind, settings)


def _check_passwords(passwords: Mapping[str, str]) -> None:
    """A password goes to the mail server as it is: no control character (a line break would
    end the IMAP command), not absurdly long. Its value is never in the message."""
    from followup.core.problems import Problem

    found = []
    for kind, value in passwords.items():
        if kind not in KINDS:
            raise ValueError(f"no password kind {kind!r}")
        where = f"mail.{kind}_password"
        if len(value) > MAX_PASSWORD:
            found.append(Problem(where, f"is longer than {MAX_PASSWORD} characters"))
        elif any(ord(c) < 32 or ord(c) == 127 for c in value):
            found.append(Problem(where, "holds a control character (a line break, a tab...)"))
    if found:
        raise InvalidInput(found)
