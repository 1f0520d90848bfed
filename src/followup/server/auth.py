"""Signing in to the server: sessions, API tokens, invitation and reset links, the shared secret.

Everything lives in PostgreSQL, so any web process on any machine can answer any request:

- a **session** is a random token in the browser's cookie; the database keeps its SHA-256 and
  when it expires (``SESSION_DAYS``). Signing out, or a new password, deletes it.
- an **API token** (``Authorization: Bearer``) belongs to one account, under a name the account
  chooses; it is shown once, kept as its SHA-256, and revoked by name.
- a **link** (invitation to open an account, or password reset) is a token used once before it
  expires, kept as its SHA-256 too.
- the **server secret** signs the forms' CSRF tokens; the first process makes it.

A stolen copy of the database signs no one in: it holds hashes only.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final, NamedTuple

from followup.core.problems import check_id, parse_email
from followup.errors import Conflict, InvalidInput, NotFound, UsageError

if TYPE_CHECKING:
    from followup.server.accounts import Account
    from followup.store.sql import Db
    from followup.store.units import Units

SESSION_DAYS: Final = 14
INVITATION_DAYS: Final = 7
RESET_HOURS: Final = 2
#: an API token's last use is written at most this often (a read stays a read)
_LAST_USED_EVERY: Final = timedelta(minutes=5)
_PRINCIPAL: Final = (
    "SELECT a.pk, a.email, a.role, o.pk, o.id, c.pk, c.id FROM account AS a "
    "JOIN organisation AS o ON o.pk = a.organisation_pk "
    "LEFT JOIN candidate AS c ON c.pk = a.candidate_pk"
)


class Principal(NamedTuple):
    """Who a request comes from: an account, its organisation, and a candidate's workspace."""

    pk: int
    email: str
    role: str  # candidate | coach | admin
    organisation_pk: int
    organisation: str
    candidate_pk: int | None
    candidate: str | None


class ApiToken(NamedTuple):
    name: str
    created: datetime
    last_used: datetime | None


def digest(token: str) -> str:
    """What the database keeps of a token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _principal(row: tuple[object, ...]) -> Principal:
    pk, email, role, org_pk, org, cand_pk, cand = row
    return Principal(
        int(pk),  # type: ignore[call-overload]
        str(email),
        str(role),
        int(org_pk),  # type: ignore[call-overload]
        str(org),
        None if cand_pk is None else int(cand_pk),  # type: ignore[call-overload]
        None if cand is None else str(cand),
    )


def principal(db: Db, email: str) -> Principal | None:
    row = db.first(f"{_PRINCIPAL} WHERE a.email = ?", [email])
    return None if row is None else _principal(row)


# -- the shared secret -------------------------------------------------------------------------


def server_secret(store: Units) -> bytes:
    """The secret every web process signs forms with (made by the first to ask: web
    processes starting together race to make it, and all read the one that won)."""
    with store.sql(write=True) as db:
        db.run(
            "INSERT INTO server_key (name, value) VALUES ('csrf', ?) ON CONFLICT DO NOTHING",
            [secrets.token_hex(32)],
        )
    with store.sql() as db:
        found = db.scalar("SELECT value FROM server_key WHERE name = 'csrf'")
    return bytes.fromhex(str(found))


# -- sessions ----------------------------------------------------------------------------------


def sign_in(store: Units, email: str, password: str, now: datetime) -> tuple[str, Principal] | None:
    """A new session for the account of ``email`` if ``password`` is its password: the
    cookie's token and who it signs in. None alike for an unknown address and a wrong password."""
    from followup.server.accounts import verify

    account = verify(store, email, password)
    if account is None:
        return None
    token = secrets.token_urlsafe(32)
    with store.sql(write=True) as db:
        who = principal(db, account.email)
        if who is None:  # deleted meanwhile
            return None
        db.run(
            "DELETE FROM account_session WHERE account_pk = ? AND expires <= ?",
            [who.pk, db.moment(now)],
        )
        row = {"account_pk": who.pk, "token_hash": digest(token), "created": now}
        db.insert("account_session", [row | {"expires": now + timedelta(days=SESSION_DAYS)}])
    return token, who


def session_principal(store: Units, token: str | None, now: datetime) -> Principal | None:
    """Who the session of ``token`` signs in, while it has not expired."""
    if not token or len(token) > 200:
        return None
    with store.sql() as db:
        row = db.first(
            f"{_PRINCIPAL} JOIN account_session AS s ON s.account_pk = a.pk "
            "WHERE s.token_hash = ? AND s.expires > ?",
            [digest(token), db.moment(now)],
        )
    return None if row is None else _principal(row)


def sign_out(store: Units, token: str | None) -> None:
    if token:
        with store.sql(write=True) as db:
            db.run("DELETE FROM account_session WHERE token_hash = ?", [digest(token)])


def set_password(store: Units, email: str, password: str) -> None:
    """A new password for the account of ``email``; every session and API token of it ends
    (whoever knew the old password may have made one)."""
    from argon2 import PasswordHasher

    from followup.services.access import check_password_rules

    check_password_rules(password)
    hashed = PasswordHasher().hash(password)
    with store.sql(write=True) as db:
        who = principal(db, email)
        if who is None:
            raise NotFound(f"there is no account {email}")
        db.run("UPDATE account SET password_hash = ? WHERE pk = ?", [hashed, who.pk])
        db.run("DELETE FROM account_session WHERE account_pk = ?", [who.pk])
        db.run("DELETE FROM account_token WHERE account_pk = ?", [who.pk])


# -- API tokens --------------------------------------------------------------------------------


def new_api_token(store: Units, who: Principal, name: str, now: datetime) -> str:
    """A new API token of ``who`` named ``name`` (shown once: only its hash is kept)."""
    problem = check_id(name, "name")
    if problem is not None:
        raise InvalidInput([problem])
    token = f"fu_{secrets.token_urlsafe(32)}"
    with store.sql(write=True) as db:
        taken = db.first(
            "SELECT 1 FROM account_token WHERE account_pk = ? AND name = ?", [who.pk, name]
        )
        if taken is not None:
            raise Conflict(
                f"you have an API token named '{name}' already",
                hint="revoke it first, or choose another name",
            )
        row = {"account_pk": who.pk, "name": name, "token_hash": digest(token)}
        db.insert("account_token", [row | {"created": now, "last_used": None}])
    return token


def api_tokens(store: Units, who: Principal) -> list[ApiToken]:
    from followup.store.sql import read_moment

    with store.sql() as db:
        rows = db.rows(
            "SELECT name, created, last_used FROM account_token WHERE account_pk = ? ORDER BY name",
            [who.pk],
        )
    return [ApiToken(str(n), read_moment(c), read_moment(u)) for n, c, u in rows]  # type: ignore[arg-type]


def revoke_api_token(store: Units, who: Principal, name: str) -> None:
    with store.sql(write=True) as db:
        gone = db.run("DELETE FROM account_token WHERE account_pk = ? AND name = ?", [who.pk, name])
    if not gone:
        raise NotFound(f"you have no API token named '{name}'")


def token_principal(store: Units, token: str | None, now: datetime) -> Principal | None:
    """Who the API token ``token`` belongs to (and its last use, at most every 5 minutes)."""
    from followup.store.sql import read_moment

    if not token or len(token) > 200:
        return None
    hashed = digest(token)
    with store.sql() as db:
        row = db.first(
            "SELECT t.pk, t.last_used, a.email FROM account_token AS t "
            "JOIN account AS a ON a.pk = t.account_pk WHERE t.token_hash = ?",
            [hashed],
        )
        who = None if row is None else principal(db, str(row[2]))
    if row is None or who is None:
        return None
    last = read_moment(row[1])
    if last is None or now - last >= _LAST_USED_EVERY:
        with store.sql(write=True) as db:
            db.run("UPDATE account_token SET last_used = ? WHERE pk = ?", [db.moment(now), row[0]])
    return who


# -- links: invitations and password resets ----------------------------------------------------


class Link(NamedTuple):
    kind: str  # invite | reset
    email: str
    organisation: str
    role: str
    expires: datetime


def invite(store: Units, by: Principal, email: str, role: str, now: datetime) -> tuple[str, Link]:
    """A link inviting ``email`` to open an account in ``by``'s organisation, as ``role``
    (admins invite anyone; coaches invite candidates). Valid for `INVITATION_DAYS`."""
    from followup.server.accounts import checked

    organisation, role, email = checked(by.organisation, role, email)
    if by.role != "admin" and not (by.role == "coach" and role == "candidate"):
        raise UsageError("only an admin invites coaches and admins; a coach invites candidates")
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(days=INVITATION_DAYS)
    with store.sql(write=True) as db:
        # an address with an account elsewhere is not told apart from a new one (that would
        # say who has an account in another organisation); using the link then refuses
        if db.first(
            "SELECT 1 FROM account WHERE email = ? AND organisation_pk = ?",
            [email, by.organisation_pk],
        ):
            raise Conflict(f"{email} has an account already")
        row = {"kind": "invite", "token_hash": digest(token), "organisation_pk": by.organisation_pk}
        db.insert(
            "account_link",
            [
                row
                | {"email": email, "role": role, "created": now, "expires": expires, "used": None}
            ],
        )
    return token, Link("invite", email, organisation, role, expires)


def reset_link(store: Units, email: str, now: datetime) -> str | None:
    """A link to set a new password for the account of ``email`` (None: no such account; the
    caller says the same either way). Valid for `RESET_HOURS`."""
    normalised, _ = parse_email(email, "email")
    if normalised is None:
        return None
    token = secrets.token_urlsafe(32)
    with store.sql(write=True) as db:
        who = principal(db, normalised.lower())
        if who is None:
            return None
        row = {"kind": "reset", "token_hash": digest(token), "organisation_pk": who.organisation_pk}
        expires = now + timedelta(hours=RESET_HOURS)
        db.insert(
            "account_link",
            [
                row
                | {"email": who.email, "role": who.role, "created": now}
                | {"expires": expires, "used": None}
            ],
        )
    return token


def link(store: Units, token: str | None, now: datetime) -> Link | None:
    """The link of ``token`` while it is unused and current."""
    from followup.store.sql import read_moment

    if not token or len(token) > 200:
        return None
    with store.sql() as db:
        row = db.first(
            "SELECT l.kind, l.email, o.id, l.role, l.expires FROM account_link AS l "
            "JOIN organisation AS o ON o.pk = l.organisation_pk "
            "WHERE l.token_hash = ? AND l.used IS NULL AND l.expires > ?",
            [digest(token), db.moment(now)],
        )
    if row is None:
        return None
    kind, email, org, role, expires = row
    return Link(str(kind), str(email), str(org), str(role), read_moment(expires))  # type: ignore[arg-type]


def use_link(store: Units, token: str, password: str, now: datetime) -> Account | Principal:
    """Open the invited account, or set the new password, with ``password``; the link is then
    used up. `NotFound` for a link that is unknown, used or expired."""
    from followup.server.accounts import add_account
    from followup.services.access import check_password_rules

    check_password_rules(password)  # before the link is used up
    found = link(store, token, now)
    if found is None:
        raise NotFound(
            "this link is not valid: it was used already, has expired, or was mistyped",
            hint="ask for a new one",
        )
    with store.sql(write=True) as db:  # used once, even by two clicks at the same moment
        claimed = db.run(
            "UPDATE account_link SET used = ? WHERE token_hash = ? AND used IS NULL",
            [db.moment(now), digest(token)],
        )
    if not claimed:
        raise NotFound("this link was used already", hint="sign in, or ask for a new one")
    if found.kind == "invite":
        account, _ = add_account(
            store,
            organisation=found.organisation,
            role=found.role,
            email=found.email,
            password=password,
            now=now,
        )
        return account
    set_password(store, found.email, password)
    with store.sql() as db:
        who = principal(db, found.email)
    if who is None:
        raise NotFound(f"there is no account {found.email}")
    return who
