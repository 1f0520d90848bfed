"""The server's own outbox (server_mail), candidates' sealed mail passwords (mail_secret) and
their last mail sync's outcome (mail_sync_outcome),
account.notices (reminder and digest e-mails on or off), and an index for the last touch out.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mail_secret",
        sa.Column("candidate_pk", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_pk"],
            ["candidate.pk"],
            name=op.f("fk_mail_secret_candidate_pk_candidate"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("candidate_pk", "kind", name=op.f("pk_mail_secret")),
    )
    op.create_table(
        "mail_sync_outcome",
        sa.Column("candidate_pk", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_pk"],
            ["candidate.pk"],
            name=op.f("fk_mail_sync_outcome_candidate_pk_candidate"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("candidate_pk", name=op.f("pk_mail_sync_outcome")),
    )
    op.create_table(
        "server_mail",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("account_pk", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.Text(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_pk"],
            ["account.pk"],
            name=op.f("fk_server_mail_account_pk_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_server_mail")),
        sa.UniqueConstraint("key", name=op.f("uq_server_mail_key")),
    )
    with op.batch_alter_table("server_mail", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_server_mail_account_pk"), ["account_pk"], unique=False)

    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notices", sa.Text(), server_default="on", nullable=False))

    with op.batch_alter_table("touch", schema=None) as batch_op:
        batch_op.create_index(
            "ix_touch_candidate_out_at",
            ["candidate_pk", "at"],
            unique=False,
            postgresql_where=sa.text("direction = 'out'"),
            sqlite_where=sa.text("direction = 'out'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("touch", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_touch_candidate_out_at",
            postgresql_where=sa.text("direction = 'out'"),
            sqlite_where=sa.text("direction = 'out'"),
        )

    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_column("notices")

    with op.batch_alter_table("server_mail", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_server_mail_account_pk"))

    op.drop_table("server_mail")
    op.drop_table("mail_secret")
    op.drop_table("mail_sync_outcome")
