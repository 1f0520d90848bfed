"""The tables: one row per fact, lists kept in the order they were given.

Every fact belongs to a candidate (``candidate_pk``): a workspace is one candidate's rows. The
local app has one implicit candidate; a coach's server holds many. Opportunity and achievement
ids are unique per candidate; ids of people, interviews, touches and offers are unique *within*
their opportunity (two companies may each have a "dana"), so those tables use a surrogate
integer key plus ``UNIQUE(opportunity_pk, id)``. Every list has a ``position`` column, so
loading and exporting are deterministic. A foreign key column that does not lead an index gets
one of its own: PostgreSQL looks up references on every delete.

``candidate.revision`` counts the candidate's committed writes; ``opportunity.fact_revision``
counts the writes that changed what that opportunity's plan reads. ``planned_action`` holds
each opportunity's plan as raw values, and ``opportunity_plan`` says which fact revision,
playbook and planner version it was made from.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from followup.store.coltypes import DayOrMoment, JSONList, UTCDateTime

#: Stable constraint names, so batch migrations on SQLite can find and alter them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

_OPPORTUNITY_FK = "opportunity.pk"
_CANDIDATE_FK = "candidate.pk"
#: a planned action still to do (its snooze aside)
_OPEN = "done_at IS NULL AND NOT skipped"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class CandidateRow(Base):
    """A job seeker: whose facts a row is. ``revision`` counts their committed writes."""

    __tablename__ = "candidate"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    id: Mapped[str] = mapped_column(Text, unique=True)
    revision: Mapped[int] = mapped_column(Integer)
    #: set when every opportunity was planned with this playbook (its source's checksum and its
    #: hash) and planner version, and cleared when a write plans with another: while set, a
    #: reader can trust the stored plan without checking each opportunity
    plan_source: Mapped[str | None] = mapped_column(Text)
    plan_playbook: Mapped[str | None] = mapped_column(Text)
    plan_planner: Mapped[str | None] = mapped_column(Text)


def candidate_column() -> Mapped[int]:
    """Whose row this is (indexed: a candidate's rows are found, and deleted, by it)."""
    return mapped_column(ForeignKey(_CANDIDATE_FK, ondelete="CASCADE"), index=True)


def candidate_key() -> Mapped[int]:
    """Whose row this is, leading the primary key."""
    return mapped_column(ForeignKey(_CANDIDATE_FK, ondelete="CASCADE"), primary_key=True)


class ProfileRow(Base):
    """The candidate's own settings: one row per candidate."""

    __tablename__ = "profile"
    candidate_pk: Mapped[int] = mapped_column(
        ForeignKey(_CANDIDATE_FK, ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(Text)
    country: Mapped[str] = mapped_column(Text)
    weekly_target: Mapped[int | None] = mapped_column(Integer)


class OpportunityRow(Base):
    __tablename__ = "opportunity"
    __table_args__ = (UniqueConstraint("candidate_pk", "id"),)
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_pk: Mapped[int] = mapped_column(ForeignKey(_CANDIDATE_FK, ondelete="CASCADE"))
    id: Mapped[str] = mapped_column(Text)
    #: bumped by every write that changes what this opportunity's plan reads
    fact_revision: Mapped[int] = mapped_column(Integer, default=0)
    position: Mapped[int] = mapped_column(Integer)
    company: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(Text)
    applied: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    rank: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(Text)
    # The employer's decision: ``has_decision`` tells "no decision known" from an empty one.
    has_decision: Mapped[bool]
    decision_expected_by: Mapped[date | None] = mapped_column(DayOrMoment)
    decision_process: Mapped[str | None] = mapped_column(Text)
    #: when the opportunity was first recorded (null for rows older than migration 0007)
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PersonRow(Base):
    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("opportunity_pk", "id"),)
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_pk: Mapped[int] = candidate_column()
    opportunity_pk: Mapped[int] = mapped_column(ForeignKey(_OPPORTUNITY_FK, ondelete="CASCADE"))
    id: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(Text)
    has_vote: Mapped[bool]
    is_key: Mapped[bool]
    email: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(Text)
    timezone: Mapped[str | None] = mapped_column(Text)
    #: what the drafts should mention to them (``Person.topics``)
    topics: Mapped[tuple[str, ...]] = mapped_column(JSONList, server_default="[]")


class InterviewRow(Base):
    """An interview and the next step agreed in it (``next_step_*``, all null when none)."""

    __tablename__ = "interview"
    __table_args__ = (UniqueConstraint("opportunity_pk", "id"),)
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_pk: Mapped[int] = candidate_column()
    opportunity_pk: Mapped[int] = mapped_column(ForeignKey(_OPPORTUNITY_FK, ondelete="CASCADE"))
    id: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str | None] = mapped_column(Text)
    next_step_what: Mapped[str | None] = mapped_column(Text)
    next_step_when: Mapped[date | None] = mapped_column(DayOrMoment)
    next_step_who_pk: Mapped[int | None] = mapped_column(ForeignKey("person.pk"), index=True)
    next_step_channel: Mapped[str | None] = mapped_column(Text)
    next_step_acts: Mapped[str | None] = mapped_column(Text)  # who acts on the date: you | they


class InterviewPersonRow(Base):
    """A person in an interview: in its ``with`` list (``with_position``), with a note, or both.

    The two positions keep the order of the ``with`` list and of the notes as given.
    """

    __tablename__ = "interview_person"
    interview_pk: Mapped[int] = mapped_column(
        ForeignKey("interview.pk", ondelete="CASCADE"), primary_key=True
    )
    person_pk: Mapped[int] = mapped_column(
        ForeignKey("person.pk", ondelete="CASCADE"), primary_key=True, index=True
    )
    with_position: Mapped[int | None] = mapped_column(Integer)
    note_position: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)


class TouchRow(Base):
    __tablename__ = "touch"
    __table_args__ = (
        UniqueConstraint("opportunity_pk", "id"),
        # an action is completed by one touch at most (`followup done` twice at once)
        Index(
            "uq_touch_completes",
            "opportunity_pk",
            "completes",
            unique=True,
            postgresql_where=text("completes IS NOT NULL"),
            sqlite_where=text("completes IS NOT NULL"),
        ),
        # the caseload's "last touch to an employer" per candidate, without reading them all
        Index(
            "ix_touch_candidate_out_at",
            "candidate_pk",
            "at",
            postgresql_where=text("direction = 'out'"),
            sqlite_where=text("direction = 'out'"),
        ),
    )
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_pk: Mapped[int] = candidate_column()
    opportunity_pk: Mapped[int] = mapped_column(ForeignKey(_OPPORTUNITY_FK, ondelete="CASCADE"))
    id: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    person_pk: Mapped[int] = mapped_column(ForeignKey("person.pk", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(Text)
    direction: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    states_date: Mapped[date | None] = mapped_column(DayOrMoment)
    acts: Mapped[str | None] = mapped_column(Text)  # who acts on ``states_date``: you | they
    #: the planned action this touch completed, and its rule (None: logged by hand)
    completes: Mapped[str | None] = mapped_column(Text)
    completes_rule: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)  # offer | rejected | withdrawn


class OfferRow(Base):
    __tablename__ = "offer"
    __table_args__ = (UniqueConstraint("opportunity_pk", "id"),)
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_pk: Mapped[int] = candidate_column()
    opportunity_pk: Mapped[int] = mapped_column(ForeignKey(_OPPORTUNITY_FK, ondelete="CASCADE"))
    id: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    received: Mapped[date] = mapped_column(DayOrMoment)
    expires: Mapped[date | None] = mapped_column(DayOrMoment)
    #: your answer (accepted | declined) and when you gave it; both null while you hold it
    decision: Mapped[str | None] = mapped_column(Text)
    decided: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AchievementRow(Base):
    __tablename__ = "achievement"
    __table_args__ = (UniqueConstraint("candidate_pk", "id"),)
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_pk: Mapped[int] = mapped_column(ForeignKey(_CANDIDATE_FK, ondelete="CASCADE"))
    id: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    at: Mapped[date] = mapped_column(DayOrMoment)
    kind: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    tags: Mapped[tuple[str, ...]] = mapped_column(JSONList)


class ActionDecisionRow(Base):
    """The user's word on a planned action, keyed by the action's stable id."""

    __tablename__ = "action_decision"
    candidate_pk: Mapped[int] = mapped_column(
        ForeignKey(_CANDIDATE_FK, ondelete="CASCADE"), primary_key=True
    )
    action: Mapped[str] = mapped_column(Text, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(Text)
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OpportunityPlanRow(Base):
    """What an opportunity's stored plan was made from; it is current while all three match."""

    __tablename__ = "opportunity_plan"
    opportunity_pk: Mapped[int] = mapped_column(
        ForeignKey(_OPPORTUNITY_FK, ondelete="CASCADE"), primary_key=True
    )
    fact_revision: Mapped[int] = mapped_column(Integer)
    playbook: Mapped[str] = mapped_column(Text)  # the playbook's hash
    planner: Mapped[str] = mapped_column(Text)  # format, package, holidays and tzdata versions


class PlannedActionRow(Base):
    """One action of an opportunity's stored plan: raw values only (no text is stored; the
    reason is a key and its values, put in words when shown). Windows are ``[start, end)`` in
    UTC epoch seconds; the user's decision on the action is copied in, so that reading the
    plan needs no join."""

    __tablename__ = "planned_action"
    __table_args__ = (
        # `followup today`: the open actions of a candidate by the end of their window
        # (overdue, due) and by its start (opening soon); the snooze is in both, so that
        # counting them never reads the table
        Index(
            "ix_planned_action_open",
            "candidate_pk",
            "end_ts",
            "snoozed_until",
            "missed_ts",
            postgresql_where=text(_OPEN),
            sqlite_where=text(_OPEN),
        ),
        Index(
            "ix_planned_action_opens",
            "candidate_pk",
            "start_ts",
            "snoozed_until",
            postgresql_where=text(_OPEN),
            sqlite_where=text(_OPEN),
        ),
    )
    candidate_pk: Mapped[int] = mapped_column(
        ForeignKey(_CANDIDATE_FK, ondelete="CASCADE"), primary_key=True
    )
    action: Mapped[str] = mapped_column(Text, primary_key=True)
    opportunity_pk: Mapped[int] = mapped_column(
        ForeignKey(_OPPORTUNITY_FK, ondelete="CASCADE"), index=True
    )
    rule: Mapped[str] = mapped_column(Text)
    person: Mapped[str | None] = mapped_column(Text)  # the person's id in the opportunity
    channel: Mapped[str | None] = mapped_column(Text)
    start_ts: Mapped[float] = mapped_column(Double)
    end_ts: Mapped[float] = mapped_column(Double)
    anchor: Mapped[str] = mapped_column(Text)
    host: Mapped[str | None] = mapped_column(Text)  # the action whose touch carries this one
    done_at: Mapped[float | None] = mapped_column(Double)
    skipped: Mapped[bool] = mapped_column(Boolean)
    snoozed_until: Mapped[float | None] = mapped_column(Double)
    #: when the action, still open, becomes missed (a few working days after its window)
    missed_ts: Mapped[float | None] = mapped_column(Double)
    #: done by another action's touch, or by theirs (``params`` says which), not by its own
    replaced: Mapped[bool] = mapped_column(Boolean, server_default=text("false"), default=False)
    why: Mapped[str] = mapped_column(Text)  # the reason's key
    params: Mapped[str] = mapped_column(Text)  # the reason's raw values, as JSON


class JournalRow(Base):
    """One committed write of a candidate's facts (``store.journal``): the parts it changed,
    as JSON, before and after; ``undone`` while it is undone (and could be redone)."""

    __tablename__ = "journal"
    candidate_pk: Mapped[int] = candidate_key()
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    label: Mapped[str] = mapped_column(Text)  # the command: "touch add acme"
    summary: Mapped[str] = mapped_column(Text)  # what changed, as a JSON list of lines
    before: Mapped[str] = mapped_column(Text)
    after: Mapped[str] = mapped_column(Text)
    undone: Mapped[bool] = mapped_column(Boolean)


class ArticleRow(Base):
    """An article on the reading list (not part of the interchange document)."""

    __tablename__ = "article"
    __table_args__ = (UniqueConstraint("candidate_pk", "url"),)
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_pk: Mapped[int] = mapped_column(ForeignKey(_CANDIDATE_FK, ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    tags: Mapped[tuple[str, ...]] = mapped_column(JSONList)
    source: Mapped[str | None] = mapped_column(Text)
    added: Mapped[datetime] = mapped_column(UTCDateTime)


class DraftEditRow(Base):
    """The user's own text of an action's draft (`followup draft --edit`), by stable action id."""

    __tablename__ = "draft_edit"
    candidate_pk: Mapped[int] = candidate_key()
    action: Mapped[str] = mapped_column(Text, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    edited: Mapped[datetime] = mapped_column(UTCDateTime)


class WebAccessRow(Base):
    """Who may use a server that listens beyond this computer (`followup access`): the argon2
    hash of the password, and the key that signs its session cookies (new with each password,
    so setting one ends every session)."""

    __tablename__ = "web_access"
    candidate_pk: Mapped[int] = candidate_key()
    password_hash: Mapped[str] = mapped_column(Text)
    session_key: Mapped[str] = mapped_column(Text)
    changed: Mapped[datetime] = mapped_column(UTCDateTime)


class ApiTokenRow(Base):
    """A named key for scripts to call /api (`followup access token`): only its SHA-256."""

    __tablename__ = "api_token"
    candidate_pk: Mapped[int] = candidate_key()
    name: Mapped[str] = mapped_column(Text, primary_key=True)
    token_hash: Mapped[str] = mapped_column(Text, unique=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime)


class HolidayRow(Base):
    """A cache of reference data, shared by every candidate: one country's public holidays in
    one year, as the ``holidays`` library of that version computes them (ISO days, JSON). A
    write plans with these instead of importing the library (~100 ms); a new version of the
    library starts afresh (``planver.holidays_version``)."""

    __tablename__ = "holiday"
    version: Mapped[str] = mapped_column(Text, primary_key=True)
    country: Mapped[str] = mapped_column(Text, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    days: Mapped[str] = mapped_column(Text)


class OrganisationRow(Base):
    """The server mode: an outplacement firm, a coaching practice (its accounts share it)."""

    __tablename__ = "organisation"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    id: Mapped[str] = mapped_column(Text, unique=True)  # "acme-outplacement"
    created: Mapped[datetime] = mapped_column(UTCDateTime)


class AccountRow(Base):
    """The server mode: who signs in, in which organisation, as what (``server.accounts``).
    A candidate's account owns a workspace (``candidate_pk``); coaches and admins have none."""

    __tablename__ = "account"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_pk: Mapped[int] = mapped_column(
        ForeignKey("organisation.pk", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(Text, unique=True)  # normalised, lower-case domain
    role: Mapped[str] = mapped_column(Text)  # candidate | coach | admin
    password_hash: Mapped[str] = mapped_column(Text)  # argon2id
    candidate_pk: Mapped[int | None] = mapped_column(
        ForeignKey(_CANDIDATE_FK, ondelete="SET NULL"), unique=True
    )
    created: Mapped[datetime] = mapped_column(UTCDateTime)
    # e-mails the server sends on its own: a candidate's morning reminder, a coach's weekly
    # digest (``server.notices``); "on" or "off"
    notices: Mapped[str] = mapped_column(Text, server_default="on")


class ServerKeyRow(Base):
    """The server mode: a secret every web process shares (``server.auth.server_secret``):
    it signs the forms' CSRF tokens, so a form made by one process is accepted by another."""

    __tablename__ = "server_key"
    name: Mapped[str] = mapped_column(Text, primary_key=True)
    value: Mapped[str] = mapped_column(Text)  # hex


class AccountSessionRow(Base):
    """The server mode: a signed-in browser. The cookie holds a random token; only its
    SHA-256 is kept, so a copy of the database signs no one in."""

    __tablename__ = "account_session"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_pk: Mapped[int] = mapped_column(
        ForeignKey("account.pk", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(Text, unique=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime)
    expires: Mapped[datetime] = mapped_column(UTCDateTime)


class AccountTokenRow(Base):
    """The server mode: an API token of one account (``Authorization: Bearer``), by name."""

    __tablename__ = "account_token"
    __table_args__ = (UniqueConstraint("account_pk", "name"),)
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_pk: Mapped[int] = mapped_column(ForeignKey("account.pk", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(Text)
    token_hash: Mapped[str] = mapped_column(Text, unique=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AccountLinkRow(Base):
    """The server mode: a link sent to someone, used once before it expires: an invitation
    to open an account (``kind`` "invite", with its organisation and role) or a password
    reset ("reset", for the account of ``email``). Only the token's SHA-256 is kept."""

    __tablename__ = "account_link"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(Text)  # invite | reset
    token_hash: Mapped[str] = mapped_column(Text, unique=True)
    organisation_pk: Mapped[int] = mapped_column(
        ForeignKey("organisation.pk", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(UTCDateTime)
    expires: Mapped[datetime] = mapped_column(UTCDateTime)
    used: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ConsentRow(Base):
    """The server mode: what a candidate lets one coach see and do (``server.consent``):
    overview, full or act. Revoking sets ``revoked``; the row stays, as the record of it."""

    __tablename__ = "consent"
    __table_args__ = (
        # one grant in force per candidate and coach
        Index(
            "uq_consent_current",
            "candidate_pk",
            "coach_pk",
            unique=True,
            postgresql_where=text("revoked IS NULL"),
            sqlite_where=text("revoked IS NULL"),
        ),
    )
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_pk: Mapped[int] = candidate_column()
    coach_pk: Mapped[int] = mapped_column(ForeignKey("account.pk", ondelete="CASCADE"), index=True)
    level: Mapped[str] = mapped_column(Text)  # overview | full | act
    granted: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditRow(Base):
    """The server mode: a coach's read of, or write to, a candidate's data; the candidate sees
    these. ``actor`` keeps the coach's address even after their account is gone."""

    __tablename__ = "audit"
    __table_args__ = (Index("ix_audit_candidate_at", "candidate_pk", "at"),)
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_pk: Mapped[int] = mapped_column(ForeignKey(_CANDIDATE_FK, ondelete="CASCADE"))
    actor_pk: Mapped[int | None] = mapped_column(
        ForeignKey("account.pk", ondelete="SET NULL"), index=True
    )
    actor: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(Text)  # read | write
    what: Mapped[str] = mapped_column(Text)  # the page or API route, as its template


class ServerMailRow(Base):
    """The server mode's outbox: a message the server itself sends (``server.notices``), a
    password-reset link, a candidate's morning reminder, a coach's weekly digest. The row is
    committed by what decides to send it; a worker's job sends it afterwards, at most once
    (``sending`` after a crash is never sent again by itself). ``key`` names the occasion
    ("reminder:ACCOUNT:DAY"), so two workers deciding the same thing make one row. The body is
    rendered when sent and kept, except a link's (only its hash is ever stored)."""

    __tablename__ = "server_mail"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(Text, unique=True)
    kind: Mapped[str] = mapped_column(Text)  # reset | reminder | digest
    account_pk: Mapped[int | None] = mapped_column(
        ForeignKey("account.pk", ondelete="CASCADE"), index=True
    )
    recipient: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(Text)  # queued | sending | sent | failed | unknown
    created: Mapped[datetime] = mapped_column(UTCDateTime)
    finished: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)


class MailSecretRow(Base):
    """The server mode: a candidate's mail server password (``kind`` smtp or imap), sealed
    with the key in ``FOLLOWUP_SECRET_KEY`` (never in the database), so each candidate's
    mail can be synced by a worker. A copy of the database reveals no password."""

    __tablename__ = "mail_secret"
    candidate_pk: Mapped[int] = candidate_key()
    kind: Mapped[str] = mapped_column(Text, primary_key=True)
    sealed: Mapped[str] = mapped_column(Text)


class MailSyncOutcomeRow(Base):
    """The server mode: how a candidate's last mail sync ended (``server.mailbox.Outcome`` as
    JSON: when, whether it read, what it said), shown to them on /account/mail."""

    __tablename__ = "mail_sync_outcome"
    candidate_pk: Mapped[int] = candidate_key()
    outcome: Mapped[str] = mapped_column(Text)


# The calendar and mail tables join the same metadata (migrations, checks) from their own module.
from followup.store import schema_mail as _schema_mail  # noqa: E402, F401
