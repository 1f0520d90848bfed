"""The review list: messages from a company's domain but from nobody on file.

`followup mail sync` puts them here (``services.mail_sync``); the user confirms one (it is
logged as an inbound touch from the person they name) or dismisses it.
"""

from __future__ import annotations

from typing import Any

from followup.core.model import Touch
from followup.errors import Conflict, NotFound, UsageError
from followup.services.mail_sync import inbound_touch
from followup.services.workspace import Workspace


def review_list(database: Workspace) -> list[dict[str, Any]]:
    """Messages from a company's domain, waiting for the user's word."""
    from followup.store import mail_rows

    with database.mail().read() as conn:
        rows = mail_rows.inbound(conn, kind="review", status="pending")
    return [_inbound_json(r) for r in rows]


def confirm(database: Workspace, review_id: int, person_id: str | None) -> Touch:
    """Log a reviewed message as an inbound touch from ``person_id`` (default: the guess)."""
    from followup.store import mail_rows

    row = _pending_review(database, review_id)
    facts = database.facts()
    opp = facts.opportunity(row.opportunity_id or "")
    if opp is None:
        raise NotFound(f"opportunity '{row.opportunity_id}' is gone")
    chosen = person_id or row.person_id
    if chosen is None:
        names = ", ".join(p.id for p in opp.people)
        raise UsageError(
            f"message {review_id} could be from several people of '{opp.id}'",
            hint=f"name one with --person ({names})",
        )
    if opp.person(chosen) is None:
        raise NotFound(f"unknown person '{chosen}' in opportunity '{opp.id}'")
    touch = inbound_touch(chosen, row.received, row.subject, row.snippet)
    with database.unit_of_work(side_tables=True) as uow:
        touch_id = uow.add_touch(opp.id, touch)
        mail_rows.update_inbound(
            mail_rows.connection_of(uow),
            review_id,
            kind="reply",
            status="confirmed",
            person_id=chosen,
            touch_id=touch_id,
        )
    return Touch(**{**_fields(touch), "id": touch_id})


def dismiss(database: Workspace, review_id: int) -> None:
    from followup.store import mail_rows

    _pending_review(database, review_id)
    with database.mail().write() as conn:
        mail_rows.update_inbound(conn, review_id, status="dismissed")


def _pending_review(database: Workspace, review_id: int) -> Any:
    from followup.store import mail_rows

    with database.mail().read() as conn:
        row = mail_rows.inbound_row(conn, review_id)
    if row is None or (row.kind != "review" and row.status != "confirmed"):
        raise NotFound(f"no message {review_id} on the review list", hint="`followup mail review`")
    if row.status != "pending":
        raise Conflict(f"message {review_id} was {row.status} already")
    return row


def _fields(touch: Touch) -> dict[str, Any]:
    return {name: getattr(touch, name) for name in touch.__dataclass_fields__}


def _inbound_json(row: Any) -> dict[str, Any]:
    return {
        "id": row.pk,
        "received": row.received.isoformat(),
        "from": row.from_address,
        "subject": row.subject,
        "snippet": row.snippet,
        "kind": row.kind,
        "status": row.status,
        "opportunity": row.opportunity_id,
        "person": row.person_id,
        "touch": row.touch_id,
    }
