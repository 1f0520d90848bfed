"""Access control of a server beyond this computer: its password and the API tokens.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_access",
        sa.Column("candidate_pk", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("session_key", sa.Text(), nullable=False),
        sa.Column("changed", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_pk"],
            ["candidate.pk"],
            name="fk_web_access_candidate_pk_candidate",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("candidate_pk", name="pk_web_access"),
    )
    op.create_table(
        "api_token",
        sa.Column("candidate_pk", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("token_hash", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_pk"],
            ["candidate.pk"],
            name="fk_api_token_candidate_pk_candidate",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("candidate_pk", "name", name="pk_api_token"),
        sa.UniqueConstraint("token_hash", name="uq_api_token_token_hash"),
    )


def downgrade() -> None:
    op.drop_table("api_token")
    op.drop_table("web_access")
