"""Per-candidate workspaces and plans stored per opportunity.

Every fact table gains ``candidate_pk``; what a database held until now becomes the facts of
one candidate, ``me`` (the local app's implicit candidate), whose revision continues the old
global counter. Opportunities gain a ``fact_revision``; touches record the action they
completed. The plan cache of whole plans (``plan_cache``, ``meta``) gives way to
``planned_action`` and ``opportunity_plan``, which start empty: the first read plans every
opportunity once.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: the tables inside an opportunity: a candidate column, an index and a foreign key each
_CHILDREN = ("person", "interview", "touch", "offer")
_OPEN = "done_at IS NULL AND NOT skipped"


def _candidate_column() -> sa.Column[int]:
    return sa.Column("candidate_pk", sa.Integer(), nullable=True)


def _fk(table: str) -> str:
    return f"fk_{table}_candidate_pk_candidate"


def upgrade() -> None:
    op.create_table(
        "candidate",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("plan_source", sa.Text(), nullable=True),
        sa.Column("plan_playbook", sa.Text(), nullable=True),
        sa.Column("plan_planner", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_candidate")),
        sa.UniqueConstraint("id", name=op.f("uq_candidate_id")),
    )
    conn = op.get_bind()
    old_revision = conn.execute(sa.text("SELECT max(revision) FROM meta")).scalar() or 0
    conn.execute(
        sa.text("INSERT INTO candidate (pk, id, revision) VALUES (1, 'me', :r)"),
        {"r": old_revision},
    )
    if conn.dialect.name == "postgresql":  # the next candidate must not collide with pk 1
        conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('candidate', 'pk'), 1, true)"))

    for table in ("profile", "opportunity", "achievement", "action_decision", *_CHILDREN):
        with op.batch_alter_table(table) as batch:
            batch.add_column(_candidate_column())
        op.execute(f"UPDATE {table} SET candidate_pk = 1")

    with op.batch_alter_table("profile") as batch:
        batch.drop_constraint("pk_profile", type_="primary")
        batch.drop_column("id")
        batch.alter_column("candidate_pk", existing_type=sa.Integer(), nullable=False)
        batch.create_primary_key("pk_profile", ["candidate_pk"])
        batch.create_foreign_key(
            _fk("profile"), "candidate", ["candidate_pk"], ["pk"], ondelete="CASCADE"
        )
    with op.batch_alter_table("action_decision") as batch:
        batch.drop_constraint("pk_action_decision", type_="primary")
        batch.alter_column("candidate_pk", existing_type=sa.Integer(), nullable=False)
        batch.create_primary_key("pk_action_decision", ["candidate_pk", "action"])
        batch.create_foreign_key(
            _fk("action_decision"), "candidate", ["candidate_pk"], ["pk"], ondelete="CASCADE"
        )
    for table in ("opportunity", "achievement"):
        with op.batch_alter_table(table) as batch:
            batch.alter_column("candidate_pk", existing_type=sa.Integer(), nullable=False)
            batch.drop_constraint(f"uq_{table}_id", type_="unique")
            batch.create_unique_constraint(f"uq_{table}_candidate_pk_id", ["candidate_pk", "id"])
            batch.create_foreign_key(
                _fk(table), "candidate", ["candidate_pk"], ["pk"], ondelete="CASCADE"
            )
    with op.batch_alter_table("opportunity") as batch:
        batch.add_column(
            sa.Column("fact_revision", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("opportunity") as batch:
        batch.alter_column("fact_revision", existing_type=sa.Integer(), server_default=None)
    for table in _CHILDREN:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("candidate_pk", existing_type=sa.Integer(), nullable=False)
            batch.create_index(f"ix_{table}_candidate_pk", ["candidate_pk"])
            batch.create_foreign_key(
                _fk(table), "candidate", ["candidate_pk"], ["pk"], ondelete="CASCADE"
            )
    with op.batch_alter_table("touch") as batch:
        batch.add_column(sa.Column("completes", sa.Text(), nullable=True))
        batch.add_column(sa.Column("completes_rule", sa.Text(), nullable=True))

    op.drop_table("plan_cache")
    op.drop_table("meta")
    op.create_table(
        "opportunity_plan",
        sa.Column("opportunity_pk", sa.Integer(), nullable=False),
        sa.Column("fact_revision", sa.Integer(), nullable=False),
        sa.Column("playbook", sa.Text(), nullable=False),
        sa.Column("planner", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["opportunity_pk"],
            ["opportunity.pk"],
            name=op.f("fk_opportunity_plan_opportunity_pk_opportunity"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("opportunity_pk", name=op.f("pk_opportunity_plan")),
    )
    op.create_table(
        "planned_action",
        sa.Column("candidate_pk", sa.Integer(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("opportunity_pk", sa.Integer(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("person", sa.Text(), nullable=True),
        sa.Column("channel", sa.Text(), nullable=True),
        sa.Column("start_ts", sa.Double(), nullable=False),
        sa.Column("end_ts", sa.Double(), nullable=False),
        sa.Column("anchor", sa.Text(), nullable=False),
        sa.Column("host", sa.Text(), nullable=True),
        sa.Column("done_at", sa.Double(), nullable=True),
        sa.Column("skipped", sa.Boolean(), nullable=False),
        sa.Column("snoozed_until", sa.Double(), nullable=True),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_pk"],
            ["candidate.pk"],
            name=op.f("fk_planned_action_candidate_pk_candidate"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_pk"],
            ["opportunity.pk"],
            name=op.f("fk_planned_action_opportunity_pk_opportunity"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("candidate_pk", "action", name=op.f("pk_planned_action")),
    )
    op.create_index(
        "ix_planned_action_opportunity_pk", "planned_action", ["opportunity_pk"], unique=False
    )
    op.create_index(
        "ix_planned_action_open",
        "planned_action",
        ["candidate_pk", "end_ts"],
        unique=False,
        postgresql_where=sa.text(_OPEN),
        sqlite_where=sa.text(_OPEN),
    )


def downgrade() -> None:
    """Back to one implicit job search: only the first candidate's facts are kept."""
    op.drop_index("ix_planned_action_open", table_name="planned_action")
    op.drop_index("ix_planned_action_opportunity_pk", table_name="planned_action")
    op.drop_table("planned_action")
    op.drop_table("opportunity_plan")
    op.create_table(
        "meta",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meta")),
    )
    op.create_table(
        "plan_cache",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_plan_cache")),
    )
    conn = op.get_bind()
    first = conn.execute(sa.text("SELECT min(pk) FROM candidate")).scalar()
    revision_now = 0
    if first is not None:
        revision_now = conn.execute(
            sa.text("SELECT revision FROM candidate WHERE pk = :pk"), {"pk": first}
        ).scalar_one()
        for table in ("action_decision", "achievement", "profile", "opportunity"):
            conn.execute(sa.text(f"DELETE FROM {table} WHERE candidate_pk != :pk"), {"pk": first})
    conn.execute(sa.text("INSERT INTO meta (id, revision) VALUES (1, :r)"), {"r": revision_now})

    with op.batch_alter_table("touch") as batch:
        batch.drop_column("completes_rule")
        batch.drop_column("completes")
    for table in _CHILDREN:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(_fk(table), type_="foreignkey")
            batch.drop_index(f"ix_{table}_candidate_pk")
            batch.drop_column("candidate_pk")
    with op.batch_alter_table("opportunity") as batch:
        batch.drop_column("fact_revision")
    for table in ("opportunity", "achievement"):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(_fk(table), type_="foreignkey")
            batch.drop_constraint(f"uq_{table}_candidate_pk_id", type_="unique")
            batch.create_unique_constraint(f"uq_{table}_id", ["id"])
            batch.drop_column("candidate_pk")
    with op.batch_alter_table("action_decision") as batch:
        batch.drop_constraint(_fk("action_decision"), type_="foreignkey")
        batch.drop_constraint("pk_action_decision", type_="primary")
        batch.create_primary_key("pk_action_decision", ["action"])
        batch.drop_column("candidate_pk")
    with op.batch_alter_table("profile") as batch:
        batch.add_column(sa.Column("id", sa.Integer(), nullable=True))
    op.execute("UPDATE profile SET id = 1")
    with op.batch_alter_table("profile") as batch:
        batch.drop_constraint(_fk("profile"), type_="foreignkey")
        batch.drop_constraint("pk_profile", type_="primary")
        batch.alter_column("id", existing_type=sa.Integer(), nullable=False)
        batch.create_primary_key("pk_profile", ["id"])
        batch.drop_column("candidate_pk")
    op.drop_table("candidate")
