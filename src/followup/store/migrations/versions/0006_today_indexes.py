"""Indexes that answer `followup today` from the index alone, whatever the size of the plan.

The open actions by the end of their window (overdue, due) and by its start (opening soon),
each with the snooze, so that counting them never reads the table.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = "done_at IS NULL AND NOT skipped"


def _index(name: str, columns: list[str]) -> None:
    op.create_index(
        name,
        "planned_action",
        columns,
        unique=False,
        postgresql_where=sa.text(_OPEN),
        sqlite_where=sa.text(_OPEN),
    )


def upgrade() -> None:
    op.drop_index("ix_planned_action_open", table_name="planned_action")
    _index("ix_planned_action_open", ["candidate_pk", "end_ts", "snoozed_until"])
    _index("ix_planned_action_opens", ["candidate_pk", "start_ts", "snoozed_until"])


def downgrade() -> None:
    op.drop_index("ix_planned_action_opens", table_name="planned_action")
    op.drop_index("ix_planned_action_open", table_name="planned_action")
    _index("ix_planned_action_open", ["candidate_pk", "end_ts"])
