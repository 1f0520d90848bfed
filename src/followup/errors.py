"""One exception tree for every expected failure, mapped once at the edges.

Each error carries a person-readable message, an optional hint (how to fix it) and the exit code
the CLI uses. The CLI prints ``message`` (and ``hint``) on stderr without a traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only a type: importing core here would load it for every error
    from followup.core.problems import Problem


class FollowupError(Exception):
    """Base of every expected failure."""

    exit_code = 1
    http_status = 400

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(FollowupError):
    """The command line or a form value is wrong (bad date, missing option...)."""

    exit_code = 2


class InvalidInput(UsageError):
    """Values of one request are wrong; ``problems`` says where and what, one by one.

    The message lists them all, one per line, for the command line; the web's JSON API also
    gives them one by one (``path``, ``message``) so a client can place each next to its field.
    (A ``UsageError``, so callers that catch that keep working.)
    """

    def __init__(self, problems: list[Problem], *, hint: str | None = None) -> None:
        super().__init__("\n  ".join(map(str, problems)), hint=hint)
        self.problems = problems


class NotFound(FollowupError):
    """An id that names nothing: an unknown opportunity, person, action..."""

    exit_code = 3
    http_status = 404


class Conflict(FollowupError):
    """The thing exists already (a duplicate id)."""

    exit_code = 4
    http_status = 409


#: how each way in adds a repeat anyway (see `Duplicate`)
_ANYWAY = {
    "cli": "give --new to add it anyway",
    "api": 'send "new": true to add it anyway',
    "form": "tick “add anyway” to add it all the same",
}


class Duplicate(Conflict):
    """Adding this would repeat what is recorded already: a person of the same name in the
    opportunity, an opportunity for the same company and role, an interview at the same time
    with the same people. ``existing`` is the id of what it repeats, ``path`` the value that
    repeats (``person.name``), ``kind`` what it is ("person").

    Each way in says how to add it anyway (`--new`, ``"new": true``, a box to tick): the
    hint is the command line's, and ``hint_for`` gives the others'.
    """

    def __init__(self, message: str, *, kind: str, existing: str, path: str) -> None:
        self.kind = kind
        self.existing = existing
        self.path = path
        super().__init__(message, hint=self.hint_for("cli"))

    def hint_for(self, way: str) -> str:
        """The hint for ``way`` in ("cli", "api" or "form")."""
        return f"if this is another {self.kind}, {_ANYWAY[way]}"


#: how each way in removes what depends on a fact too (see `Dependents`)
_CASCADE = {
    "cli": "give --cascade to remove them too",
    "api": "send cascade=true to remove them too",
    "form": "tick “remove those too” to remove them as well",
}


class Dependents(Conflict):
    """Removing this would leave other facts pointing at nothing: a person named in interviews
    or touches, an opportunity that holds people, interviews, touches or offers. ``dependents``
    names them ("interview 'i1'"); each way in says how to remove them too."""

    def __init__(self, message: str, *, dependents: list[str]) -> None:
        self.dependents = dependents
        super().__init__(message, hint=self.hint_for("cli"))

    def hint_for(self, way: str) -> str:
        """The hint for ``way`` in ("cli", "api" or "form")."""
        return _CASCADE[way]


class InvalidDocument(FollowupError):
    """An interchange document or a settings file has problems; ``problems`` lists them all."""

    exit_code = 5
    http_status = 422

    def __init__(self, message: str, problems: list[str], *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.problems = problems

    def __str__(self) -> str:
        return "\n".join([self.message, *(f"  {p}" for p in self.problems)])


class StorageError(FollowupError):
    """The database cannot be opened, created or migrated."""

    exit_code = 6
    http_status = 503


class SignInFirst(FollowupError):
    """The server asks who you are first: no session, or an API token it does not know."""

    exit_code = 7
    http_status = 401


class Forbidden(FollowupError):
    """The account signed in may not see or do this: another candidate's data, a coach
    without the candidate's consent, a page for another role."""

    exit_code = 7
    http_status = 403
