"""The server mode's sign-in, consent and audit: server_key, account_session,
account_token, account_link, consent, audit.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "server_key",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_server_key")),
    )
    op.create_table(
        "account_link",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("token_hash", sa.Text(), nullable=False),
        sa.Column("organisation_pk", sa.Integer(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_pk"],
            ["organisation.pk"],
            name=op.f("fk_account_link_organisation_pk_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_account_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_link_token_hash")),
    )
    with op.batch_alter_table("account_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_link_organisation_pk"), ["organisation_pk"], unique=False
        )

    op.create_table(
        "account_session",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("account_pk", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_pk"],
            ["account.pk"],
            name=op.f("fk_account_session_account_pk_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_account_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_session_token_hash")),
    )
    with op.batch_alter_table("account_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_session_account_pk"), ["account_pk"], unique=False
        )

    op.create_table(
        "account_token",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("account_pk", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("token_hash", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_pk"],
            ["account.pk"],
            name=op.f("fk_account_token_account_pk_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_account_token")),
        sa.UniqueConstraint("account_pk", "name", name=op.f("uq_account_token_account_pk_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_token_token_hash")),
    )
    op.create_table(
        "audit",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("candidate_pk", sa.Integer(), nullable=False),
        sa.Column("actor_pk", sa.Integer(), nullable=True),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_pk"],
            ["account.pk"],
            name=op.f("fk_audit_actor_pk_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["candidate_pk"],
            ["candidate.pk"],
            name=op.f("fk_audit_candidate_pk_candidate"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_audit")),
    )
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_actor_pk"), ["actor_pk"], unique=False)
        batch_op.create_index("ix_audit_candidate_at", ["candidate_pk", "at"], unique=False)

    op.create_table(
        "consent",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("candidate_pk", sa.Integer(), nullable=False),
        sa.Column("coach_pk", sa.Integer(), nullable=False),
        sa.Column("level", sa.Text(), nullable=False),
        sa.Column("granted", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["candidate_pk"],
            ["candidate.pk"],
            name=op.f("fk_consent_candidate_pk_candidate"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["coach_pk"],
            ["account.pk"],
            name=op.f("fk_consent_coach_pk_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_consent")),
    )
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_candidate_pk"), ["candidate_pk"], unique=False)
        batch_op.create_index(batch_op.f("ix_consent_coach_pk"), ["coach_pk"], unique=False)
        batch_op.create_index(
            "uq_consent_current",
            ["candidate_pk", "coach_pk"],
            unique=True,
            postgresql_where=sa.text("revoked IS NULL"),
            sqlite_where=sa.text("revoked IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_consent_current",
            postgresql_where=sa.text("revoked IS NULL"),
            sqlite_where=sa.text("revoked IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_consent_coach_pk"))
        batch_op.drop_index(batch_op.f("ix_consent_candidate_pk"))

    op.drop_table("consent")
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_candidate_at")
        batch_op.drop_index(batch_op.f("ix_audit_actor_pk"))

    op.drop_table("audit")
    op.drop_table("account_token")
    with op.batch_alter_table("account_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_session_account_pk"))

    op.drop_table("account_session")
    with op.batch_alter_table("account_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_link_organisation_pk"))

    op.drop_table("account_link")
    op.drop_table("server_key")
