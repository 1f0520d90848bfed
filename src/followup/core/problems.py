"""Problems with what a person typed or imported, and the one set of checks that finds them.

A :class:`Problem` names a place (``path``: a JSON path such as ``opportunities[0].people[2].role``,
a form field, a command-line flag) and says what is wrong there and how to put it right. Every
way in — the interchange document, the use cases' checks, the command line's date flags and the
web forms — runs the checks below, so one mistake gets one message wherever it is made, and a
page can show each message next to its field from the path alone, without reading the text.

Checks never raise on bad input: a ``check_*`` returns a Problem or None; a ``parse_*`` returns
``(value, None)`` or ``(None, problem)``.

A *moment* is an ISO 8601 date and time that carries its UTC offset (``2026-11-02T10:00-05:00``);
a *day* is ``YYYY-MM-DD``. A document must say the offset: the same clock reading means
different instants for a candidate in Boston and a recruiter in Berlin, and guessing would move
a deadline. A person at a terminal or a form means their own clock, so those callers pass
``local=True`` (keep a bare time naive, placed in a zone later) or ``assume=zone``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, tzinfo
from functools import cache, lru_cache
from typing import Final, NamedTuple

from followup.core._isotime import zone_or_none


class Problem(NamedTuple):
    """What is wrong (``message``) and where (``path``; empty when it concerns no one place)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


# --- bounds -------------------------------------------------------------------------------------

#: Years outside this range are typing mistakes in a job search, and would overflow date
#: arithmetic (a deadline of 9999-12-31 plus a day) further down the line.
MIN_YEAR: Final = 1900
MAX_YEAR: Final = 2999
MAX_RANK: Final = 1000
MAX_WEEKLY_TARGET: Final = 1000
MAX_DURATION_MINUTES: Final = 24 * 60
#: a person's topics (what the drafts mention to them): what one message can mention, each a
#: phrase to drop into a sentence ("the HL7 migration")
MAX_TOPICS: Final = 5
MAX_TOPIC_LENGTH: Final = 120
#: An action id is a rule, an opportunity, a person and an anchor (each id at most 64 long).
MAX_ACTION_ID: Final = 256
#: The longest text one field holds (a message's body is the longest there is): more is a
#: paste gone wrong or an attack, and every page that shows it would pay for it.
MAX_TEXT: Final = 100_000

ID_PATTERN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
ID_RULE: Final = "ids are 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"
ACTION_ID_RULE: Final = (
    f"up to {MAX_ACTION_ID} characters without spaces, as `followup plan` shows it, "
    "e.g. thank-you:acme:dana:i1"
)
COUNTRY_RULE: Final = "a two-letter country code (ISO 3166 alpha-2 in capitals, e.g. US, GB, DE)"
ZONE_EXAMPLES: Final = "e.g. America/New_York, Europe/Berlin, UTC"

MOMENT_EXAMPLE: Final = "2026-11-02T10:00-05:00"
DAY_RULE: Final = "a date (YYYY-MM-DD)"
MOMENT_RULE: Final = f"an ISO 8601 time with a UTC offset (e.g. {MOMENT_EXAMPLE})"
WHEN_RULE: Final = f"{DAY_RULE} or {MOMENT_RULE}"
#: The same, for a person's own clock (flags, forms): the offset may be left out.
LOCAL_MOMENT_RULE: Final = (
    "a date and time (ISO 8601, e.g. 2026-11-02T14:00 or 2026-11-02T14:00-05:00)"
)
LOCAL_WHEN_RULE: Final = (
    "an ISO 8601 date or time (e.g. 2026-11-02, 2026-11-02T14:00 or 2026-11-02T14:00-05:00)"
)

_DAY: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CLOCK: Final = r"[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]{1,9})?)?"
_OFFSET: Final = r"(?:Z|[+-][0-9]{2}:?[0-9]{2}(?::[0-9]{2})?)"
_MOMENT: Final = re.compile(rf"[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}[T ]{_CLOCK}{_OFFSET}")
_NAIVE: Final = re.compile(rf"[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}[T ]{_CLOCK}")
_COUNTRY: Final = re.compile(r"[A-Z]{2}")
#: NUL cannot be stored in PostgreSQL text; a lone surrogate cannot be encoded as UTF-8.
_UNSTORABLE: Final = re.compile("[\x00\ud800-\udfff]")
#: What `clean_text` takes out: C0 controls but tab and line feed, DEL, C1, lone surrogates.
_UNCLEAN: Final = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


# --- showing culprits and building paths ----------------------------------------------------


def show(value: object, limit: int = 80) -> str:
    """A short, quoted rendering of a culprit for messages (long text is cut, not dumped)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe(value: object) -> str:
    """Name the JSON type of ``value`` for "expected X, got Y" messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    if isinstance(value, str):
        return f"a string ({show(value)})"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_STEP: Final = (
    r"\.?([A-Za-z_][A-Za-z0-9_-]*)|\[([0-9]+)\]|\[('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")\]"
)


@lru_cache(maxsize=1024)
def _step(key: str) -> tuple[str, bool]:
    """How ``key`` appears in a path, and whether it is bracketed (field names repeat a lot)."""
    if _NAME.fullmatch(key):
        return key, False
    return "[" + show(key) + "]", True


def child(path: str, key: str) -> str:
    """The path of ``key`` inside the object at ``path`` (bracketed when it is not a plain name)."""
    step, bracketed = _step(key)
    if not path or bracketed:
        return path + step
    return f"{path}.{step}"


def item(path: str, index: int) -> str:
    """The path of element ``index`` of the list at ``path``."""
    return f"{path}[{index}]"


def steps(path: str) -> list[str]:
    """The keys and indexes a path goes through, the inverse of :func:`child` and :func:`item`:
    ``interview.notes['a b']`` gives ``["interview", "notes", "a b"]``. Text that is not a path
    (a flag such as ``--until``) is one step."""
    import ast  # only pages that place problems by field need this (ast is slow to import)

    pattern = re.compile(_STEP)  # compiled on first use: the command line never needs it
    out: list[str] = []
    pos = 0
    while pos < len(path):
        match = pattern.match(path, pos)
        if match is None or match.end() == pos:
            return [*out, path[pos:]] if out else [path]
        name, index, quoted = match.groups()
        if quoted is not None:
            try:
                out.append(str(ast.literal_eval(quoted)))
            except (ValueError, SyntaxError):  # a key cut short by show()
                out.append(quoted[1:-1])
        else:
            out.append(name if name is not None else index)
        pos = match.end()
    return out


# --- ids, text, choices, numbers --------------------------------------------------------------


def check_id(value: object, path: str) -> Problem | None:
    """A user id: an opportunity, person, interview, touch, offer or achievement."""
    if not isinstance(value, str):
        return Problem(path, f"expected an id (a string), got {describe(value)}")
    if not ID_PATTERN.fullmatch(value):
        return Problem(path, f"{show(value)} is not a valid id ({ID_RULE})")
    return None


def check_action_id(value: object, path: str) -> Problem | None:
    """The id of a planned action, as the plan shows it (its parts are not read here)."""
    if not isinstance(value, str):
        return Problem(path, f"expected an action id (a string), got {describe(value)}")
    fine = 0 < len(value) <= MAX_ACTION_ID and all(
        c.isprintable() and not c.isspace() for c in value
    )
    return None if fine else Problem(path, f"{show(value)} is not an action id ({ACTION_ID_RULE})")


def check_text(value: object, path: str, *, nonblank: bool = False) -> Problem | None:
    """Text kept verbatim: it must be storable, and with ``nonblank`` more than white space."""
    if not isinstance(value, str):
        return Problem(path, f"expected a string, got {describe(value)}")
    if len(value) > MAX_TEXT:
        return Problem(path, f"is {len(value):,} characters long: at most {MAX_TEXT:,} are kept")
    bad = _UNSTORABLE.search(value)
    if bad:
        return Problem(path, f"contains the character {show(bad.group())}, which cannot be stored")
    if nonblank and not value.strip():
        return Problem(path, "must not be empty")
    return None


def clean_text(value: str) -> str:
    """``value`` with what must not enter the store taken out: the C0 control characters but
    tab and line feed (NUL among them; a carriage return is dropped, so CRLF becomes LF), DEL
    and the C1 controls (ESC[31m or ESC]0;...BEL would recolour or retitle a terminal that shows
    it), and a lone surrogate becomes U+FFFD (it cannot be encoded). The result always passes
    :func:`check_text`. For text from outside (mail, imports, forms, the API) where dropping
    such characters is better than refusing the whole value."""
    if _UNCLEAN.search(value) is None:  # the usual case: nothing to copy
        return value
    return _UNCLEAN.sub(_cleaned, value)


def _cleaned(match: re.Match[str]) -> str:
    return "\ufffd" if "\ud800" <= match.group() <= "\udfff" else ""


def check_choice(value: object, allowed: Iterable[str], path: str) -> Problem | None:
    """One of the ``allowed`` names (a role, a channel, a status...)."""
    options = tuple(allowed)
    if isinstance(value, str) and value in options:
        return None
    shown = show(value) if isinstance(value, str) else describe(value)
    return Problem(path, f"{shown} is not one of: {', '.join(options)}")


def check_number(value: object, low: int, high: int | None, path: str) -> Problem | None:
    """A whole number from ``low`` to ``high`` (no upper bound when ``high`` is None)."""
    if not isinstance(value, int) or isinstance(value, bool):
        return Problem(path, f"expected a whole number, got {describe(value)}")
    if value < low or (high is not None and value > high):
        span = f"between {low} and {high}" if high is not None else f"at least {low}"
        return Problem(path, f"{value} must be {span}")
    return None


# --- places -------------------------------------------------------------------------------------


def check_zone(value: object, path: str) -> Problem | None:
    """An IANA time zone name this machine knows (not "localtime": it means this computer)."""
    if not isinstance(value, str):
        return Problem(
            path, f"expected an IANA time zone name ({ZONE_EXAMPLES}), got {describe(value)}"
        )
    if zone_or_none(value) is None:
        return Problem(path, f"{show(value)} is not an IANA time zone name ({ZONE_EXAMPLES})")
    return None


def check_country(value: object, path: str) -> Problem | None:
    """A country for public holidays: ISO 3166 alpha-2, in capitals."""
    if isinstance(value, str) and _COUNTRY.fullmatch(value):
        if value in _countries():
            return None
        return Problem(path, f"{show(value)} is not a country code of ISO 3166 ({COUNTRY_RULE})")
    shown = show(value) if isinstance(value, str) else describe(value)
    return Problem(path, f"{shown} is not {COUNTRY_RULE}")


@cache
def _countries() -> frozenset[str]:
    """The ISO 3166 alpha-2 codes in use, as phonenumbers' regions list them (every country
    and territory with a telephone numbering plan: the same list the phone checks read)."""
    from phonenumbers import SUPPORTED_REGIONS

    return frozenset(SUPPORTED_REGIONS)


# --- contacts ----------------------------------------------------------------------------------

#: The parsers below load their libraries on first use: the command line's `today` reads no
#: address and must not pay for them.
EMAIL_RULE: Final = "an e-mail address, e.g. dana.lee@acme.com"
PHONE_EXAMPLE: Final = "+44 20 7946 0958"


def parse_email(value: object, path: str) -> tuple[str | None, Problem | None]:
    """An e-mail address, checked for its syntax only (no network: nothing is looked up) and
    given back normalised as ``email-validator`` does it (the domain in lower case, Unicode in
    NFC); surrounding white space is dropped."""
    if not isinstance(value, str):
        return None, Problem(path, f"expected {EMAIL_RULE}, got {describe(value)}")
    from email_validator import EmailNotValidError, validate_email

    text = value.strip()
    try:
        found = validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        reason = str(error).rstrip(".")
        reason = reason[:1].lower() + reason[1:]
        return None, Problem(path, f"{show(text)} is not a valid e-mail address ({reason})")
    normalized: str = found.normalized
    return normalized, None


def parse_phone(value: object, path: str, region: str | None) -> tuple[str | None, Problem | None]:
    """A phone number as a person writes it, given back in E.164 (``+16175550142``; an extension
    follows as ``;ext=12``). Without a leading ``+`` and country code it is read as dialled in
    ``region`` (ISO 3166 alpha-2: the candidate's country); a number that cannot exist is
    refused."""
    if not isinstance(value, str):
        return None, Problem(path, f"expected a phone number, got {describe(value)}")
    import phonenumbers

    text = value.strip()
    where = f" in {region}" if region else ""
    fix = f"write it as dialled{where}, or with + and its country code (e.g. {PHONE_EXAMPLE})"
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None, Problem(path, f"{show(text)} is not a phone number: {fix}")
    if not phonenumbers.is_valid_number(number):
        return None, Problem(path, f"{show(text)} is not a valid phone number: {fix}")
    e164: str = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if number.extension:  # E.164 has no extension: kept as RFC 3966 writes it
        e164 += f";ext={number.extension}"
    return e164, None


# --- days and moments ---------------------------------------------------------------------------


def check_years(value: date, path: str, shown: str | None = None) -> Problem | None:
    """A day or moment within the years a job search can mean (``shown`` as the person wrote
    it). A moment is checked as an instant, with a day to spare at each end, so that it stays
    within them on every clock it is shown on (an export in the profile's zone)."""
    culprit = show(shown) if shown is not None else value.isoformat()
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        return Problem(path, f"{culprit} is outside the years {MIN_YEAR} to {MAX_YEAR}")
    if isinstance(value, datetime) and value.utcoffset() is not None:
        instant = value.astimezone(UTC).date()
        if not date(MIN_YEAR, 1, 2) <= instant <= date(MAX_YEAR, 12, 30):
            return Problem(
                path,
                f"{culprit} is too close to the edge of the years {MIN_YEAR} to {MAX_YEAR}: a "
                f"time must fall between {MIN_YEAR}-01-02 and {MAX_YEAR}-12-30 (UTC), so that "
                "it stays within them on every clock",
            )
    return None


def check_when(value: date | datetime | None, path: str) -> Problem | None:
    """A day or moment already built (by a form, a flag, the API): a time needs its zone."""
    if value is None:
        return None
    if isinstance(value, datetime) and value.utcoffset() is None:
        return Problem(path, f"a time needs its time zone (a UTC offset, e.g. {MOMENT_EXAMPLE})")
    return check_years(value, path)


def iso_when(text: str) -> date | datetime | None:
    """The shape check only: a day, or a time with or without an offset, as written (a naive
    time stays naive); None for anything else. No year bounds: see :func:`parse_when`."""
    try:
        if _DAY.fullmatch(text):
            return date.fromisoformat(text)
        if _NAIVE.fullmatch(text) or _MOMENT.fullmatch(text):
            return datetime.fromisoformat(text)
    except ValueError:
        return None
    return None


def parse_day(text: object, path: str) -> tuple[date | None, Problem | None]:
    """Read a ``YYYY-MM-DD`` calendar day."""
    if not isinstance(text, str):
        return None, Problem(path, f"expected {DAY_RULE}, got {describe(text)}")
    if not _DAY.fullmatch(text):
        if _MOMENT.fullmatch(text) or _NAIVE.fullmatch(text):
            fix = f"give the day only, e.g. {text[:10]}"
            return None, Problem(path, f"{show(text)} is not {DAY_RULE}: {fix}")
        return None, Problem(path, f"{show(text)} is not {DAY_RULE}")
    try:
        value = date.fromisoformat(text)
    except ValueError as error:
        return None, Problem(path, f"{show(text)} is not a valid date ({error}; e.g. 2026-11-02)")
    problem = check_years(value, path, text)
    return (None, problem) if problem else (value, None)


def parse_moment(
    text: object, path: str, *, assume: tzinfo | None = None, local: bool = False
) -> tuple[datetime | None, Problem | None]:
    """Read an ISO 8601 time with a UTC offset; the offset is kept as written.

    A time without an offset is refused, unless the caller knows whose clock it is: with
    ``assume`` it is read as a wall-clock time in that zone; with ``local`` it stays naive, for
    the caller to place once the zone is known.
    """
    local = local or assume is not None
    rule = LOCAL_MOMENT_RULE if local else MOMENT_RULE
    if not isinstance(text, str):
        return None, Problem(path, f"expected {rule}, got {describe(text)}")
    if not (_MOMENT.fullmatch(text) or (local and _NAIVE.fullmatch(text))):
        if local and _DAY.fullmatch(text):
            return None, Problem(path, f"{show(text)} needs a time of day, e.g. {text}T14:00")
        return None, Problem(path, f"{show(text)} is not {rule}")
    try:
        value = datetime.fromisoformat(text)
    except ValueError as error:
        return None, Problem(path, f"{show(text)} is not a valid time ({error}; {rule})")
    if value.tzinfo is None and assume is not None:
        value = value.replace(tzinfo=assume)
    problem = check_years(value, path, text)
    return (None, problem) if problem else (value, None)


def parse_when(
    text: object, path: str, *, assume: tzinfo | None = None, local: bool = False
) -> tuple[date | datetime | None, Problem | None]:
    """Read a field that holds either a day or a moment, keeping which one it was."""
    if isinstance(text, str) and _DAY.fullmatch(text):
        return parse_day(text, path)
    if isinstance(text, str) and (_MOMENT.fullmatch(text) or _NAIVE.fullmatch(text)):
        return parse_moment(text, path, assume=assume, local=local)
    local = local or assume is not None
    rule = LOCAL_WHEN_RULE if local else WHEN_RULE
    if not isinstance(text, str):
        return None, Problem(path, f"expected {rule}, got {describe(text)}")
    return None, Problem(path, f"{show(text)} is not {rule}")
