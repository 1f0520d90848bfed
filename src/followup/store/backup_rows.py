"""Every row of one candidate that a backup holds, read and written on one connection.

`snapshot` opens one read transaction (SQLite: one ``BEGIN`` on one connection, so every
``SELECT`` sees the same committed state; PostgreSQL: ``REPEATABLE READ``), in which `load_facts`
and `read_side` read the facts and every table kept beside them: the whole backup is one
consistent state while others write. `write_side` replaces those tables on the connection of an
open unit of work (`mail_rows.connection_of`), so a restore's facts and side tables commit
together or not at all.

Surrogate keys are not kept: rows are written back in their stored order and numbered again
(on a server they are shared by every candidate). Derived tables (stored plans) are not here:
the unit of work plans again before it commits. The web session key is not here either: it is
a secret, and a fresh one is made on restore (signing every session out).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from followup.store.schema import (
    AchievementRow,
    ApiTokenRow,
    ArticleRow,
    DraftEditRow,
    JournalRow,
    OpportunityRow,
    WebAccessRow,
)
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

#: A table's rows as plain column values (datetimes aware, in UTC).
Rows = list[dict[str, Any]]

#: part name -> (row type, the columns kept, the stored order). The order of the dict is the
#: order rows are written back in (no foreign keys between them).
SIDE: Final[dict[str, tuple[Any, tuple[str, ...], tuple[Any, ...]]]] = {
    "articles": (
        ArticleRow,
        ("url", "title", "summary", "tags", "source", "added"),
        (ArticleRow.pk,),
    ),
    "drafts": (DraftEditRow, ("action", "text", "edited"), (DraftEditRow.action,)),
    "mail_settings": (
        MailSettingsRow,
        tuple(c.name for c in MailSettingsRow.__table__.columns if c.name != "candidate_pk"),
        (),
    ),
    "mail_sync": (
        MailSyncRow,
        ("folder", "uidvalidity", "last_uid", "synced"),
        (MailSyncRow.folder,),
    ),
    "inbound": (
        InboundRow,
        (
            "key",
            "received",
            "from_address",
            "subject",
            "snippet",
            "kind",
            "status",
            "opportunity_id",
            "person_id",
            "touch_id",
            "detail",
        ),
        (InboundRow.pk,),
    ),
    "bad_addresses": (
        BadAddressRow,
        ("address", "reason", "flagged"),
        (BadAddressRow.address,),
    ),
    "outbox": (
        OutboxRow,
        (
            "message_id",
            "action",
            "opportunity_id",
            "person_id",
            "to_address",
            "subject",
            "body",
            "raw",
            "refs",
            "state",
            "created",
            "finished",
            "detail",
            "touch_id",
        ),
        (OutboxRow.pk,),
    ),
    "calendar_tokens": (
        CalendarTokenRow,
        ("token", "created", "revoked"),
        (CalendarTokenRow.pk,),
    ),
    "calendar_items": (
        CalendarItemRow,
        ("action", "fingerprint", "sequence", "modified"),
        (CalendarItemRow.action,),
    ),
    "password": (WebAccessRow, ("password_hash", "changed"), ()),
    "api_tokens": (ApiTokenRow, ("name", "token_hash", "created"), (ApiTokenRow.name,)),
    "journal": (
        JournalRow,
        ("seq", "at", "label", "summary", "before", "after", "undone"),
        (JournalRow.seq,),
    ),
}


@contextmanager
def snapshot(store: Store, candidate_pk: int) -> Iterator[Connection]:
    """One read transaction: everything read through the connection is one committed state."""
    with store._transaction("read", write=False) as conn:  # part of the store package
        yield conn


def read_side(conn: Connection, candidate_pk: int) -> dict[str, Rows]:
    """Every side table's rows of the candidate (see ``SIDE``), in stored order."""
    found: dict[str, Rows] = {}
    for part, (row_type, columns, order) in SIDE.items():
        query = (
            sa.select(*(getattr(row_type, c) for c in columns))
            .where(row_type.candidate_pk == candidate_pk)
            .order_by(*order)
        )
        found[part] = [dict(row._mapping) for row in conn.execute(query)]
    return found


def holdings(conn: Connection, candidate_pk: int) -> dict[str, int]:
    """What the candidate has stored that a restore would replace: name -> how many (only
    the names with any). The profile and the journal alone do not count."""
    counted: dict[str, Any] = {
        "opportunity": OpportunityRow,
        "achievement": AchievementRow,
        "article": ArticleRow,
        "edited draft": DraftEditRow,
        "outbox message": OutboxRow,
        "received message": InboundRow,
        "calendar token": CalendarTokenRow,
        "API token": ApiTokenRow,
        "web password": WebAccessRow,
        "mail setting": MailSettingsRow,
    }
    found = {}
    for name, row_type in counted.items():
        query = sa.select(sa.func.count()).where(row_type.candidate_pk == candidate_pk)
        number = int(conn.execute(query).scalar_one())
        if number:
            found[name] = number
    return found


def write_side(
    conn: Connection, candidate_pk: int, side: dict[str, Rows], session_key: str
) -> None:
    """Replace every side table's rows of the candidate by ``side`` (checked by the caller;
    a part not given is emptied). The password row gets ``session_key``."""
    for part, (row_type, columns, _order) in SIDE.items():
        conn.execute(sa.delete(row_type).where(row_type.candidate_pk == candidate_pk))
        values = [
            {c: row.get(c) for c in columns} | {"candidate_pk": candidate_pk}
            for row in side.get(part, [])
        ]
        if row_type is WebAccessRow:
            values = [v | {"session_key": session_key} for v in values]
        if values:
            conn.execute(sa.insert(row_type), values)
