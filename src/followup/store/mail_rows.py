"""Reads and writes of the calendar and mail tables (``schema_mail``), on a given connection.

Every function takes the open connection of the caller's transaction, so a use case decides
what commits together: a sent message's outbox state and the touch it logs, a batch of synced
messages and the folder's sync position. `MailTables` opens short transactions of its own for
the writes that stand alone; they do not bump the revision (the facts did not change).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from followup.store.schema_mail import (
    BadAddressRow,
    CalendarItemRow,
    CalendarTokenRow,
    InboundRow,
    MailSettingsRow,
    MailSyncRow,
    OutboxRow,
)
from followup.store.store import Store
from followup.store.uow import UnitOfWork

SETTINGS_FIELDS = tuple(c.name for c in MailSettingsRow.__table__.columns if c.name != "id")


def connection_of(uow: UnitOfWork) -> Connection:
    """The connection of an open unit of work, for mail rows that must commit together with
    the facts it writes. Mail rows alone do not bump the revision (the plan did not change);
    a fact written through the unit of work does."""
    return uow._conn  # lent on purpose: one transaction


class MailTables:
    """Short transactions of their own, for writes and reads that stand alone."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.store._transaction("read", write=False) as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        with self.store._transaction("write to", write=True) as conn:
            yield conn


# -- settings ----------------------------------------------------------------------------


def settings(conn: Connection) -> dict[str, Any]:
    row = conn.execute(sa.select(MailSettingsRow)).first()
    return {f: (getattr(row, f) if row else None) for f in SETTINGS_FIELDS}


def save_settings(conn: Connection, values: dict[str, Any]) -> None:
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"unknown mail settings: {sorted(unknown)}")
    merged = {**settings(conn), **values}
    conn.execute(sa.delete(MailSettingsRow))
    conn.execute(sa.insert(MailSettingsRow).values(id=1, **merged))


# -- outbox ------------------------------------------------------------------------------


def add_outbox(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(sa.insert(OutboxRow).values(values).returning(OutboxRow.pk))
    return int(result.scalar_one())


def set_outbox_state(
    conn: Connection,
    pk: int,
    state: str,
    finished: datetime | None,
    detail: str | None = None,
    touch_id: str | None = None,
) -> None:
    values: dict[str, Any] = {"state": state, "finished": finished, "detail": detail}
    if touch_id is not None:
        values["touch_id"] = touch_id
    conn.execute(sa.update(OutboxRow).where(OutboxRow.pk == pk).values(values))


def outbox(conn: Connection, states: Iterable[str] | None = None) -> list[Any]:
    query = sa.select(OutboxRow).order_by(OutboxRow.pk)
    if states is not None:
        query = query.where(OutboxRow.state.in_(list(states)))
    return list(conn.execute(query).all())


def outbox_row(conn: Connection, pk: int) -> Any:
    return conn.execute(sa.select(OutboxRow).where(OutboxRow.pk == pk)).first()


def outbox_for_action(conn: Connection, action: str) -> list[Any]:
    query = sa.select(OutboxRow).where(OutboxRow.action == action).order_by(OutboxRow.pk)
    return list(conn.execute(query).all())


def last_sent_to(conn: Connection, opportunity_id: str, person_id: str) -> Any:
    """The newest message sent (or bounced) to a person: the thread a follow-up continues."""
    query = (
        sa.select(OutboxRow)
        .where(
            OutboxRow.opportunity_id == opportunity_id,
            OutboxRow.person_id == person_id,
            OutboxRow.state.in_(["sent", "bounced"]),
        )
        .order_by(OutboxRow.pk.desc())
        .limit(1)
    )
    return conn.execute(query).first()


def sent_by_message_id(conn: Connection, message_ids: Iterable[str]) -> Any:
    """The first of our sent messages whose Message-ID is among ``message_ids``."""
    ids = [m for m in message_ids if m]
    if not ids:
        return None
    query = sa.select(OutboxRow).where(OutboxRow.message_id.in_(ids)).order_by(OutboxRow.pk)
    return conn.execute(query.limit(1)).first()


# -- sync position, inbound messages, bad addresses ----------------------------------------


def sync_position(conn: Connection, folder: str) -> tuple[int, int] | None:
    row = conn.execute(sa.select(MailSyncRow).where(MailSyncRow.folder == folder)).first()
    return None if row is None else (row.uidvalidity, row.last_uid)


def save_sync_position(
    conn: Connection, folder: str, uidvalidity: int, last_uid: int, now: datetime
) -> None:
    conn.execute(sa.delete(MailSyncRow).where(MailSyncRow.folder == folder))
    conn.execute(
        sa.insert(MailSyncRow).values(
            folder=folder, uidvalidity=uidvalidity, last_uid=last_uid, synced=now
        )
    )


def known_keys(conn: Connection, keys: Iterable[str]) -> set[str]:
    wanted = list(set(keys))
    if not wanted:
        return set()
    return set(conn.execute(sa.select(InboundRow.key).where(InboundRow.key.in_(wanted))).scalars())


def add_inbound(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(sa.insert(InboundRow).values(values).returning(InboundRow.pk))
    return int(result.scalar_one())


def inbound(conn: Connection, kind: str | None = None, status: str | None = None) -> list[Any]:
    query = sa.select(InboundRow).order_by(InboundRow.pk)
    if kind is not None:
        query = query.where(InboundRow.kind == kind)
    if status is not None:
        query = query.where(InboundRow.status == status)
    return list(conn.execute(query).all())


def inbound_row(conn: Connection, pk: int) -> Any:
    return conn.execute(sa.select(InboundRow).where(InboundRow.pk == pk)).first()


def update_inbound(conn: Connection, pk: int, **values: Any) -> None:
    conn.execute(sa.update(InboundRow).where(InboundRow.pk == pk).values(values))


def flag_bad_address(conn: Connection, address: str, reason: str, now: datetime) -> None:
    conn.execute(sa.delete(BadAddressRow).where(BadAddressRow.address == address.lower()))
    conn.execute(
        sa.insert(BadAddressRow).values(address=address.lower(), reason=reason, flagged=now)
    )


def bad_addresses(conn: Connection) -> dict[str, str]:
    query = sa.select(BadAddressRow.address, BadAddressRow.reason)
    return {str(a): str(r) for a, r in conn.execute(query)}


# -- calendar ----------------------------------------------------------------------------


def calendar_items(conn: Connection) -> dict[str, tuple[str, int, datetime]]:
    """action id -> (fingerprint, sequence, last modified)."""
    query = sa.select(
        CalendarItemRow.action,
        CalendarItemRow.fingerprint,
        CalendarItemRow.sequence,
        CalendarItemRow.modified,
    )
    return {a: (f, s, m) for a, f, s, m in conn.execute(query)}


def save_calendar_items(
    conn: Connection, new: list[dict[str, Any]], changed: list[dict[str, Any]]
) -> None:
    if new:
        conn.execute(sa.insert(CalendarItemRow), new)
    for values in changed:
        conn.execute(
            sa.update(CalendarItemRow)
            .where(CalendarItemRow.action == values["action"])
            .values(values)
        )


def active_token(conn: Connection) -> str | None:
    query = sa.select(CalendarTokenRow.token).where(CalendarTokenRow.revoked.is_(None))
    return conn.execute(query.order_by(CalendarTokenRow.pk.desc()).limit(1)).scalar()


def revoke_tokens(conn: Connection, now: datetime) -> int:
    query = (
        sa.update(CalendarTokenRow).where(CalendarTokenRow.revoked.is_(None)).values(revoked=now)
    )
    return int(conn.execute(query).rowcount)


def add_token(conn: Connection, token: str, now: datetime) -> None:
    conn.execute(sa.insert(CalendarTokenRow).values(token=token, created=now, revoked=None))
