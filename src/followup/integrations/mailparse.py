"""Reading one received message: who sent it, what it answers, and whether it is a real reply.

Everything here is pure and never raises on bad input: a mailbox holds whatever the world sent
(broken MIME, undeclared or unknown charsets, no headers at all, truncated bodies), and one bad
message must not stop a sync. What cannot be read is left empty.

An auto-reply (RFC 3834 ``Auto-Submitted``, ``X-Autoreply``, out-of-office wording) is not a
reply; when it names a return date we read it. A delivery status notification (RFC 3464) is a
bounce: we read the failed recipients and the Message-ID of the message that bounced.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from typing import Final

from followup.core.problems import MAX_YEAR, MIN_YEAR, check_years, clean_text

#: How much of a reply's text a touch keeps.
SNIPPET_CHARS: Final = 280
#: How much of a subject is kept (a header can be as long as the part of a message fetched).
SUBJECT_CHARS: Final = 500
#: The furthest ahead of its message a return date can be: "back on 2031-01-01" in a mail of
#: 2026 is a typo or a joke, and would put a person's actions off for years.
RETURN_WITHIN: Final = dt.timedelta(days=366)
#: A Date header is read only within the years a search can mean, as an instant (a day of
#: margin: in every zone it is still within them).
_EARLIEST: Final = datetime(MIN_YEAR, 1, 2, tzinfo=dt.UTC)
_LATEST: Final = datetime(MAX_YEAR, 12, 30, tzinfo=dt.UTC)

_MSGID = re.compile(r"<[^<>\s\x00-\x1f\x7f-\x9f\ud800-\udfff]+>")
_OOO_SUBJECT = re.compile(
    r"\b(out of (the )?office|automatic reply|auto[- ]?reply|autoreply|away from (the )?office|"
    r"on vacation|on holiday|on leave|abwesenheit|absence|r[ée]ponse automatique)\b",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT = re.compile(
    r"(undeliver|delivery status notification|delivery failure|returned mail|"
    r"mail delivery (failed|subsystem)|failure notice|delivery has failed)",
    re.IGNORECASE,
)
_MONTHS: Final = {
    m: n
    for n, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for m in names
}
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_RETURN_CUE = (
    r"(?:back|return(?:ing)?|in the office|available|reachable|away|out|absent|off)"
    r"[^.\n]{0,40}?(?:on|from|until|till|by|after)?\s+"
)
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?,?\s+)?"
_RETURN_DATES = (
    re.compile(_RETURN_CUE + r"(\d{4})-(\d{2})-(\d{2})", re.IGNORECASE),
    re.compile(
        _RETURN_CUE + _WEEKDAY + _MONTH + r"\s+(\d{1,2})(?!\d)(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?",
        re.IGNORECASE,
    ),
    re.compile(
        _RETURN_CUE
        + _WEEKDAY
        + r"(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?"
        + _MONTH
        + r"(?:,?\s+(\d{4}))?",
        re.IGNORECASE,
    ),
)


@dataclass(frozen=True, slots=True)
class Received:
    """What a sync needs to know about one message."""

    message_id: str | None = None
    from_address: str = ""
    subject: str = ""
    date: datetime | None = None
    refers_to: tuple[str, ...] = ()  # In-Reply-To, then References (newest first)
    snippet: str = ""
    auto_reply: bool = False
    returns_on: dt.date | None = None
    bounce: bool = False
    failed_recipients: tuple[str, ...] = ()
    bounced_ids: tuple[str, ...] = field(default=())
    problems: tuple[str, ...] = ()


def parse(raw: bytes, arrived: date) -> Received:
    """Read ``raw`` (possibly truncated); never raises. ``arrived`` (the day the mailbox got
    it) places a return date without a year when the message has no readable date."""
    problems: list[str] = []
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:  # the email package can fail in many ways
        return Received(problems=(f"unreadable message: {type(exc).__name__}",))
    subject = _header(msg, "Subject", problems)
    sender = _sender(msg, problems)
    text = _text(msg, problems)
    bounce, failed, bounced_ids = _bounce(msg, sender, subject, problems)
    auto = not bounce and _is_auto_reply(msg, subject, problems)
    when = _date(msg, problems)
    returns_on = None
    if auto:
        returns_on, ignored = _return_date(text, when.date() if when else arrived)
        problems += [f"return date {clean_text(d)} ignored: {why}" for d, why in ignored]
    return Received(
        message_id=_first_id(_header(msg, "Message-ID", problems)),
        from_address=clean_text(sender),
        subject=clean_text(subject)[:SUBJECT_CHARS],
        date=when,
        refers_to=tuple(clean_text(i) for i in _refers_to(msg, problems)),
        snippet=clean_text(_snippet(text)),
        auto_reply=auto,
        returns_on=returns_on,
        bounce=bounce,
        failed_recipients=tuple(clean_text(a) for a in failed),
        bounced_ids=tuple(clean_text(i) for i in bounced_ids),
        problems=tuple(problems),
    )


def return_date(text: str, sent: date) -> date | None:
    """The return date an out-of-office text names ("back on 3 December", "until 2026-12-03").

    A date without a year is the next such date on or after ``sent``; a date outside the
    years a job search can mean, or more than `RETURN_WITHIN` after ``sent``, is no return
    date (the next one named counts).
    """
    return _return_date(text, sent)[0]


def _return_date(text: str, sent: date) -> tuple[date | None, list[tuple[str, str]]]:
    """(`return_date`, the dates named before it that were ignored, each with the reason)."""
    candidates = sorted(
        (match.start(1), match.groups()) for p in _RETURN_DATES for match in p.finditer(text)
    )
    ignored: list[tuple[str, str]] = []
    for _start, groups in candidates:  # the date named first wins
        found = _match_date(groups, sent)
        if found is None:
            continue
        why = _implausible(found, sent)
        if why is None:
            return found, ignored
        ignored.append((found.isoformat(), why))
    return None, ignored


def _implausible(found: date, sent: date) -> str | None:
    """Why ``found`` is no day to wait for, or None: outside the years a job search can mean
    (``check_years``: a plan built on 9999-12-31 would overflow as soon as anything is added
    to it), or absurdly far after the message."""
    if check_years(found, "") is not None:
        return f"outside the years {MIN_YEAR} to {MAX_YEAR}"
    if found > sent + RETURN_WITHIN:
        return f"more than a year after the message ({sent.isoformat()})"
    return None


def _match_date(groups: tuple[str | None, ...], sent: date) -> date | None:
    a, b, c = groups
    try:
        if a and a.isdigit() and len(a) == 4:  # ISO
            return date(int(a), int(b or 0), int(c or 0))
        if a and not a.isdigit():  # month day [year]
            month, day, year = _MONTHS[a.lower().rstrip(".")], int(b or 0), c
        else:  # day month [year]
            month, day, year = _MONTHS[(b or "").lower().rstrip(".")], int(a or 0), c
        if year:
            return date(int(year), month, day)
        guess = date(sent.year, month, day)
        return guess if guess >= sent else date(sent.year + 1, month, day)
    except (KeyError, ValueError):
        return None


def _header(msg: Message, name: str, problems: list[str]) -> str:
    try:
        value = msg.get(name)
        return "" if value is None else " ".join(str(value).split())
    except Exception as exc:  # a malformed header must not stop the read
        problems.append(f"unreadable {name} header: {type(exc).__name__}")
        return ""


def _sender(msg: Message, problems: list[str]) -> str:
    raw = _header(msg, "From", problems)
    try:
        pairs = getaddresses([raw])
    except Exception:
        pairs = []
    for _name, address in pairs:
        if "@" in address:
            return address.strip().lower()
    found = re.search(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", raw)
    return found.group(0).lower() if found else ""


def _date(msg: Message, problems: list[str]) -> datetime | None:
    raw = _header(msg, "Date", problems)
    if not raw:
        return None
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        problems.append("unreadable Date header")
        return None
    if when.tzinfo is None:
        return None
    if not _EARLIEST <= when <= _LATEST:  # "Date: 1850": no touch a search can hold
        problems.append(f"Date header ignored: outside the years {MIN_YEAR} to {MAX_YEAR}")
        return None
    return when


def _first_id(value: str) -> str | None:
    found = _MSGID.search(value)
    return found.group(0) if found else None


def _refers_to(msg: Message, problems: list[str]) -> tuple[str, ...]:
    ids = _MSGID.findall(_header(msg, "In-Reply-To", problems))
    ids += reversed(_MSGID.findall(_header(msg, "References", problems)))
    return tuple(dict.fromkeys(ids))


def _text(msg: Message, problems: list[str]) -> str:
    """The first text/plain part (else text/html without tags), decoded as well as possible."""
    plain = html = None
    try:
        parts = list(msg.walk())
    except Exception:
        parts = [msg]
    for part in parts:
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and plain is None:
            plain = _decode(part, problems)
        elif kind == "text/html" and html is None:
            html = _decode(part, problems)
    if plain is not None:
        return plain
    if html is not None:
        return re.sub(r"<[^>]*>", " ", html)
    return ""


def _decode(part: Message, problems: list[str]) -> str:
    try:
        if isinstance(part, EmailMessage):
            content = part.get_content()
            if isinstance(content, str):
                return content
    except Exception:  # unknown charset, broken transfer encoding...
        problems.append("a text part in an unknown encoding")
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        return ""
    if not isinstance(payload, bytes):
        return ""
    return payload.decode("utf-8", errors="replace")


def _snippet(text: str) -> str:
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(">") or re.match(r"^On .{5,200} wrote:$", stripped):
            break  # the quoted message we sent
        if stripped:
            lines.append(stripped)
    joined = " ".join(" ".join(lines).split())
    return joined if len(joined) <= SNIPPET_CHARS else joined[: SNIPPET_CHARS - 1] + "…"


def _is_auto_reply(msg: Message, subject: str, problems: list[str]) -> bool:
    submitted = _header(msg, "Auto-Submitted", problems).lower()
    if submitted and submitted != "no":
        return True
    if any(
        _header(msg, h, problems)
        for h in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress")
    ):
        return True
    if _header(msg, "Precedence", problems).lower() in ("auto_reply", "auto-reply"):
        return True
    return bool(_OOO_SUBJECT.search(subject))


def _bounce(
    msg: Message, sender: str, subject: str, problems: list[str]
) -> tuple[bool, tuple[str, ...], tuple[str, ...]]:
    """(is a bounce, failed recipients, Message-IDs of the bounced message)."""
    is_report = (
        msg.get_content_type() == "multipart/report"
        and str(msg.get_param("report-type") or "").lower() == "delivery-status"
    )
    daemon = sender.split("@", 1)[0] in ("mailer-daemon", "postmaster") if sender else False
    if not (is_report or (daemon and _BOUNCE_SUBJECT.search(subject))):
        return False, (), ()
    failed: list[str] = []
    bounced: list[str] = []
    header = _header(msg, "X-Failed-Recipients", problems)
    failed += [a.strip().lower() for a in header.split(",") if "@" in a]
    try:
        parts = list(msg.walk())
    except Exception:
        parts = []
    for part in parts:
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            failed += _failed_in_status(part)
        elif kind in ("message/rfc822", "text/rfc822-headers"):
            bounced += _ids_in_original(part)
    if not failed or not bounced:  # a plain-text bounce: read what it quotes
        body = _text(msg, problems)
        if not failed:
            failed += [
                m.lower()
                for m in re.findall(r"<?([\w.+-]+@[\w-]+(?:\.[\w-]+)+)>?", body)
                if m.lower() != sender
            ][:1]
        if not bounced:
            bounced += re.findall(r"Message-ID:\s*(<[^<>\s]+>)", body, re.IGNORECASE)
    return True, tuple(dict.fromkeys(failed)), tuple(dict.fromkeys(bounced))


def _failed_in_status(part: Message) -> list[str]:
    text = _flatten(part)
    out = []
    for block in re.split(r"\n\s*\n", text):
        action = re.search(r"^Action:\s*(\S+)", block, re.IGNORECASE | re.MULTILINE)
        if action and action.group(1).lower() not in ("failed", "delayed"):
            continue
        if action and action.group(1).lower() == "delayed":
            continue
        for field_name in ("Final-Recipient", "Original-Recipient"):
            found = re.search(
                rf"^{field_name}:\s*[^;\n]*;\s*<?([^>\s]+@[^>\s]+)>?",
                block,
                re.IGNORECASE | re.MULTILINE,
            )
            if found:
                out.append(found.group(1).lower())
                break
    return out


def _ids_in_original(part: Message) -> list[str]:
    text = _flatten(part)
    return re.findall(r"^Message-ID:\s*(<[^<>\s]+>)", text, re.IGNORECASE | re.MULTILINE)


def _flatten(part: Message) -> str:
    """A MIME part's content as text, whatever the email package made of it."""
    try:
        payload = part.get_payload()
        if isinstance(payload, list):
            return "\n\n".join(str(p) for p in payload)
        if isinstance(payload, str):
            return payload
    except Exception:
        return ""
    return ""
