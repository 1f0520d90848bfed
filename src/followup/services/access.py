"""Who may use a server that listens beyond this computer: a password and API tokens.

The password is kept only as an argon2id hash (``argon2-cffi``, its recommended parameters),
next to a random key that signs the session cookies of `followup serve`; setting a password
makes a new key, so it ends every session. An API token is shown once when it is made; only its
SHA-256 is kept (a token has 256 random bits, so a fast hash is enough to look it up).

Both live in the database, like the calendar feed's token: they belong to the data they protect,
so every `followup serve` over the same database asks for the same password.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Final, NamedTuple

from followup.errors import Conflict, NotFound, UsageError

if TYPE_CHECKING:
    from followup.services.workspace import Workspace

#: Shorter passwords are refused; longer than the maximum too (argon2 would hash them, slowly).
MIN_PASSWORD: Final = 10
MAX_PASSWORD: Final = 1024
TOKEN_PREFIX: Final = "fu_"  # noqa: S105 - a marker, not a secret
_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class Keys(NamedTuple):
    """What a server checks sign-ins and sessions with."""

    password_hash: str
    session_key: bytes


class TokenInfo(NamedTuple):
    name: str
    created: datetime


def check_password_rules(password: str) -> None:
    """Refuse a password that is too short or too long (`UsageError`)."""
    if len(password) < MIN_PASSWORD:
        raise UsageError(
            f"the password is too short: use at least {MIN_PASSWORD} characters",
            hint="a few unrelated words make a long password that is easy to type",
        )
    if len(password) > MAX_PASSWORD:
        raise UsageError(f"the password is too long: use at most {MAX_PASSWORD} characters")


def set_password(database: Workspace, password: str, now: datetime) -> None:
    """Keep the argon2 hash of ``password``; every session signed in before ends."""
    from argon2 import PasswordHasher

    check_password_rules(password)
    hashed = PasswordHasher().hash(password)
    _save_keys(database, hashed, secrets.token_urlsafe(32), now)


def keys(database: Workspace) -> Keys | None:
    """The password's hash and the session key; None while no password is set."""
    import sqlalchemy as sa

    from followup.store.schema import WebAccessRow

    with database.mail().read() as c:
        query = sa.select(WebAccessRow.password_hash, WebAccessRow.session_key).where(
            WebAccessRow.candidate_pk == c.pk
        )
        row = c.conn.execute(query).first()
    return None if row is None else Keys(row[0], row[1].encode())


def password_is_set(database: Workspace) -> bool:
    return keys(database) is not None


def verify_password(database: Workspace, password: str, now: datetime) -> bool:
    """Whether ``password`` is the one set (slow on purpose: argon2 takes tens of ms)."""
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    found = keys(database)
    if found is None or not password or len(password) > MAX_PASSWORD:
        return False
    hasher = PasswordHasher()
    try:
        hasher.verify(found.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(found.password_hash):  # stronger defaults since: same sessions
        _save_keys(database, hasher.hash(password), found.session_key.decode(), now)
    return True


def _save_keys(database: Workspace, password_hash: str, session_key: str, now: datetime) -> None:
    import sqlalchemy as sa

    from followup.store.schema import WebAccessRow

    with database.mail().write() as c:
        c.conn.execute(sa.delete(WebAccessRow).where(WebAccessRow.candidate_pk == c.pk))
        c.conn.execute(
            sa.insert(WebAccessRow).values(
                candidate_pk=c.pk,
                password_hash=password_hash,
                session_key=session_key,
                changed=now,
            )
        )


# -- API tokens --------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def new_token(database: Workspace, name: str, now: datetime) -> str:
    """A new API token called ``name``, returned once (only its SHA-256 is kept)."""
    import sqlalchemy as sa

    from followup.store.schema import ApiTokenRow

    if not _NAME.fullmatch(name):
        raise UsageError(
            f"{name!r} is not a token name: use up to 64 letters, digits, '.', '_' or '-'",
            hint="e.g. `followup access token new backup-script`",
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with database.mail().write() as c:
        taken = c.conn.execute(
            sa.select(ApiTokenRow.name).where(
                ApiTokenRow.candidate_pk == c.pk, ApiTokenRow.name == name
            )
        ).first()
        if taken is not None:
            raise Conflict(
                f"there is already a token called {name!r}",
                hint=f"revoke it first (`followup access token revoke {name}`) or pick another "
                "name",
            )
        c.conn.execute(
            sa.insert(ApiTokenRow).values(
                candidate_pk=c.pk, name=name, token_hash=_digest(token), created=now
            )
        )
    return token


def tokens(database: Workspace) -> list[TokenInfo]:
    import sqlalchemy as sa

    from followup.store.schema import ApiTokenRow

    with database.mail().read() as c:
        query = (
            sa.select(ApiTokenRow.name, ApiTokenRow.created)
            .where(ApiTokenRow.candidate_pk == c.pk)
            .order_by(ApiTokenRow.name)
        )
        return [TokenInfo(name, created) for name, created in c.conn.execute(query)]


def revoke_token(database: Workspace, name: str) -> None:
    """Forget the token called ``name``: it opens nothing from now on."""
    import sqlalchemy as sa

    from followup.store.schema import ApiTokenRow

    with database.mail().write() as c:
        gone = c.conn.execute(
            sa.delete(ApiTokenRow).where(ApiTokenRow.candidate_pk == c.pk, ApiTokenRow.name == name)
        ).rowcount
    if not gone:
        raise NotFound(
            f"there is no token called {name!r}", hint="`followup access token list` names them"
        )


def token_is_valid(database: Workspace, token: str) -> bool:
    """Whether ``token`` is a current API token (looked up by its SHA-256)."""
    import sqlalchemy as sa

    from followup.store.schema import ApiTokenRow

    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return False
    with database.mail().read() as c:
        query = sa.select(ApiTokenRow.name).where(
            ApiTokenRow.candidate_pk == c.pk, ApiTokenRow.token_hash == _digest(token)
        )
        return c.conn.execute(query).first() is not None
