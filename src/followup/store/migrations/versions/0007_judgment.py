"""What a coach's judgment needs stored: who acts on a named date, when an opportunity was
recorded, and two planned-action fields (when an action counts as missed, and whether another
action or a touch replaced it).

- ``touch.acts`` and ``interview.next_step_acts``: "you" (call me back on that date) or "they"
  (we decide by that date); null is "you", as before.
- ``opportunity.recorded_at``: when the opportunity was first recorded (null for older rows),
  so that an application without an ``applied`` date counts in the week it was recorded.
- ``planned_action.missed_ts``: the moment an open action becomes missed (its window's end plus
  some working days, in the contact's calendar); ``planned_action.replaced``: done by another
  action's touch or by theirs (the reason's values say which). Old plans are re-planned anyway:
  the planner version changes with this release.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS: tuple[tuple[str, sa.Column[object]], ...] = (
    ("touch", sa.Column("acts", sa.Text(), nullable=True)),
    ("interview", sa.Column("next_step_acts", sa.Text(), nullable=True)),
    ("opportunity", sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True)),
    ("planned_action", sa.Column("missed_ts", sa.Double(), nullable=True)),
    (
        "planned_action",
        sa.Column("replaced", sa.Boolean(), nullable=False, server_default=sa.text("false")),
    ),
)


_OPEN = "done_at IS NULL AND NOT skipped"


def _open_index(columns: list[str]) -> None:
    op.create_index(
        "ix_planned_action_open",
        "planned_action",
        columns,
        unique=False,
        postgresql_where=sa.text(_OPEN),
        sqlite_where=sa.text(_OPEN),
    )


def upgrade() -> None:
    for table, column in _COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(column)
    # overdue and missed are told apart by `missed_ts`: in the index, so counting reads no row
    op.drop_index("ix_planned_action_open", table_name="planned_action")
    _open_index(["candidate_pk", "end_ts", "snoozed_until", "missed_ts"])


def downgrade() -> None:
    op.drop_index("ix_planned_action_open", table_name="planned_action")
    _open_index(["candidate_pk", "end_ts", "snoozed_until"])
    for table, column in reversed(_COLUMNS):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column.name)
