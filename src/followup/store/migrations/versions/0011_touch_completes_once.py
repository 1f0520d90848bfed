"""A planned action is completed by one touch at most: a unique index says so in the store.

`followup done` already checks this inside a transaction that serialises the candidate's
writers; the index makes a second completing touch impossible whatever writes it. A database
that holds two touches completing one action (an import before the interchange refused it)
keeps the earliest as the one that completed it; the others stay, as touches logged by hand.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COMPLETING = "completes IS NOT NULL"


def upgrade() -> None:
    op.execute(
        sa.text(
            "UPDATE touch SET completes = NULL, completes_rule = NULL "
            "WHERE completes IS NOT NULL AND pk NOT IN ("
            "  SELECT min(pk) FROM touch WHERE completes IS NOT NULL"
            "  GROUP BY opportunity_pk, completes)"
        )
    )
    op.create_index(
        "uq_touch_completes",
        "touch",
        ["opportunity_pk", "completes"],
        unique=True,
        postgresql_where=sa.text(_COMPLETING),
        sqlite_where=sa.text(_COMPLETING),
    )


def downgrade() -> None:
    op.drop_index("uq_touch_completes", table_name="touch")
