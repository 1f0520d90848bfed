"""`followup export --csv`: one row per opportunity, for spreadsheets.

Columns (``COLUMNS``): the opportunity's own fields (``id``, ``company``, ``role``, ``status``,
``rank``, ``applied``, ``source``, ``url``), then what a spreadsheet cannot work out itself:
how many ``people`` and ``interviews`` it holds, the day of the ``last_touch``, the
``next_action`` still pending and when it is shown (``next_action_at``), and ``stages``: its
history as the facts record it, oldest first ("2030-02-18 applied; 2030-03-04 interview;
2030-03-06 offer; now active"). Days and moments are ISO 8601, in the profile's time zone.

The first columns are the ones `followup import --from csv` reads by default, so a file
exported here imports again (into another database, or after editing). A cell that a
spreadsheet would run as a formula (starting with ``=``, ``+``, ``-`` or ``@``) is written
after a "'", which the import takes off again.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Final

from followup.core.model import Facts, Opportunity
from followup.services.views import opportunity_summaries

if TYPE_CHECKING:
    from followup.services.workspace import Workspace

COLUMNS: Final = (
    "id",
    "company",
    "role",
    "status",
    "rank",
    "applied",
    "source",
    "url",
    "people",
    "interviews",
    "last_touch",
    "next_action",
    "next_action_at",
    "stages",
)
_FORMULA: Final = ("=", "+", "-", "@", "\t", "\r")


def export_csv(ws: Workspace, now: datetime) -> str:
    """The CSV text (RFC 4180: a header, then one row per opportunity, lines ending CRLF)."""
    facts = ws.facts()
    agenda = ws.agenda()
    return dumps(facts, opportunity_summaries(facts, agenda.at(now), agenda.tz), agenda.tz)


def dumps(facts: Facts, summaries: list[dict[str, object]], tz: tzinfo) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for opp, summary in zip(facts.opportunities, summaries, strict=True):
        touched = max((t.at for t in opp.touches), default=None)
        writer.writerow(
            [
                spreadsheet_cell(opp.id),
                spreadsheet_cell(opp.company),
                spreadsheet_cell(opp.role),
                opp.status,
                opp.rank or "",
                opp.applied.isoformat() if opp.applied else "",
                spreadsheet_cell(opp.source),
                spreadsheet_cell(opp.url),
                len(opp.people),
                len(opp.interviews),
                touched.astimezone(tz).date().isoformat() if touched else "",
                summary["next_action"] or "",
                summary["next_action_at"] or "",
                stages(opp, tz),
            ]
        )
    return out.getvalue()


def stages(opp: Opportunity, tz: tzinfo) -> str:
    """The opportunity's history as its facts record it: applied, each interview, offers and
    your answers, what touches brought (a rejection, a withdrawal), then its status now."""
    events: list[tuple[date, str]] = []
    if opp.applied:
        events.append((opp.applied, "applied"))
    events += [(i.at.astimezone(tz).date(), "interview") for i in opp.interviews]
    for offer in opp.offers:
        events.append((_day(offer.received, tz), "offer"))
        if offer.decision is not None and offer.decided is not None:
            events.append((offer.decided.astimezone(tz).date(), f"offer {offer.decision}"))
    for touch in opp.touches:
        if touch.outcome is not None:
            events.append((touch.at.astimezone(tz).date(), touch.outcome))
    seen = list(dict.fromkeys(sorted(events, key=lambda e: e[0])))
    return "; ".join([*(f"{day.isoformat()} {what}" for day, what in seen), f"now {opp.status}"])


def _day(when: date | datetime, tz: tzinfo) -> date:
    return when.astimezone(tz).date() if isinstance(when, datetime) else when


def spreadsheet_cell(text: str | None) -> str:
    """Text for a spreadsheet: one that would run as a formula gets a "'" before it."""
    if not text:
        return ""
    return f"'{text}" if text.startswith(_FORMULA) else text
