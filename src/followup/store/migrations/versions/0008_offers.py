"""Outcomes and offers: what a touch brought, and your answer to an offer.

- ``touch.outcome``: "offer", "rejected" or "withdrawn" when the touch brought an outcome (it
  set the opportunity's status); null for every other touch, as before.
- ``offer.decision`` and ``offer.decided``: "accepted" or "declined", and when you answered;
  both null while you hold the offer (every offer before this revision).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    ("touch", sa.Column("outcome", sa.Text(), nullable=True)),
    ("offer", sa.Column("decision", sa.Text(), nullable=True)),
    ("offer", sa.Column("decided", sa.DateTime(timezone=True), nullable=True)),
)


def upgrade() -> None:
    for table, column in _COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(column)


def downgrade() -> None:
    for table, column in reversed(_COLUMNS):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column.name)
