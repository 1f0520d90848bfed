"""The reading list, draft edits, mail and calendar tables belong to a candidate too.

What they held becomes the local candidate's (pk 1, created by 0004). Keys that were unique in
the whole database become unique per candidate (an article's URL, a draft edit's action, a sync
folder, a bounced address, a calendar item); Message-IDs and feed tokens stay unique everywhere.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: table -> (its old key: "pk" for a primary key, "uq" for a unique constraint; its columns)
_REKEYED = {
    "article": ("uq", ("url",)),
    "draft_edit": ("pk", ("action",)),
    "mail_settings": ("pk", ("id",)),
    "mail_sync": ("pk", ("folder",)),
    "mail_inbound": ("uq", ("key",)),
    "mail_bad_address": ("pk", ("address",)),
    "calendar_item": ("uq", ("action",)),
}
_INDEXED = ("outbox", "calendar_token")


def _fk(table: str) -> str:
    return f"fk_{table}_candidate_pk_candidate"


def _uq(table: str, columns: Sequence[str]) -> str:
    return f"uq_{table}_{'_'.join(columns)}"


def upgrade() -> None:
    for table in (*_REKEYED, *_INDEXED):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("candidate_pk", sa.Integer(), nullable=True))
        op.execute(f"UPDATE {table} SET candidate_pk = 1")
    for table, (kind, columns) in _REKEYED.items():
        with op.batch_alter_table(table) as batch:
            batch.alter_column("candidate_pk", existing_type=sa.Integer(), nullable=False)
            if kind == "pk":
                batch.drop_constraint(f"pk_{table}", type_="primary")
                if columns == ("id",):  # mail settings: one row per candidate
                    batch.drop_column("id")
                    batch.create_primary_key(f"pk_{table}", ["candidate_pk"])
                else:
                    batch.create_primary_key(f"pk_{table}", ["candidate_pk", *columns])
            else:
                batch.drop_constraint(_uq(table, columns), type_="unique")
                batch.create_unique_constraint(
                    _uq(table, ("candidate_pk", *columns)), ["candidate_pk", *columns]
                )
            batch.create_foreign_key(
                _fk(table), "candidate", ["candidate_pk"], ["pk"], ondelete="CASCADE"
            )
    for table in _INDEXED:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("candidate_pk", existing_type=sa.Integer(), nullable=False)
            batch.create_index(f"ix_{table}_candidate_pk", ["candidate_pk"])
            batch.create_foreign_key(
                _fk(table), "candidate", ["candidate_pk"], ["pk"], ondelete="CASCADE"
            )


def downgrade() -> None:
    """Back to one implicit candidate: only the first candidate's rows are kept."""
    conn = op.get_bind()
    first = conn.execute(sa.text("SELECT min(pk) FROM candidate")).scalar()
    for table in (*_REKEYED, *_INDEXED):
        conn.execute(sa.text(f"DELETE FROM {table} WHERE candidate_pk != :pk"), {"pk": first or 0})
    for table in _INDEXED:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(_fk(table), type_="foreignkey")
            batch.drop_index(f"ix_{table}_candidate_pk")
            batch.drop_column("candidate_pk")
    for table, (kind, columns) in _REKEYED.items():
        if columns == ("id",):
            with op.batch_alter_table(table) as batch:
                batch.add_column(sa.Column("id", sa.Integer(), nullable=True))
            op.execute(f"UPDATE {table} SET id = 1")
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(_fk(table), type_="foreignkey")
            if kind == "pk":
                batch.drop_constraint(f"pk_{table}", type_="primary")
                if columns == ("id",):
                    batch.alter_column("id", existing_type=sa.Integer(), nullable=False)
                batch.create_primary_key(f"pk_{table}", list(columns))
            else:
                batch.drop_constraint(_uq(table, ("candidate_pk", *columns)), type_="unique")
                batch.create_unique_constraint(_uq(table, columns), list(columns))
            batch.drop_column("candidate_pk")
