"""Reads and writes of one candidate's calendar and mail tables (``schema_mail``).

Every function takes a `Scoped` connection: the open connection of the caller's transaction
and the candidate whose rows it reads and writes. So a use case decides what commits together:
a sent message's outbox state and the touch it logs, a batch of synced messages and the
folder's sync position. `MailTables` opens short transactions of its own for the writes that
stand alone; they do not bump the revision (the facts did not change).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, NamedTuple

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

SETTINGS_FIELDS = tuple(
    c.name for c in MailSettingsRow.__table__.columns if c.name != "candidate_pk"
)


class Scoped(NamedTuple):
    """An open connection, and the candidate whose rows it is used for."""

    conn: Connection
    pk: int


def connection_of(uow: UnitOfWork) -> Scoped:
    """The connection of an open unit of work, for mail rows that must commit together with
    the facts it writes. Mail rows alone do not bump the revision (the plan did not change);
    a fact written through the unit of work does."""
    if uow.connection is None:
        raise RuntimeError("this unit of work has no SQLAlchemy connection: open ws.store first")
    return Scoped(uow.connection, uow.candidate_pk)  # lent on purpose: one transaction


class MailTables:
    """One candidate's mail tables, in short transactions of their own."""

    def __init__(self, store: Store, candidate_pk: int | None = None) -> None:
        self.store = store
        self.candidate_pk = candidate_pk or store.candidate_pk()

    @contextmanager
    def read(self) -> Iterator[Scoped]:
        with self.store._transaction("read", write=False) as conn:
            yield Scoped(conn, self.candidate_pk)

    @contextmanager
    def write(self) -> Iterator[Scoped]:
        with self.store._transaction("write to", write=True) as conn:
            yield Scoped(conn, self.candidate_pk)


# -- settings ----------------------------------------------------------------------------


def settings(c: Scoped) -> dict[str, Any]:
    query = sa.select(MailSettingsRow).where(MailSettingsRow.candidate_pk == c.pk)
    row = c.conn.execute(query).first()
    return {f: (getattr(row, f) if row else None) for f in SETTINGS_FIELDS}


def save_settings(c: Scoped, values: dict[str, Any]) -> None:
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"unknown mail settings: {sorted(unknown)}")
    merged = {**settings(c), **values}
    c.conn.execute(sa.delete(MailSettingsRow).where(MailSettingsRow.candidate_pk == c.pk))
    c.conn.execute(sa.insert(MailSettingsRow).values(candidate_pk=c.pk, **merged))


# -- outbox ------------------------------------------------------------------------------


def add_outbox(c: Scoped, values: dict[str, Any]) -> int:
    ours = values | {"candidate_pk": c.pk}
    result = c.conn.execute(sa.insert(OutboxRow).values(ours).returning(OutboxRow.pk))
    return int(result.scalar_one())


def set_outbox_state(
    c: Scoped,
    pk: int,
    state: str,
    finished: datetime | None,
    detail: str | None = None,
    touch_id: str | None = None,
) -> None:
    values: dict[str, Any] = {"state": state, "finished": finished, "detail": detail}
    if touch_id is not None:
        values["touch_id"] = touch_id
    c.conn.execute(sa.update(OutboxRow).where(*_outbox(c, pk)).values(values))


def outbox(c: Scoped, states: Iterable[str] | None = None) -> list[Any]:
    query = sa.select(OutboxRow).where(OutboxRow.candidate_pk == c.pk).order_by(OutboxRow.pk)
    if states is not None:
        query = query.where(OutboxRow.state.in_(list(states)))
    return list(c.conn.execute(query).all())


def outbox_row(c: Scoped, pk: int) -> Any:
    return c.conn.execute(sa.select(OutboxRow).where(*_outbox(c, pk))).first()


def outbox_for_action(c: Scoped, action: str) -> list[Any]:
    query = (
        sa.select(OutboxRow)
        .where(OutboxRow.candidate_pk == c.pk, OutboxRow.action == action)
        .order_by(OutboxRow.pk)
    )
    return list(c.conn.execute(query).all())


def last_sent_to(c: Scoped, opportunity_id: str, person_id: str) -> Any:
    """The newest message sent (or bounced) to a person: the thread a follow-up continues."""
    query = (
        sa.select(OutboxRow)
        .where(
            OutboxRow.candidate_pk == c.pk,
            OutboxRow.opportunity_id == opportunity_id,
            OutboxRow.person_id == person_id,
            OutboxRow.state.in_(["sent", "bounced"]),
        )
        .order_by(OutboxRow.pk.desc())
        .limit(1)
    )
    return c.conn.execute(query).first()


def sent_by_message_id(c: Scoped, message_ids: Iterable[str]) -> Any:
    """The first of our sent messages whose Message-ID is among ``message_ids``."""
    ids = [m for m in message_ids if m]
    if not ids:
        return None
    query = (
        sa.select(OutboxRow)
        .where(OutboxRow.candidate_pk == c.pk, OutboxRow.message_id.in_(ids))
        .order_by(OutboxRow.pk)
    )
    return c.conn.execute(query.limit(1)).first()


# -- sync position, inbound messages, bad addresses ----------------------------------------


def sync_position(c: Scoped, folder: str) -> tuple[int, int] | None:
    row = c.conn.execute(sa.select(MailSyncRow).where(*_folder(c, folder))).first()
    return None if row is None else (row.uidvalidity, row.last_uid)


def last_synced(c: Scoped, folder: str) -> datetime | None:
    query = sa.select(MailSyncRow.synced).where(*_folder(c, folder))
    value: datetime | None = c.conn.execute(query).scalar()
    return value


def save_sync_position(
    c: Scoped, folder: str, uidvalidity: int, last_uid: int, now: datetime
) -> None:
    c.conn.execute(sa.delete(MailSyncRow).where(*_folder(c, folder)))
    c.conn.execute(
        sa.insert(MailSyncRow).values(
            candidate_pk=c.pk, folder=folder, uidvalidity=uidvalidity, last_uid=last_uid, synced=now
        )
    )


def known_keys(c: Scoped, keys: Iterable[str]) -> set[str]:
    wanted = list(set(keys))
    if not wanted:
        return set()
    query = sa.select(InboundRow.key).where(
        InboundRow.candidate_pk == c.pk, InboundRow.key.in_(wanted)
    )
    return set(c.conn.execute(query).scalars())


def add_inbound(c: Scoped, values: dict[str, Any]) -> int:
    ours = values | {"candidate_pk": c.pk}
    result = c.conn.execute(sa.insert(InboundRow).values(ours).returning(InboundRow.pk))
    return int(result.scalar_one())


def inbound(c: Scoped, kind: str | None = None, status: str | None = None) -> list[Any]:
    query = sa.select(InboundRow).where(InboundRow.candidate_pk == c.pk).order_by(InboundRow.pk)
    if kind is not None:
        query = query.where(InboundRow.kind == kind)
    if status is not None:
        query = query.where(InboundRow.status == status)
    return list(c.conn.execute(query).all())


def inbound_row(c: Scoped, pk: int) -> Any:
    query = sa.select(InboundRow).where(InboundRow.candidate_pk == c.pk, InboundRow.pk == pk)
    return c.conn.execute(query).first()


def update_inbound(c: Scoped, pk: int, **values: Any) -> None:
    c.conn.execute(
        sa.update(InboundRow)
        .where(InboundRow.candidate_pk == c.pk, InboundRow.pk == pk)
        .values(values)
    )


def flag_bad_address(c: Scoped, address: str, reason: str, now: datetime) -> None:
    c.conn.execute(
        sa.delete(BadAddressRow).where(
            BadAddressRow.candidate_pk == c.pk, BadAddressRow.address == address.lower()
        )
    )
    c.conn.execute(
        sa.insert(BadAddressRow).values(
            candidate_pk=c.pk, address=address.lower(), reason=reason, flagged=now
        )
    )


def bad_addresses(c: Scoped) -> dict[str, str]:
    query = sa.select(BadAddressRow.address, BadAddressRow.reason).where(
        BadAddressRow.candidate_pk == c.pk
    )
    return {str(a): str(r) for a, r in c.conn.execute(query)}


# -- calendar ----------------------------------------------------------------------------


def calendar_items(c: Scoped) -> dict[str, tuple[str, int, datetime]]:
    """action id -> (fingerprint, sequence, last modified)."""
    query = sa.select(
        CalendarItemRow.action,
        CalendarItemRow.fingerprint,
        CalendarItemRow.sequence,
        CalendarItemRow.modified,
    ).where(CalendarItemRow.candidate_pk == c.pk)
    return {a: (f, s, m) for a, f, s, m in c.conn.execute(query)}


def save_calendar_items(
    c: Scoped, new: list[dict[str, Any]], changed: list[dict[str, Any]]
) -> None:
    if new:
        c.conn.execute(sa.insert(CalendarItemRow), [v | {"candidate_pk": c.pk} for v in new])
    for values in changed:
        c.conn.execute(
            sa.update(CalendarItemRow)
            .where(CalendarItemRow.candidate_pk == c.pk, CalendarItemRow.action == values["action"])
            .values(values)
        )


def active_token(c: Scoped) -> str | None:
    query = sa.select(CalendarTokenRow.token).where(
        CalendarTokenRow.candidate_pk == c.pk, CalendarTokenRow.revoked.is_(None)
    )
    return c.conn.execute(query.order_by(CalendarTokenRow.pk.desc()).limit(1)).scalar()


def revoke_tokens(c: Scoped, now: datetime) -> int:
    query = (
        sa.update(CalendarTokenRow)
        .where(CalendarTokenRow.candidate_pk == c.pk, CalendarTokenRow.revoked.is_(None))
        .values(revoked=now)
    )
    return int(c.conn.execute(query).rowcount)


def add_token(c: Scoped, token: str, now: datetime) -> None:
    c.conn.execute(
        sa.insert(CalendarTokenRow).values(
            candidate_pk=c.pk, token=token, created=now, revoked=None
        )
    )


def _outbox(c: Scoped, pk: int) -> list[Any]:
    return [OutboxRow.candidate_pk == c.pk, OutboxRow.pk == pk]


def _folder(c: Scoped, folder: str) -> list[Any]:
    return [MailSyncRow.candidate_pk == c.pk, MailSyncRow.folder == folder]
