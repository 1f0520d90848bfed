"""Import opportunities from another tracker's CSV export: Huntr, Teal, JobSync, or any CSV.

`followup import --from huntr|teal|jobsync|csv FILE` reads the file whole, shows what it will
add and what it leaves out and why, then ADDS the new opportunities to what is stored, in one
unit of work: all of them or none.

**The columns recognised.** These are assumed from the trackers' documented and typical CSV
exports, not from a published schema (none of them publishes one, and each lets you rename or
add columns); anything else can be named with ``--map FIELD=COLUMN``. Headers are compared case,
spaces and punctuation aside ("Job Title", "job_title" and "jobTitle" are one name).

- **Huntr** (board export): ``Company``, ``Job Title``/``Title``, ``List``/``Stage``/``Status``
  (the board list: Wishlist, Applied, Interview, Offer, Rejected...), ``Date Applied``,
  ``URL``/``Job URL``, ``Source``; ``Location``, ``Salary``, ``Notes``, ``Description``,
  ``Date Added`` are read but not kept (followup has no place for them).
- **Teal** (job tracker export): ``Company``, ``Job Title``/``Position``, ``Status``
  (Bookmarked, Applying, Applied, Interviewing, Negotiating, Accepted, I Withdrew, Not
  Selected, No Response), ``Date Applied``, ``Job URL``, ``Source``, ``Excitement`` (1 to 5
  stars: 5 stars is rank 1, 1 star rank 5); ``Date Saved``, ``Location``, ``Salary``,
  ``Notes``, ``Deadline`` are not kept.
- **JobSync** (its job list, the field names of its ``Job`` model): ``company``, ``title``/
  ``jobTitle``, ``status`` (draft, applied, interview, offer, rejected, expired, archived,
  offer-accepted, offer-declined), ``appliedDate``, ``jobUrl``, ``jobSource``/``source``; its
  ``applied`` column is a yes/no flag and is not read as the date.
- **csv** (a spreadsheet, or `followup export --csv`): ``id``, ``company``/``employer``,
  ``role``/``title``/``job title``/``position``, ``applied``/``date applied``/``applied on``,
  ``status``/``stage``, ``url``/``link``/``job url``, ``source``/``found via``, ``rank``.

**Statuses** map to followup's (``STATUS_WORDS``; `--statuses "Phone Screen=active"` adds or
changes words): applied, interviewing and the like are ``active``; offer and negotiating are
``offer``; accepted/hired ``accepted``; rejected/not selected ``rejected``; withdrawn (and an
offer you declined) ``withdrawn``; no response, ghosted, expired, archived ``closed``. A job
not applied to yet (Huntr's Wishlist, Teal's Bookmarked, JobSync's draft) is **skipped**, with
that reason: followup plans follow-ups after you applied and interviewed. A blank status is
``active``; a status not known is a row that cannot be read (name it with ``--statuses``).

**Rows.** A row is *skipped* (with its reason) when it is on a wishlist, or repeats an
opportunity stored already (same company and role, as `core.duplicates` compares them) or an
earlier line of the file. A row *cannot be read* when it has no company or role, a date, rank
or status that does not parse, text that cannot be stored, or a malformed CSV line (a stray
quote, more or fewer cells than the header): each is reported with its line number, and then
nothing is written unless ``skip_bad`` (`--skip-bad`) leaves them out.

**Dates** ("Date Applied"): ISO (``2026-11-02``, also with a time), numeric US or European
(``11/02/2026``, ``2/11/26``; with dots, ``02.11.2026``, always day first) and month names in
English (``Nov 2, 2026``, ``2 November 2026``). A numeric date whose day and month could be
either way round is read the way the rest of the file shows (a ``13/02/2026`` elsewhere in
it means day first); when nothing in the file tells, it is refused unless ``date_format``
(`--date-format %d/%m/%Y`, strftime codes) says.

**Files**: UTF-8, with or without a byte-order mark; comma, semicolon or tab separated (the
header line tells which).

Ids come from the company name (``acme-corp``; numbered, ``acme-corp-1``, if taken); a
file's own ``id`` column (`followup export --csv` writes one) is kept when free and valid.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Final

from followup.core import problems as core
from followup.core.duplicates import name_key, same_opportunity
from followup.core.model import OPPORTUNITY_STATUSES, Opportunity
from followup.core.problems import MAX_RANK
from followup.errors import InvalidDocument, UsageError
from followup.services.record import next_id, recorded, slug

if TYPE_CHECKING:
    from followup.services.workspace import Workspace

#: What a column can fill in (``--map FIELD=COLUMN``).
FIELDS: Final = (
    "id",
    "company",
    "role",
    "applied",
    "status",
    "url",
    "source",
    "rank",
    "excitement",
)
#: The status word that leaves a row out: not applied to yet.
SKIP: Final = "skip"

_COMMON: Final[dict[str, tuple[str, ...]]] = {
    "company": ("Company", "Company Name", "Employer"),
    "role": ("Job Title", "Title", "Position", "Role"),
    "status": ("Status", "Stage"),
    "applied": ("Date Applied", "Applied Date", "Applied On", "Applied At"),
    "url": ("Job URL", "URL", "Link", "Job Link", "Job Posting URL"),
    "source": ("Source",),
}

#: Tracker -> (its name, field -> the column names assumed for it, in order of preference).
TRACKERS: Final[dict[str, tuple[str, dict[str, tuple[str, ...]]]]] = {
    "huntr": (
        "Huntr export",
        _COMMON | {"status": ("List", "List Name", "Stage", "Status"), "url": ("URL", "Job URL")},
    ),
    "teal": (
        "Teal export",
        _COMMON | {"url": ("Job URL", "URL", "Job Posting URL"), "excitement": ("Excitement",)},
    ),
    "jobsync": (
        "JobSync export",
        {
            "company": ("company", "companyName"),
            "role": ("title", "jobTitle"),
            "status": ("status",),
            "applied": ("appliedDate", "dateApplied"),
            "url": ("jobUrl", "url"),
            "source": ("jobSource", "source"),
        },
    ),
    "csv": (
        "CSV file",
        {
            "id": ("id",),
            "company": ("company", "employer", "company name", "organization"),
            "role": ("role", "title", "job title", "position"),
            "applied": ("applied", "date applied", "applied on", "applied date"),
            "status": ("status", "stage"),
            "url": ("url", "link", "job url"),
            "source": ("source", "found via"),
            "rank": ("rank",),
        },
    ),
}

#: Status words of the trackers (compared case, spaces, '-' and '_' aside) -> followup's
#: status, or ``SKIP`` for a job not applied to yet.
STATUS_WORDS: Final[dict[str, str]] = {
    **{s: s for s in OPPORTUNITY_STATUSES},
    **dict.fromkeys(
        ("wishlist", "bookmarked", "saved", "draft", "interested", "lead", "to apply"), SKIP
    ),
    **dict.fromkeys(
        (
            "applied",
            "applying",
            "interview",
            "interviews",
            "interviewing",
            "screening",
            "phone screen",
            "assessment",
            "in progress",
        ),
        "active",
    ),
    **dict.fromkeys(("offer", "offered", "offer received", "negotiating"), "offer"),
    **dict.fromkeys(("accepted", "offer accepted", "hired"), "accepted"),
    **dict.fromkeys(("rejected", "rejection", "not selected"), "rejected"),
    **dict.fromkeys(("withdrawn", "withdrew", "i withdrew", "offer declined"), "withdrawn"),
    **dict.fromkeys(("no response", "ghosted", "expired", "archived"), "closed"),
}

_MONTHS: Final = {
    name: n
    for n, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_ISO = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ].*)?")
_NUMERIC = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?:[T ,].*)?")
_MONTH_FIRST = re.compile(r"(?:[a-z]+,\s*)?([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
_DAY_FIRST = re.compile(r"(?:[a-z]+,\s*)?(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{4})")
#: a spreadsheet formula guard `followup export --csv` puts before such a cell (see there)
_GUARDED = re.compile(r"'(?=[=+\-@\t\r])")


@dataclass(frozen=True, slots=True)
class Row:
    """One readable row that would become an opportunity."""

    line: int
    company: str
    role: str
    status: str
    applied: date | None = None
    url: str | None = None
    source: str | None = None
    rank: int | None = None
    id: str | None = None

    @property
    def title(self) -> str:
        return f"{self.company} — {self.role}"


@dataclass(frozen=True, slots=True)
class Skipped:
    line: int
    what: str  # "Company — Role", or what the row holds
    reason: str


@dataclass(frozen=True, slots=True)
class Bad:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Parsed:
    """A CSV file read whole: its rows, those it leaves out, and those it cannot read."""

    source: str
    tracker: str  # what it is ("Huntr export", "CSV file")
    delimiter: str
    columns: dict[str, str]  # field -> the file's column
    unused: tuple[str, ...]  # the file's columns that fill in nothing
    rows: tuple[Row, ...]
    skipped: tuple[Skipped, ...]
    bad: tuple[Bad, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    """What an import adds (line, opportunity) and leaves out, against what is stored."""

    parsed: Parsed
    new: tuple[tuple[int, Opportunity], ...]
    skipped: tuple[Skipped, ...] = field(default=())

    @property
    def bad(self) -> tuple[Bad, ...]:
        return self.parsed.bad


# --- reading ----------------------------------------------------------------------------------


def decode(data: bytes, source: str) -> str:
    """The text of a CSV file: UTF-8, its byte-order mark dropped."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"{source} is not UTF-8 text ({exc.reason} at byte {exc.start})",
            hint="save it from the spreadsheet as “CSV UTF-8”",
        ) from exc


def parse_map(text: str | None) -> dict[str, str]:
    """``--map company=Employer,role=Title`` as {field: column}."""
    found: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, sep, column = part.partition("=")
        name = name.strip().lower()
        if not sep or not column.strip():
            raise UsageError(f"--map: {part.strip()!r} is not FIELD=COLUMN")
        if name not in FIELDS:
            raise UsageError(f"--map: unknown field {name!r} (fields: {', '.join(FIELDS)})")
        found[name] = column.strip()
    return found


def parse_statuses(text: str | None) -> dict[str, str]:
    """``--statuses "Phone Screen=active,Wishlist=skip"`` as {word: status}."""
    allowed = (*OPPORTUNITY_STATUSES, SKIP)
    found: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        word, sep, status = part.rpartition("=")
        status = status.strip().lower()
        if not sep or not word.strip():
            raise UsageError(f"--statuses: {part.strip()!r} is not WORD=STATUS")
        if status not in allowed:
            raise UsageError(
                f"--statuses: {status!r} is not a status (one of {', '.join(allowed)})"
            )
        found[_status_key(word)] = status
    return found


def read_csv(
    text: str,
    source: str,
    tracker: str = "csv",
    *,
    mapping: dict[str, str] | None = None,
    statuses: dict[str, str] | None = None,
    date_format: str | None = None,
) -> Parsed:
    """Read a whole CSV file; UsageError when it cannot be used at all (no header, no column
    for the company or the role), else every row as a `Row`, `Skipped` or `Bad`."""
    name, known = TRACKERS[tracker]
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise UsageError(f"{source}: line 1 (the header) cannot be read: {exc}") from exc
    if not header or not any(h.strip() for h in header):
        raise UsageError(f"{source} has no header line (the names of its columns)")
    header = [h.strip() for h in header]
    columns = _columns(header, known, mapping or {}, source)
    words = STATUS_WORDS | (statuses or {})
    records: list[tuple[int, list[str] | None, str]] = []  # line, cells, or why not
    last = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            records.append((last + 1, None, f"malformed CSV line ({exc})"))
            last = reader.line_num
            continue
        line, last = last + 1, reader.line_num
        if not cells or not any(c.strip() for c in cells):
            continue  # a blank line
        if len(cells) != len(header):
            records.append(
                (line, None, f"has {len(cells)} cells where the header has {len(header)}")
            )
            continue
        records.append((line, cells, ""))
    index = {f: header.index(c) for f, c in columns.items()}
    order = _day_order(
        [(line, cells[index["applied"]]) for line, cells, _ in records if cells is not None]
        if "applied" in index
        else []
    )
    rows: list[Row] = []
    skipped: list[Skipped] = []
    bad: list[Bad] = []
    for line, read, why in records:
        if read is None:
            bad.append(Bad(line, why))
            continue
        values = {f: _unguard(read[i].strip()) for f, i in index.items()}
        result = _row(line, values, words, order, date_format)
        if isinstance(result, Row):
            rows.append(result)
        elif isinstance(result, Skipped):
            skipped.append(result)
        else:
            bad.append(result)
    used = set(columns.values())
    return Parsed(
        source=source,
        tracker=name,
        delimiter=delimiter,
        columns=columns,
        unused=tuple(h for h in header if h and h not in used),
        rows=tuple(rows),
        skipped=tuple(skipped),
        bad=tuple(bad),
    )


def _delimiter(text: str) -> str:
    """Comma, semicolon or tab: the one that splits the header line into most columns."""
    first = text.split("\n", 1)[0]
    counts = {d: len(next(csv.reader([first], delimiter=d), [])) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def _header_key(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.casefold())


def _columns(
    header: list[str], known: dict[str, tuple[str, ...]], mapping: dict[str, str], source: str
) -> dict[str, str]:
    by_key: dict[str, str] = {}
    for column in header:
        by_key.setdefault(_header_key(column), column)
    shown = ", ".join(h for h in header if h) or "none"
    found: dict[str, str] = {}
    for name in FIELDS:
        if name in mapping:
            mapped = by_key.get(_header_key(mapping[name]))
            if mapped is None:
                raise UsageError(
                    f"--map {name}={mapping[name]}: {source} has no column {mapping[name]!r}"
                    f" (its columns: {shown})"
                )
            found[name] = mapped
            continue
        for alias in known.get(name, ()):
            if _header_key(alias) in by_key:
                found[name] = by_key[_header_key(alias)]
                break
    for needed in ("company", "role"):
        if needed not in found:
            raise UsageError(
                f"{source} has no column for the {needed} (its columns: {shown})",
                hint=f"name it: --map {needed}=COLUMN (docs/csv.md lists the columns each "
                "tracker's export is read with)",
            )
    return found


def _unguard(value: str) -> str:
    """A cell without the "'" that `followup export --csv` puts before a formula-like one."""
    return value[1:] if _GUARDED.match(value) else value


def _status_key(word: str) -> str:
    return " ".join(re.sub(r"[-_]", " ", word).casefold().split())


def _row(
    line: int,
    values: dict[str, str],
    words: dict[str, str],
    order: str | None,
    date_format: str | None,
) -> Row | Skipped | Bad:
    company, role = values.get("company", ""), values.get("role", "")
    what = f"{company or '(no company)'} — {role or '(no role)'}"
    raw_status = values.get("status", "")
    status = words.get(_status_key(raw_status), "") if raw_status else "active"
    if status == SKIP:
        return Skipped(line, what, f"status {raw_status!r}: not applied to yet")
    problems: list[str] = []
    if not status:
        problems.append(
            f"unknown status {raw_status!r} (say what it means: --statuses "
            f'"{raw_status}=active", or another of {", ".join((*OPPORTUNITY_STATUSES, SKIP))})'
        )
    if not company:
        problems.append("no company")
    if not role:
        problems.append("no role")
    for name in ("company", "role", "url", "source"):
        found = core.check_text(values.get(name, ""), name)
        if found is not None:
            problems.append(str(found))
    applied, why = parse_date(values.get("applied", ""), order, date_format)
    if why:
        problems.append(why)
    rank, why = _rank(values.get("rank", ""), values.get("excitement", ""))
    if why:
        problems.append(why)
    given = values.get("id") or None
    if given is not None and core.check_id(given, "id") is not None:
        given = None  # not an id followup can keep: one is made from the company
    if problems:
        return Bad(line, "; ".join(problems))
    return Row(
        line=line,
        company=company,
        role=role,
        status=status,
        applied=applied,
        url=values.get("url") or None,
        source=values.get("source") or None,
        rank=rank,
        id=given,
    )


def _rank(rank: str, excitement: str) -> tuple[int | None, str]:
    if rank:
        if not rank.isdigit() or not 1 <= int(rank) <= MAX_RANK:
            return None, f"rank {rank!r} is not a whole number from 1 to {MAX_RANK}"
        return int(rank), ""
    if excitement:
        stars = re.fullmatch(r"([1-5])(?:\.0+)?", excitement)
        if stars is None:
            return None, f"excitement {excitement!r} is not 1 to 5 stars"
        return 6 - int(stars.group(1)), ""
    return None, ""


# --- dates ------------------------------------------------------------------------------------


def parse_date(
    text: str, order: str | None = None, date_format: str | None = None
) -> tuple[date | None, str]:
    """``(the day, "")``, ``(None, "")`` for a blank, or ``(None, why not)``. ``order`` ("dmy"
    or "mdy") reads a numeric date whose day and month could be either way round;
    ``date_format`` (strftime codes) is tried first, and says the order too."""
    text = text.strip()
    if not text:
        return None, ""
    if date_format:
        day, month = date_format.find("%d"), date_format.find("%m")
        if day >= 0 and month >= 0:
            order = "dmy" if day < month else "mdy"
    found: date | None = None
    try:
        if date_format:
            with suppress(ValueError):
                found = date(*time.strptime(text, date_format)[:3])
        found = found or _iso(text) or _named(text)
        if found is None:
            numeric = _NUMERIC.fullmatch(text)
            if numeric is None:
                if date_format:
                    return None, f"date {text!r} does not match --date-format {date_format}"
                return None, f"date {text!r} is not a date (e.g. 2026-11-02, Nov 2, 2026)"
            found = _numeric(numeric, order)
            if found is None:
                return None, _ambiguous(text, numeric)
    except ValueError:
        return None, f"date {text!r} is not a day of the calendar"
    problem = core.check_when(found, "date")
    return (None, f"date {text!r}: {problem.message}") if problem else (found, "")


def _iso(text: str) -> date | None:
    match = _ISO.fullmatch(text)
    if match is None:
        return None
    year, month, day = map(int, match.groups())
    return date(year, month, day)


def _named(text: str) -> date | None:
    lowered = text.casefold()
    match = _MONTH_FIRST.fullmatch(lowered)
    if match is not None and match.group(1) in _MONTHS:
        return date(int(match.group(3)), _MONTHS[match.group(1)], int(match.group(2)))
    match = _DAY_FIRST.fullmatch(lowered)
    if match is not None and match.group(2) in _MONTHS:
        return date(int(match.group(3)), _MONTHS[match.group(2)], int(match.group(1)))
    return None


def _numeric(match: re.Match[str], order: str | None) -> date | None:
    first, sep, second, year_text = match.groups()
    a, b, year = int(first), int(second), int(year_text)
    if len(year_text) == 2:
        year += 2000
    if sep == ".":
        order = "dmy"  # 02.11.2026: day first wherever dots are written
    elif a > 12:
        order = "dmy"
    elif b > 12 or a == b:
        order = "mdy"
    if order is None:
        return None
    return date(year, b, a) if order == "dmy" else date(year, a, b)


def _ambiguous(text: str, match: re.Match[str]) -> str:
    a, sep, b, _year = match.groups()
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return (
        f"date {text!r} could be {int(a)} {months[int(b) - 1]} or {months[int(a) - 1]} {int(b)}"
        f" (nothing else in the file tells: give --date-format %d{sep}%m{sep}%Y or "
        f"%m{sep}%d{sep}%Y)"
    )


def _day_order(dates: Iterable[tuple[int, str]]) -> str | None:
    """ "dmy" or "mdy" when the file's numeric dates show one (a first number above 12 means
    day first, a second one month first), None when they show none or both."""
    shown = set()
    for _line, text in dates:
        match = _NUMERIC.fullmatch(text.strip())
        if match is None or match.group(2) == ".":
            continue
        a, b = int(match.group(1)), int(match.group(3))
        if a > 12 >= b:
            shown.add("dmy")
        elif b > 12 >= a:
            shown.add("mdy")
    return shown.pop() if len(shown) == 1 else None


# --- planning and writing ---------------------------------------------------------------------


def plan(parsed: Parsed, stored: Sequence[tuple[str, str, str]]) -> Plan:
    """What importing ``parsed`` adds next to ``stored`` (id, company, role): each row with its
    id, unless it repeats a stored opportunity or an earlier row."""
    taken = {s[0] for s in stored}
    seen: dict[tuple[str, str], int] = {}
    new: list[tuple[int, Opportunity]] = []
    skipped = list(parsed.skipped)
    for row in parsed.rows:
        same = same_opportunity(stored, row.company, row.role)
        if same is not None:
            skipped.append(
                Skipped(row.line, row.title, f"recorded already, as opportunity '{same[0]}'")
            )
            continue
        key = (name_key(row.company), name_key(row.role))
        if key in seen:
            skipped.append(Skipped(row.line, row.title, f"repeats line {seen[key]}"))
            continue
        seen[key] = row.line
        opp_id = row.id if row.id is not None and row.id not in taken else None
        if opp_id is None:
            opp_id = slug(row.company) or "opportunity"
            if opp_id in taken:
                opp_id = next_id(f"{opp_id}-", taken)
        taken.add(opp_id)
        opp = Opportunity(
            id=opp_id,
            company=row.company,
            role=row.role,
            applied=row.applied,
            source=row.source,
            url=row.url,
            rank=row.rank,
            status=row.status,
        )
        new.append((row.line, opp))
    skipped.sort(key=lambda s: s.line)
    return Plan(parsed, tuple(new), tuple(skipped))


def preview(ws: Workspace, parsed: Parsed) -> Plan:
    """The plan of an import against what is stored now (read in one transaction)."""
    with ws.units.reading(ws.candidate_pk) as uow:
        stored = [(line[0], line[1], line[2]) for line in uow.search()[0]]
    return plan(parsed, stored)


def refuse_bad(parsed: Parsed) -> None:
    """InvalidDocument listing the rows that cannot be read, if any."""
    if parsed.bad:
        many = len(parsed.bad) != 1
        raise InvalidDocument(
            f"{parsed.source} has {len(parsed.bad)} row{'s' if many else ''} that cannot be "
            "read; nothing was imported",
            [str(b) for b in parsed.bad],
            hint="fix those lines and import again, or give --skip-bad to import the others",
        )


def import_rows(
    ws: Workspace,
    parsed: Parsed,
    *,
    now: datetime,
    skip_bad: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Plan:
    """Add the new opportunities of ``parsed`` to what is stored, all in one unit of work
    (planned again against what is stored at that moment); nothing is written when a row
    cannot be read, unless ``skip_bad``. Returns what was done."""
    if not skip_bad:
        refuse_bad(parsed)
    with ws.unit_of_work() as uow:
        stored = [(line[0], line[1], line[2]) for line in uow.search()[0]]
        done = plan(parsed, stored)
        total = len(done.new)
        for n, (_line, opp) in enumerate(done.new, start=1):
            uow.add_opportunity(recorded(opp, now))
            if progress is not None:
                progress(n, total)
    return done
