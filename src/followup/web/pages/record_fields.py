"""The fields of each Record form, and the values a new form starts with."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from followup.core.model import CHANNELS, OPPORTUNITY_STATUSES, ROLES, TOUCH_KINDS, Opportunity
from followup.errors import NotFound
from followup.web.forms import Field


def _opts(values: tuple[str, ...], blank: str | None = None) -> list[tuple[str, str]]:
    options = [(v, v) for v in values]
    return [("", blank), *options] if blank is not None else options


TITLES: Final = {
    "opportunity": "Add an opportunity",
    "person": "Add a person",
    "interview": "Log an interview",
    "touch": "Log a touch",
    "offer": "Record an offer",
    "achievement": "Record an achievement",
    "profile": "Your profile",
}
_WHEN_HELP: Final = "A date (2026-12-11) or a date and time (2026-12-11T10:00)."
#: who acts on a named date (``core.model.ACTORS``)
_ACTS_OPTIONS: Final = [
    ("you", "you call them back on it"),
    ("they", "they decide or get back to you by it"),
]


#: what a touch brought (``core.model.TOUCH_OUTCOMES``)
_OUTCOME_OPTIONS: Final = [
    ("", "—"),
    ("offer", "an offer"),
    ("rejected", "a rejection"),
    ("withdrawn", "you withdrew"),
]


def fields_for(kind: str, opp: Opportunity | None) -> list[Field]:
    """The fields of one form (those of interviews and touches depend on the people)."""
    people = [(p.id, p.name) for p in opp.people] if opp else []
    if kind == "opportunity":
        return [
            Field("company", "Company", required=True),
            Field("role", "Role", required=True),
            Field("id", "Short id", help="Letters, digits, '-'; made from the company if empty."),
            Field(
                "applied",
                "Applied on",
                "date",
                help="Counts toward this week's target; empty: the week you record it.",
            ),
            Field("rank", "Rank", "number", help="1 = the one you want most."),
            Field("status", "Status", "select", options=_opts(OPPORTUNITY_STATUSES)),
            Field("source", "Source"),
            Field("url", "Posting URL"),
            Field("decision_expected_by", "Decision expected by", "when", help=_WHEN_HELP),
            Field("decision_process", "Decision process", "textarea"),
        ]
    if kind == "person":
        return [
            Field("name", "Name", required=True),
            Field("role", "Role", "select", options=_opts(ROLES)),
            Field("id", "Short id", help="Made from the first name if empty."),
            Field("has_vote", "Has a say in the decision", "checkbox"),
            Field("key", "Key person", "checkbox"),
            Field("email", "E-mail"),
            Field("phone", "Phone"),
            Field("timezone", "Time zone", placeholder="e.g. Europe/Berlin (default: yours)"),
            Field(
                "topics",
                "Topics to mention",
                "textarea",
                help="One per line, in your words (at most 5); empty: the drafts take them "
                "from your interview notes.",
            ),
        ]
    if kind == "interview":
        notes = [
            Field(f"notes_{pid}", f"What you discussed with {name}", "textarea")
            for pid, name in people
        ]
        return [
            Field("at", "Started at", "datetime", required=True),
            Field("duration_minutes", "Duration (minutes)", "number"),
            Field("kind", "Kind", placeholder="e.g. onsite, final panel"),
            Field("with", "Who you met", "checkboxes", required=True, options=people),
            *notes,
            Field("id", "Short id", help="Numbered (i1, i2...) if empty."),
            Field("next_step_what", "Agreed next step", placeholder="e.g. Recruiter calls"),
            Field("next_step_when", "Next step when", "when", help=_WHEN_HELP),
            Field("next_step_who", "Next step with", "select", options=[("", "—"), *people]),
            Field("next_step_channel", "Next step channel", "select", options=_opts(CHANNELS, "—")),
            Field("next_step_acts", "On that date", "select", options=_ACTS_OPTIONS),
        ]
    if kind == "touch":
        return [
            Field("person", "Person", "select", required=True, options=people),
            Field("at", "When", "datetime", required=True),
            Field(
                "direction", "Direction", "select", options=[("out", "sent"), ("in", "received")]
            ),
            Field("channel", "Channel", "select", options=_opts(CHANNELS)),
            Field("kind", "Kind", "select", options=_opts(TOUCH_KINDS)),
            Field("summary", "Summary"),
            Field("body", "Message", "textarea"),
            Field("states_date", "A date they named", "when", help=_WHEN_HELP),
            Field("acts", "On that date", "select", options=_ACTS_OPTIONS),
            Field("outcome", "Outcome", "select", options=_OUTCOME_OPTIONS,
                  help="Sets the status: a rejection or your withdrawal stops its actions."),
            Field("offer_expires", "The offer expires", "when",
                  help="Only with an offer. " + _WHEN_HELP),
        ]  # fmt: skip
    if kind == "offer":
        return [
            Field("received", "Received on", "date", required=True),
            Field("expires", "Expires", "when", help=_WHEN_HELP),
            Field("id", "Short id", help="Numbered (o1, o2...) if empty."),
        ]
    if kind == "achievement":
        return [
            Field("title", "Title", required=True),
            Field("kind", "Kind", required=True, placeholder="article, talk, course..."),
            Field("at", "Date", "date", required=True),
            Field("tags", "Tags", help="Comma-separated; they relate it to jobs."),
        ]
    if kind == "profile":
        return [
            Field("name", "Your name"),
            Field("timezone", "Your time zone", required=True, placeholder="e.g. America/New_York",
                  help="Times on these pages are shown and read in it."),
            Field("country", "Country", required=True, help="Two letters (US, DE, GB): "
                  "its public holidays are not working days."),
            Field("weekly_target", "New applications per week", "number",
                  help="Empty: the playbook's default."),
        ]  # fmt: skip
    raise NotFound(f"unknown form '{kind}'", hint="the Record page lists the forms")


def defaults(kind: str, now: datetime) -> dict[str, Any]:
    local = now.strftime("%Y-%m-%dT%H:%M")
    return {
        "opportunity": {"status": "active", "applied": now.date().isoformat()},
        "person": {"has_vote": "on", "role": "panel"},
        "interview": {"duration_minutes": "60"},
        "touch": {"at": local, "direction": "out", "channel": "email", "kind": "other"},
        "offer": {"received": now.date().isoformat()},
        "achievement": {"at": now.date().isoformat()},
    }.get(kind, {})


#: fields of the Record forms that an edit leaves out: ids never change; an offer's expiry is
#: recorded with the touch that brought it, and edited on the offer itself
_NOT_EDITED: Final = frozenset({"id", "offer_expires"})


def edit_fields(kind: str, opp: Opportunity | None) -> list[Field]:
    """The fields of the form that corrects a ``kind``: the Record form's, without the id (and
    an offer's "received" may hold a time, so it is written as a date or a date and time)."""
    fields = []
    for f in fields_for(kind, opp):
        if f.name in _NOT_EDITED:
            continue
        if kind == "offer" and f.name == "received":
            fields.append(Field(f.name, f.label, "when", required=True, help=_WHEN_HELP))
        else:
            fields.append(f)
    return fields
