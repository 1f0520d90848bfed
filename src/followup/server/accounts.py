"""The server mode's accounts: organisations, and the people who sign in to them.

An account is an e-mail address (normalised, and compared in lower case), a role (``candidate``,
``coach`` or ``admin``) in one organisation, and the argon2id hash of a password (the same rules
and library as `followup access password`). A candidate's account owns a workspace of their own
(a new, empty candidate in the database); coaches and admins have none. An organisation is made
with its first account.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final, NamedTuple

from followup.core.problems import Problem, check_choice, check_id, parse_email
from followup.errors import Conflict, InvalidInput

if TYPE_CHECKING:
    from followup.store.units import Units

ROLES: Final = ("candidate", "coach", "admin")


class Account(NamedTuple):
    email: str
    organisation: str
    role: str
    candidate: str | None  # the workspace of a candidate's account
    created: datetime


def checked(organisation: str, role: str, email: str) -> tuple[str, str, str]:
    """The account's organisation, role and normalised e-mail; every problem at once."""
    problems: list[Problem] = []
    normalised, problem = parse_email(email, "--email")
    for found in (
        check_id(organisation, "--org"),
        check_choice(role, ROLES, "--role"),
        problem,
    ):
        if found is not None:
            problems.append(found)
    if problems or normalised is None:
        raise InvalidInput(problems)
    return organisation, role, normalised.lower()  # one account per address, in any case


def add_account(
    store: Units, *, organisation: str, role: str, email: str, password: str, now: datetime
) -> tuple[Account, bool]:
    """Add an account (and its organisation when new: the second value says so); a candidate's
    gets an empty workspace. An e-mail address has one account only (`Conflict`)."""
    from argon2 import PasswordHasher

    from followup.services.access import check_password_rules
    from followup.store.units import insert_candidate

    organisation, role, email = checked(organisation, role, email)
    check_password_rules(password)
    hashed = PasswordHasher().hash(password)
    with store.sql(write=True) as db:
        if db.first("SELECT pk FROM account WHERE email = ?", [email]) is not None:
            raise Conflict(
                f"{email} has an account already",
                hint="`followup server user list` shows every account",
            )
        org_pk = db.scalar("SELECT pk FROM organisation WHERE id = ?", [organisation])
        new_org = org_pk is None
        if new_org:
            org = {"id": organisation, "created": now}
            org_pk = db.insert_returning("organisation", [org], ("id",))[0]
        candidate = f"c-{secrets.token_hex(6)}" if role == "candidate" else None
        candidate_pk = None if candidate is None else insert_candidate(db, candidate)
        db.insert(
            "account",
            [
                {"organisation_pk": org_pk, "email": email, "role": role}
                | {"password_hash": hashed, "candidate_pk": candidate_pk, "created": now}
            ],
        )
    return Account(email, organisation, role, candidate, now), new_org


def delete_account(store: Units, email: str) -> None:
    """Delete the account of ``email``; a candidate's workspace goes with it (every fact, plan,
    grant and audit row: the tables cascade from the candidate)."""
    from followup.errors import NotFound

    with store.sql(write=True) as db:
        row = db.first("SELECT pk, candidate_pk FROM account WHERE email = ?", [email])
        if row is None:
            raise NotFound(f"there is no account {email}")
        db.run("DELETE FROM account WHERE pk = ?", [row[0]])
        if row[1] is not None:
            db.run("DELETE FROM candidate WHERE pk = ?", [row[1]])


_ACCOUNTS: Final = (
    "SELECT a.email, o.id, a.role, c.id, a.created, a.password_hash FROM account AS a "
    "JOIN organisation AS o ON o.pk = a.organisation_pk "
    "LEFT JOIN candidate AS c ON c.pk = a.candidate_pk"
)


def accounts(store: Units, organisation: str | None = None) -> list[Account]:
    """Every account (of one organisation), by organisation, then e-mail."""
    where, params = ("", []) if organisation is None else (" WHERE o.id = ?", [organisation])
    with store.sql() as db:
        rows = db.rows(f"{_ACCOUNTS}{where} ORDER BY o.id, a.email", params)
    return [_account(row) for row in rows]


def verify(store: Units, email: str, password: str) -> Account | None:
    """The account of ``email`` if ``password`` is its password; None otherwise, alike (and in
    the same time) for an unknown address and a wrong password."""
    from argon2 import PasswordHasher
    from argon2.exceptions import VerificationError

    normalised, _ = parse_email(email, "email")
    with store.sql() as db:
        row = db.first(f"{_ACCOUNTS} WHERE a.email = ?", [(normalised or "").lower()])
    hasher = PasswordHasher()
    try:
        hasher.verify(str(row[5]) if row is not None else _decoy(), password)
    except VerificationError:
        return None
    return None if row is None else _account(row)


_DECOYS: list[str] = []


def _decoy() -> str:
    """A hash no password matches, checked for an unknown address so that it takes as long as
    a wrong password."""
    from argon2 import PasswordHasher

    if not _DECOYS:
        _DECOYS.append(PasswordHasher().hash(secrets.token_urlsafe(32)))
    return _DECOYS[0]


def _account(row: tuple[object, ...]) -> Account:
    from followup.store.sql import read_moment

    email, organisation, role, candidate, created = row[:5]
    moment = read_moment(created) or datetime.min.replace(tzinfo=UTC)  # never null
    owned = None if candidate is None else str(candidate)
    return Account(str(email), str(organisation), str(role), owned, moment)
