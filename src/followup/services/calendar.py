"""The calendar use cases: export the pending actions as iCalendar, and the feed's secret token.

An export (file or live feed) compares each action with what calendars were last given
(``calendar_item``) and bumps its SEQUENCE and LAST-MODIFIED when it changed, so a calendar
that re-imports or polls replaces the event. These bookkeeping writes do not touch the facts.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

from followup.core.model import Action, Facts
from followup.errors import NotFound
from followup.services.drafting import folded_anchors
from followup.services.workspace import Workspace

if TYPE_CHECKING:
    from followup.integrations.ical import Entry

#: Statuses a calendar shows: what is still to do.
PENDING: Final = frozenset({"upcoming", "due", "overdue", "snoozed"})
_RULE_TITLES: Final = {
    "next-step": "Agree the next step",
    "thank-you": "Thank-you note",
    "value-add": "Share something useful",
    "phone-call": "Call",
    "continued-interest": "Continued interest",
    "cycle": "Keep in touch",
    "callback": "Call back as agreed",
    "still-in-running": "Still in the running?",
    "counter-offer": "Counter-offer: first choice",
    "set-apart": "Share what sets you apart",
    "keep-searching": "Keep searching",
}
#: How the feed URL reads; the server adds its own address in front.
FEED_PATH: Final = "/calendar/{token}.ics"


def export_calendar(
    database: Workspace,
    now: datetime,
    config_dir: Path | None = None,
) -> bytes:
    """The pending actions as an RFC 5545 calendar (see ``integrations.ical``)."""
    from followup.integrations.ical import build_calendar

    agenda = database.agenda()
    everything = agenda.at(now)
    actions = [a for a in everything if a.status in PENDING]
    facts = database.facts()
    drafts = _draft_texts(database, everything, folded_anchors(agenda.rows), facts, now, config_dir)
    entries = [_entry(a, facts, drafts.get(a.id)) for a in actions]
    entries = _sequenced(database, entries, now)
    return build_calendar(entries, facts.profile.timezone, now)


def feed(
    database: Workspace,
    token: str,
    now: datetime,
    config_dir: Path | None = None,
) -> bytes:
    """The live feed for ``token``; a wrong or revoked token is `NotFound` (HTTP 404)."""
    from followup.store import mail_rows

    with database.mail().read() as conn:
        active = mail_rows.active_token(conn)
    if active is None or not secrets.compare_digest(active, token):
        raise NotFound("no such calendar")
    return export_calendar(database, now, config_dir)


def new_token(database: Workspace, now: datetime) -> str:
    """A fresh feed token; the previous one stops working at once."""
    from followup.store import mail_rows

    token = secrets.token_urlsafe(24)
    with database.mail().write() as conn:
        mail_rows.revoke_tokens(conn, now)
        mail_rows.add_token(conn, token, now)
    return token


def current_token(database: Workspace) -> str:
    from followup.store import mail_rows

    with database.mail().read() as conn:
        token = mail_rows.active_token(conn)
    if token is None:
        raise NotFound(
            "there is no calendar feed yet", hint="create one with `followup calendar token new`"
        )
    return token


def revoke_token(database: Workspace, now: datetime) -> None:
    """Close the feed: its URL answers 404 from now on."""
    from followup.store import mail_rows

    with database.mail().write() as conn:
        revoked = mail_rows.revoke_tokens(conn, now)
    if not revoked:
        raise NotFound("there is no calendar feed to revoke")


def feed_path(token: str) -> str:
    return FEED_PATH.format(token=token)


def _entry(action: Action, facts: Facts, draft: str | None) -> Entry:
    from followup.integrations.ical import Entry

    title = _RULE_TITLES.get(action.rule, action.rule)
    who = []
    opp = facts.opportunity(action.opportunity) if action.opportunity else None
    person = opp.person(action.person) if opp and action.person else None
    if person is not None:
        who.append(person.name)
    if opp is not None:
        who.append(f"({opp.company})")
    summary = " ".join([f"{title}:", *who]) if who else title
    lines = [action.reason, "", f"Action id: {action.id}"]
    if action.channel:
        lines.insert(1, f"Channel: {action.channel}")
    if draft:
        lines += ["", "Draft:", draft.rstrip()]
    return Entry(action, summary, "\n".join(lines))


def _sequenced(database: Workspace, entries: list[Entry], now: datetime) -> list[Entry]:
    """Entries with SEQUENCE and LAST-MODIFIED as calendars must see them (and remembered)."""
    from followup.store import mail_rows

    with database.mail().write() as conn:
        known = mail_rows.calendar_items(conn)
        new: list[dict[str, object]] = []
        changed: list[dict[str, object]] = []
        out = []
        for entry in entries:
            fingerprint = entry.fingerprint()
            seen = known.get(entry.action.id)
            if seen is None:
                new.append(_item(entry.action.id, fingerprint, 0, now))
                out.append(replace(entry, sequence=0, modified=now))
            elif seen[0] != fingerprint:
                changed.append(_item(entry.action.id, fingerprint, seen[1] + 1, now))
                out.append(replace(entry, sequence=seen[1] + 1, modified=now))
            else:
                out.append(replace(entry, sequence=seen[1], modified=seen[2]))
        mail_rows.save_calendar_items(conn, new, changed)
    return out


def _item(action: str, fingerprint: str, sequence: int, now: datetime) -> dict[str, object]:
    return {"action": action, "fingerprint": fingerprint, "sequence": sequence, "modified": now}


def _draft_texts(
    database: Workspace,
    actions: list[Action],
    folded: dict[str, list[str]],
    facts: Facts,
    now: datetime,
    config_dir: Path | None,
) -> dict[str, str]:
    """Each pending action's draft text (the user's edit when there is one).

    Drafts only, without the form-letter check: a calendar shows the text, and comparing every
    draft with every other on each feed poll would cost far more than the feed itself.
    """
    from followup.drafts.render import environment
    from followup.errors import UsageError
    from followup.services.drafting import build, drafted

    reading = database.reading()
    env = environment(config_dir)
    articles = reading.articles()
    edits = reading.edited_drafts()
    texts = {}
    for action in drafted(actions):
        try:
            made = build(
                action, facts, now, env, articles, edits.get(action.id), folded.get(action.id, ())
            )
        except UsageError:  # a broken user template: the event goes out without a draft
            continue
        texts[action.id] = made.text
    return texts
