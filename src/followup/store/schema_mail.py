"""The tables of the calendar feed and the mailbox: stored beside the facts, not among them.

None of them is part of the interchange document, and an import (which replaces the facts)
keeps them. Writing them does not bump the revision unless a use case also writes a fact (a sent
message logs its touch in the same transaction). Passwords are never stored here: they come from
the environment or the system keyring.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from followup.store.coltypes import JSONList, UTCDateTime
from followup.store.schema import Base, candidate_column, candidate_key


class MailSettingsRow(Base):
    """A single row (id 1): where to send from and read replies from. No password."""

    __tablename__ = "mail_settings"
    candidate_pk: Mapped[int] = candidate_key()
    from_address: Mapped[str | None] = mapped_column(Text)
    from_name: Mapped[str | None] = mapped_column(Text)
    smtp_host: Mapped[str | None] = mapped_column(Text)
    smtp_port: Mapped[int | None] = mapped_column(Integer)
    smtp_security: Mapped[str | None] = mapped_column(Text)  # starttls | tls | none
    smtp_user: Mapped[str | None] = mapped_column(Text)
    imap_host: Mapped[str | None] = mapped_column(Text)
    imap_port: Mapped[int | None] = mapped_column(Integer)
    imap_security: Mapped[str | None] = mapped_column(Text)
    imap_user: Mapped[str | None] = mapped_column(Text)
    imap_folder: Mapped[str | None] = mapped_column(Text)
    sent_folder: Mapped[str | None] = mapped_column(Text)


class OutboxRow(Base):
    """One outgoing message, committed before the SMTP conversation starts.

    ``state``: ``sending`` (committed, fate unknown until the SMTP server answers), ``sent``,
    ``failed`` (the server refused it: certainly not sent), ``unknown`` (the user must check),
    ``bounced`` (sent, then returned by the recipient's server).
    """

    __tablename__ = "outbox"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_pk: Mapped[int] = candidate_column()
    message_id: Mapped[str] = mapped_column(Text, unique=True)
    action: Mapped[str] = mapped_column(Text, index=True)
    opportunity_id: Mapped[str] = mapped_column(Text)
    person_id: Mapped[str] = mapped_column(Text)
    to_address: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)
    refs: Mapped[tuple[str, ...]] = mapped_column(JSONList)  # the thread (References)
    state: Mapped[str] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(UTCDateTime)
    finished: Mapped[datetime | None] = mapped_column(UTCDateTime)
    detail: Mapped[str | None] = mapped_column(Text)
    touch_id: Mapped[str | None] = mapped_column(Text)


class MailSyncRow(Base):
    """How far `followup mail sync` has read a folder: valid only for one UIDVALIDITY."""

    __tablename__ = "mail_sync"
    candidate_pk: Mapped[int] = candidate_key()
    folder: Mapped[str] = mapped_column(Text, primary_key=True)
    # IMAP numbers are unsigned 32-bit: beyond PostgreSQL's INTEGER.
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger)
    synced: Mapped[datetime] = mapped_column(UTCDateTime)


class InboundRow(Base):
    """A message read by `followup mail sync` and what became of it.

    ``kind``: reply | auto-reply | bounce | review | ignored. ``status`` matters for review
    entries: pending | confirmed | dismissed. ``key`` deduplicates (the Message-ID, else the
    folder, UIDVALIDITY and UID), so a rescan never logs a reply twice.
    """

    __tablename__ = "mail_inbound"
    __table_args__ = (UniqueConstraint("candidate_pk", "key"),)
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_pk: Mapped[int] = mapped_column(ForeignKey("candidate.pk", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(Text)
    received: Mapped[datetime] = mapped_column(UTCDateTime)
    from_address: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)
    snippet: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)
    opportunity_id: Mapped[str | None] = mapped_column(Text)
    person_id: Mapped[str | None] = mapped_column(Text)
    touch_id: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(Text)


class BadAddressRow(Base):
    """An address a delivery status notification said is undeliverable."""

    __tablename__ = "mail_bad_address"
    candidate_pk: Mapped[int] = candidate_key()
    address: Mapped[str] = mapped_column(Text, primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    flagged: Mapped[datetime] = mapped_column(UTCDateTime)


class CalendarTokenRow(Base):
    """The secret of the live calendar feed URL; a revoked token opens nothing."""

    __tablename__ = "calendar_token"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_pk: Mapped[int] = candidate_column()
    token: Mapped[str] = mapped_column(Text, unique=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CalendarItemRow(Base):
    """What a calendar was last given for an action, so a change bumps SEQUENCE."""

    __tablename__ = "calendar_item"
    __table_args__ = (UniqueConstraint("candidate_pk", "action"),)
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_pk: Mapped[int] = mapped_column(ForeignKey("candidate.pk", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(Text)
    sequence: Mapped[int] = mapped_column(Integer)
    modified: Mapped[datetime] = mapped_column(UTCDateTime)
