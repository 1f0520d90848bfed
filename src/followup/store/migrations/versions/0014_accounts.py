"""The server mode's organisations and accounts: ``organisation``, ``account``.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organisation",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_organisation")),
        sa.UniqueConstraint("id", name=op.f("uq_organisation_id")),
    )
    op.create_table(
        "account",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("organisation_pk", sa.Integer(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("candidate_pk", sa.Integer(), nullable=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_pk"],
            ["candidate.pk"],
            name=op.f("fk_account_candidate_pk_candidate"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_pk"],
            ["organisation.pk"],
            name=op.f("fk_account_organisation_pk_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_account")),
        sa.UniqueConstraint("candidate_pk", name=op.f("uq_account_candidate_pk")),
        sa.UniqueConstraint("email", name=op.f("uq_account_email")),
    )
    op.create_index(
        op.f("ix_account_organisation_pk"), "account", ["organisation_pk"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_account_organisation_pk"), table_name="account")
    op.drop_table("account")
    op.drop_table("organisation")
