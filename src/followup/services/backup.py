"""A whole backup of one candidate, and its restore: everything a user would miss.

`followup export` writes the facts only (the interchange document). A backup adds what is kept
beside them: the reading list, edited drafts, the playbook settings file, mail settings (never a
password: those live in the environment or the keyring), the outbox with the Message-IDs that
keep threads together, received mail and bounced addresses, the calendar feed's tokens, the web
password's argon2 hash and the API tokens' SHA-256 hashes, and the undo journal. A version-1
backup is one JSON object::

    {"backup": 1, "made": "...", "followup": "0.1.0",
     "facts": {interchange document}, "articles": [...], "drafts": [...],
     "settings": "config.toml text" | null,
     "mail": {"settings": {...}, "sync": [...], "inbound": [...], "bad_addresses": [...]},
     "outbox": [...], "calendar": {"tokens": [...], "items": [...]},
     "access": {"password": {...} | null, "tokens": [...]}, "journal": [...]}

Taking one reads the facts and every side table in one read transaction (`backup_rows`), so it
is one committed state while the web page or another command writes. Restoring checks the whole
file first (every problem named by its JSON path, nothing written on any), then replaces the
facts (`UnitOfWork.replace_all`, what `followup import` writes with) and every side table in
one unit of work: all of it commits, or none. The settings file is written after that commit
(a file cannot join a database transaction); then the plans are made with it.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from followup.core.interchange import VERSION, dump_document, parse_document
from followup.core.model import Facts
from followup.core.problems import (
    Problem,
    check_action_id,
    check_choice,
    check_number,
    child,
    describe,
    item,
    parse_moment,
    show,
)
from followup.errors import Conflict, InvalidDocument, UsageError
from followup.files import write_atomically

if TYPE_CHECKING:
    from followup.services.workspace import Workspace

#: The backup format this release writes and reads.
BACKUP_VERSION: Final = 1
TOP: Final = (
    "backup",
    "made",
    "followup",
    "facts",
    "articles",
    "drafts",
    "settings",
    "mail",
    "outbox",
    "calendar",
    "access",
    "journal",
)
_HINT: Final = "`followup backup FILE` writes a backup; docs/json.md describes it"
#: NUL cannot be stored in PostgreSQL text; a lone surrogate cannot be encoded as UTF-8.
_UNSTORABLE: Final = re.compile("[\x00\ud800-\udfff]")
_SHA256: Final = re.compile(r"[0-9a-f]{64}")
_TOKEN_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_OUTBOX_STATES: Final = ("sending", "sent", "failed", "unknown", "bounced")
_SECURITIES: Final = ("starttls", "tls", "none")
_JOURNAL_KINDS: Final = ("opportunity", "profile", "achievements", "decision")
_UINT32: Final = 2**32 - 1


# -- taking a backup ---------------------------------------------------------------------------


def take(ws: Workspace, *, now: datetime, config_file: Path | None) -> dict[str, Any]:
    """The backup of ``ws``'s candidate, read in one transaction, with ``config_file``'s text."""
    from followup import __version__
    from followup.store import backup_rows
    from followup.store.load import load_facts
    from followup.store.sql import Db

    pk = ws.candidate_pk
    with backup_rows.snapshot(ws.store, pk) as conn:
        facts = load_facts(Db.over(conn), pk)
        rows = backup_rows.read_side(conn, pk)
    side = {part: [_plain(row) for row in found] for part, found in rows.items()}
    settings = _settings_text(config_file)
    mail_settings = side["mail_settings"][0] if side["mail_settings"] else None
    password = side["password"][0] if side["password"] else None
    journal = [
        row
        | {
            "summary": json.loads(row["summary"]),
            "before": json.loads(row["before"]),
            "after": json.loads(row["after"]),
        }
        for row in side["journal"]
    ]
    return {
        "backup": BACKUP_VERSION,
        "made": _iso(now),
        "followup": __version__,
        "facts": dump_document(facts),
        "articles": side["articles"],
        "drafts": side["drafts"],
        "settings": settings,
        "mail": {
            "settings": mail_settings,
            "sync": side["mail_sync"],
            "inbound": side["inbound"],
            "bad_addresses": side["bad_addresses"],
        },
        "outbox": side["outbox"],
        "calendar": {"tokens": side["calendar_tokens"], "items": side["calendar_items"]},
        "access": {"password": password, "tokens": side["api_tokens"]},
        "journal": journal,
    }


def dumps(backup: dict[str, Any]) -> str:
    """The text of a backup (UTF-8, two-space indent, ends with a newline)."""
    return json.dumps(backup, indent=2, ensure_ascii=False) + "\n"


def write(path: Path, backup: dict[str, Any]) -> None:
    """Write ``backup`` to ``path`` whole or not at all, readable by its owner only (0600: it
    holds mail and password hashes)."""
    write_atomically(path, dumps(backup))  # a temporary file made 0600 (mkstemp), renamed
    path.chmod(0o600)


def _settings_text(config_file: Path | None) -> str | None:
    if config_file is None:
        return None
    try:
        return config_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {config_file}: {exc}") from exc


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {key: _json_value(value) for key, value in row.items()}


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


# -- checking one ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Backup:
    """A checked backup, ready to restore."""

    facts: Facts
    side: dict[str, list[dict[str, Any]]]  # backup_rows.SIDE part -> rows of column values
    settings: str | None
    made: datetime
    counts: dict[str, int] = field(default_factory=dict)


def read_json(text: str, source: str) -> object:
    """The JSON value of ``text``; InvalidDocument naming the line and column when broken."""
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise InvalidDocument(
            f"{source} is not a backup", ["its values nest too deeply to read"], hint=_HINT
        ) from exc
    except json.JSONDecodeError as exc:
        raise InvalidDocument(
            f"{source} is not valid JSON",
            [f"line {exc.lineno}, column {exc.colno}: {exc.msg}"],
            hint=_HINT,
        ) from exc


def check(obj: object, source: str = "the backup") -> Backup:
    """The backup in ``obj``, checked whole; InvalidDocument listing every problem."""
    problems: list[Problem] = []
    found = _check(obj, problems)
    if found is None or problems:
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        raise InvalidDocument(
            f"{source} has {count}; nothing was restored",
            [str(p) for p in problems],
            hint=_HINT,
        )
    return found


Check = Callable[[object, str], tuple[Any, Problem | None]]


def _text(*, nonblank: bool = False, optional: bool = False) -> Check:
    def read(value: object, path: str) -> tuple[Any, Problem | None]:
        if value is None and optional:
            return None, None
        if not isinstance(value, str):
            return None, Problem(path, f"expected a string, got {describe(value)}")
        bad = _UNSTORABLE.search(value)
        if bad:
            return None, Problem(
                path, f"contains the character {show(bad.group())}, which cannot be stored"
            )
        if nonblank and not value.strip():
            return None, Problem(path, "must not be empty")
        return value, None

    return read


def _moment(*, optional: bool = False) -> Check:
    def read(value: object, path: str) -> tuple[Any, Problem | None]:
        if value is None and optional:
            return None, None
        return parse_moment(value, path)

    return read


def _number(low: int, high: int | None, *, optional: bool = False) -> Check:
    def read(value: object, path: str) -> tuple[Any, Problem | None]:
        if value is None and optional:
            return None, None
        return value, check_number(value, low, high, path)

    return read


def _choice(options: tuple[str, ...], *, optional: bool = False) -> Check:
    def read(value: object, path: str) -> tuple[Any, Problem | None]:
        if value is None and optional:
            return None, None
        return value, check_choice(value, options, path)

    return read


def _pattern(pattern: re.Pattern[str], rule: str) -> Check:
    def read(value: object, path: str) -> tuple[Any, Problem | None]:
        if isinstance(value, str) and pattern.fullmatch(value):
            return value, None
        shown = show(value) if isinstance(value, str) else describe(value)
        return None, Problem(path, f"{shown} is not {rule}")

    return read


def _action(value: object, path: str) -> tuple[Any, Problem | None]:
    return value, check_action_id(value, path)


def _boolean(value: object, path: str) -> tuple[Any, Problem | None]:
    if isinstance(value, bool):
        return value, None
    return None, Problem(path, f"expected true or false, got {describe(value)}")


def _strings(value: object, path: str) -> tuple[Any, Problem | None]:
    if not isinstance(value, list):
        return None, Problem(path, f"expected a list, got {describe(value)}")
    for n, element in enumerate(value):
        _, problem = _text()(element, item(path, n))
        if problem is not None:
            return None, problem
    return tuple(value), None


def _json_list(value: object, path: str) -> tuple[Any, Problem | None]:
    if isinstance(value, list):
        return value, None
    return None, Problem(path, f"expected a list, got {describe(value)}")


_T = _text()
_T0 = _text(optional=True)
_NONBLANK = _text(nonblank=True)
_M = _moment()
_M0 = _moment(optional=True)

#: backup_rows.SIDE part -> (its JSON path, each field's check, the field that is unique)
_FIELDS: Final[dict[str, tuple[str, dict[str, Check], str]]] = {
    "articles": (
        "articles",
        {"url": _NONBLANK, "title": _T, "summary": _T, "tags": _strings, "source": _T0}
        | {"added": _M},
        "url",
    ),
    "drafts": ("drafts", {"action": _action, "text": _NONBLANK, "edited": _M}, "action"),
    "mail_sync": (
        "mail.sync",
        {"folder": _NONBLANK, "uidvalidity": _number(0, _UINT32)}
        | {"last_uid": _number(0, _UINT32), "synced": _M},
        "folder",
    ),
    "inbound": (
        "mail.inbound",
        {"key": _NONBLANK, "received": _M, "from_address": _T, "subject": _T, "snippet": _T}
        | {"kind": _NONBLANK, "status": _NONBLANK, "opportunity_id": _T0, "person_id": _T0}
        | {"touch_id": _T0, "detail": _T0},
        "key",
    ),
    "bad_addresses": (
        "mail.bad_addresses",
        {"address": _NONBLANK, "reason": _T, "flagged": _M},
        "address",
    ),
    "outbox": (
        "outbox",
        {"message_id": _NONBLANK, "action": _action, "opportunity_id": _T, "person_id": _T}
        | {"to_address": _T, "subject": _T, "body": _T, "raw": _T, "refs": _strings}
        | {"state": _choice(_OUTBOX_STATES), "created": _M, "finished": _M0, "detail": _T0}
        | {"touch_id": _T0},
        "message_id",
    ),
    "calendar_tokens": (
        "calendar.tokens",
        {"token": _NONBLANK, "created": _M, "revoked": _M0},
        "token",
    ),
    "calendar_items": (
        "calendar.items",
        {"action": _action, "fingerprint": _T, "sequence": _number(0, None), "modified": _M},
        "action",
    ),
    "api_tokens": (
        "access.tokens",
        {
            "name": _pattern(_TOKEN_NAME, "a token name (up to 64 letters, digits, . _ -)"),
            "token_hash": _pattern(_SHA256, "a SHA-256 hash (64 lower-case hex digits)"),
            "created": _M,
        },
        "name",
    ),
    "journal": (
        "journal",
        {"seq": _number(1, None), "at": _M, "label": _T, "summary": _strings}
        | {"before": _json_list, "after": _json_list, "undone": _boolean},
        "seq",
    ),
}
_MAIL_SETTINGS: Final[dict[str, Check]] = {
    "from_address": _T0,
    "from_name": _T0,
    "smtp_host": _T0,
    "smtp_port": _number(1, 65535, optional=True),
    "smtp_security": _choice(_SECURITIES, optional=True),
    "smtp_user": _T0,
    "imap_host": _T0,
    "imap_port": _number(1, 65535, optional=True),
    "imap_security": _choice(_SECURITIES, optional=True),
    "imap_user": _T0,
    "imap_folder": _T0,
    "sent_folder": _T0,
}
_PASSWORD: Final[dict[str, Check]] = {
    "password_hash": _pattern(re.compile(r"\$argon2id?\$\S+"), "an argon2 hash"),
    "changed": _M,
}


def _check(obj: object, problems: list[Problem]) -> Backup | None:
    if not isinstance(obj, dict):
        problems.append(Problem("document", f"expected an object, got {describe(obj)}"))
        return None
    if "backup" not in obj:
        export = "version" in obj and "profile" in obj
        problems.append(
            Problem(
                "document",
                "this is an export (`followup export`), not a backup: `followup import` reads it"
                if export
                else "missing required field 'backup': `followup backup` did not write this",
            )
        )
        return None
    version = obj["backup"]
    if type(version) is not int or version != BACKUP_VERSION:
        newer = type(version) is int and version > BACKUP_VERSION
        why = ": a newer followup wrote it; upgrade followup to restore it" if newer else ""
        problems.append(
            Problem(
                "backup",
                f"{show(version)} is not a supported backup version "
                f"(expected {BACKUP_VERSION}){why}",
            )
        )
        return None  # another version has another shape: its other "problems" would mislead
    top: dict[str, Any] = obj
    _object(obj, "document", TOP, problems, required=TOP)  # unknown and missing fields
    made, problem = parse_moment(top.get("made"), "made")
    _keep(problem, problems)
    if top.get("followup") is not None:
        _keep(_text()(top["followup"], "followup")[1], problems)
    facts = _facts(top.get("facts"), problems)
    side: dict[str, list[dict[str, Any]]] = {}
    side["articles"] = _rows(top.get("articles"), "articles", problems)
    side["drafts"] = _rows(top.get("drafts"), "drafts", problems)
    settings = _settings(top.get("settings"), problems)
    mail = _object(
        top.get("mail"),
        "mail",
        ("settings", "sync", "inbound", "bad_addresses"),
        problems,
        required=("sync", "inbound", "bad_addresses"),
    )
    if mail is not None:
        settings_row = mail.get("settings")
        side["mail_settings"] = _single(settings_row, "mail.settings", _MAIL_SETTINGS, problems)
        side["mail_sync"] = _rows(mail.get("sync"), "mail_sync", problems)
        side["inbound"] = _rows(mail.get("inbound"), "inbound", problems)
        side["bad_addresses"] = _rows(mail.get("bad_addresses"), "bad_addresses", problems)
    side["outbox"] = _rows(top.get("outbox"), "outbox", problems)
    calendar = _object(top.get("calendar"), "calendar", ("tokens", "items"), problems)
    if calendar is not None:
        side["calendar_tokens"] = _rows(calendar.get("tokens"), "calendar_tokens", problems)
        side["calendar_items"] = _rows(calendar.get("items"), "calendar_items", problems)
    access = _object(
        top.get("access"), "access", ("password", "tokens"), problems, required=("tokens",)
    )
    if access is not None:
        side["password"] = _single(access.get("password"), "access.password", _PASSWORD, problems)
        side["api_tokens"] = _rows(access.get("tokens"), "api_tokens", problems)
    journal = _rows(top.get("journal"), "journal", problems)
    if facts is not None:  # undo and redo read the journal's parts with the facts' profile
        profile = top["facts"]["profile"]
        for n, row in enumerate(journal):
            for key in ("before", "after"):
                _journal_parts(row.get(key), f"journal[{n}].{key}", profile, problems)
    if facts is None or made is None or problems:
        return None
    side["journal"] = [
        row
        | {
            "summary": json.dumps(list(row["summary"])),
            "before": _compact(row["before"]),
            "after": _compact(row["after"]),
        }
        for row in journal
    ]
    counts = {
        "opportunity": len(facts.opportunities),
        "article": len(side["articles"]),
        "edited draft": len(side["drafts"]),
        "outbox message": len(side["outbox"]),
        "calendar token": len(side["calendar_tokens"]),
        "API token": len(side["api_tokens"]),
        "journal entry": len(side["journal"]),
    }
    return Backup(facts, side, settings, made, counts)


def _keep(problem: Problem | None, problems: list[Problem]) -> None:
    if problem is not None:
        problems.append(problem)


def _object(
    value: object,
    path: str,
    known: tuple[str, ...],
    problems: list[Problem],
    *,
    required: tuple[str, ...] | None = None,
) -> dict[str, Any] | None:
    """``value`` when it is an object with only ``known`` fields and every ``required`` one."""
    if not isinstance(value, dict):
        problems.append(Problem(path, f"expected an object, got {describe(value)}"))
        return None
    for key in value:
        if key not in known:
            problems.append(Problem(path, f"unknown field {show(key)} (known: {', '.join(known)})"))
    for key in required if required is not None else known:
        if key not in value:
            problems.append(Problem(path, f"missing required field {show(key)}"))
    return value


def _rows(value: object, part: str, problems: list[Problem]) -> list[dict[str, Any]]:
    """The rows of a list part, each field checked and read; the unique field is unique."""
    path, fields, unique = _FIELDS[part]
    if not isinstance(value, list):
        problems.append(Problem(path, f"expected a list, got {describe(value)}"))
        return []
    found: list[dict[str, Any]] = []
    seen: dict[object, int] = {}
    for n, element in enumerate(value):
        row = _fields(element, item(path, n), fields, problems)
        if row is None:
            continue
        key = row.get(unique)
        if key is not None:
            if key in seen:
                where = child(item(path, n), unique)
                problems.append(Problem(where, f"{show(key)} repeats {path}[{seen[key]}]"))
            seen.setdefault(key, n)
        found.append(row)
    return found


def _single(
    value: object, path: str, fields: dict[str, Check], problems: list[Problem]
) -> list[dict[str, Any]]:
    """An object part that may be null: no row, or one."""
    if value is None:
        return []
    row = _fields(value, path, fields, problems)
    return [] if row is None or all(v is None for v in row.values()) else [row]


def _fields(
    value: object, path: str, fields: dict[str, Check], problems: list[Problem]
) -> dict[str, Any] | None:
    # a field that may be null may also be left out
    required = tuple(name for name, read in fields.items() if read(None, name)[1] is not None)
    obj = _object(value, path, tuple(fields), problems, required=required)
    if obj is None:
        return None
    row: dict[str, Any] = {}
    for name, read in fields.items():
        if name not in obj:
            continue  # reported as missing by _object
        row[name], problem = read(obj[name], child(path, name))
        _keep(problem, problems)
    return row


def _facts(value: object, problems: list[Problem]) -> Facts | None:
    """The facts (an interchange document), its problems placed under ``facts``."""
    facts, found = parse_document(value, stored=True)
    for problem in found:
        problems.append(Problem(_under("facts", problem.path), problem.message))
    return facts if not found else None


def _under(base: str, path: str) -> str:
    if path in ("", "document"):
        return base
    return base + path if path.startswith("[") else f"{base}.{path}"


def _settings(value: object, problems: list[Problem]) -> str | None:
    """The settings file's text (null: there was none), checked as the playbook reads it."""
    from followup.config import parse_playbook

    if value is None:
        return None
    text, problem = _text()(value, "settings")
    if problem is not None:
        problems.append(problem)
        return None
    try:
        parse_playbook(str(text).encode("utf-8"), Path("config.toml"))
    except InvalidDocument as exc:
        problems.extend(Problem("settings", p) for p in exc.problems)
        return None
    return str(text)


def _journal_parts(value: object, path: str, profile: object, problems: list[Problem]) -> None:
    """The parts of a journal entry, as undo and redo will write them back."""
    if not isinstance(value, list):
        return  # reported by the row's check
    for n, element in enumerate(value):
        where = item(path, n)
        part = _object(element, where, ("kind", "key", "value", "position"), problems)
        if part is None:
            continue
        _keep(check_choice(part.get("kind"), _JOURNAL_KINDS, child(where, "kind")), problems)
        _keep(_text()(part.get("key"), child(where, "key"))[1], problems)
        if part.get("position") is not None:
            _keep(check_number(part["position"], 0, None, child(where, "position")), problems)
        kind, stored = part.get("kind"), part.get("value")
        if stored is None or profile is None:
            continue
        document: dict[str, Any] = {"version": VERSION, "profile": profile, "opportunities": []}
        if kind == "opportunity":
            document["opportunities"] = [stored]
        elif kind == "profile":
            document["profile"] = stored
        elif kind == "achievements":
            document["achievements"] = stored
        else:
            if kind == "decision":
                _keep(_decision_part(stored, child(where, "value")), problems)
            continue
        _, found = parse_document(document, stored=True)
        for problem in found:
            inner = re.sub(r"^(opportunities\[0\]|profile|achievements)\.?", "", problem.path)
            problems.append(Problem(_under(child(where, "value"), inner), problem.message))


def _decision_part(value: object, path: str) -> Problem | None:
    """A decision as the journal keeps it: ``[decision, until or null]``."""
    if (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], str)
        and (value[1] is None or parse_moment(value[1], path)[1] is None)
    ):
        return None
    return Problem(path, f"expected [decision, until or null], got {describe(value)}")


def _compact(value: Any) -> str:
    """A journal entry's parts as the journal keeps them (``store.journal._dumps``)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# -- restoring one -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    counts: dict[str, int]
    #: what became of the settings file: "written", "removed", "unchanged" (the backup had
    #: none and there was none) or None (no settings file given)
    settings: str | None


def restore(
    ws: Workspace,
    backup: Backup,
    *,
    config_file: Path | None,
    force: bool = False,
) -> Restored:
    """Replace everything ``ws``'s candidate has stored by ``backup`` (checked by `check`), in
    one unit of work; refuses to overwrite anything stored unless ``force``. Then the settings
    file (``config_file``) becomes the backup's (removed when the backup had none), and the
    plans are made with it."""
    from followup.store import backup_rows, mail_rows

    session_key = secrets.token_urlsafe(32)  # a new key: every web session signs in again
    # No journal entry for the restore: the journal itself is replaced by the backup's.
    with ws.unit_of_work(journal=False, side_tables=True) as uow:
        scoped = mail_rows.connection_of(uow)
        if not force:
            held = backup_rows.holdings(scoped.conn, scoped.pk)
            if held:
                raise Conflict(
                    f"the database already holds {_listing(held)}",
                    hint="`followup restore --force FILE` replaces everything "
                    "(`followup backup FILE` first keeps a copy)",
                )
        uow.replace_all(backup.facts)  # what `followup import` writes the facts with
        backup_rows.write_side(scoped.conn, scoped.pk, backup.side, session_key)
    settings = None if config_file is None else _restore_settings(config_file, backup.settings)
    _plan(ws, config_file)
    return Restored(backup.counts, settings)


def _restore_settings(config_file: Path, text: str | None) -> str:
    """Make ``config_file`` hold ``text`` (None: no file), after the database committed."""
    done = "database restored, but the settings file was not"
    try:
        if text is None:
            if not config_file.exists():
                return "unchanged"
            config_file.unlink()
            return "removed"
        config_file.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            f"{done}: cannot change {config_file}: {exc.strerror or exc}",
            hint="fix the folder's permissions, then restore again",
        ) from exc
    try:
        write_atomically(config_file, text)
    except UsageError as exc:
        raise UsageError(
            f"{done}: {exc.message}", hint="fix the folder's permissions, then restore again"
        ) from exc
    return "written"


def _plan(ws: Workspace, config_file: Path | None) -> None:
    """Plan with the playbook now configured (the restored settings file)."""
    source = ws.source
    if config_file is not None:
        from followup.config import playbook_source

        source = playbook_source(config_file)
    ws.units.ensure_plans(source, ws.candidate_pk, ws.progress)


def _listing(counts: dict[str, int]) -> str:
    from followup.core.words import count

    return ", ".join(count(n, name) for name, n in counts.items())
