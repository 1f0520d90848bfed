"""Initial schema: the facts of a job search, the revision counter and the plan cache.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _opportunity_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["opportunity_pk"],
        ["opportunity.pk"],
        name=op.f(f"fk_{table}_opportunity_pk_opportunity"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    meta = op.create_table(
        "meta",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meta")),
    )
    op.bulk_insert(meta, [{"id": 1, "revision": 0}])
    op.create_table(
        "plan_cache",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_plan_cache")),
    )
    op.create_table(
        "profile",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("timezone", sa.Text(), nullable=False),
        sa.Column("country", sa.Text(), nullable=False),
        sa.Column("weekly_target", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profile")),
    )
    op.create_table(
        "opportunity",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("company", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("applied", sa.Date(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("has_decision", sa.Boolean(), nullable=False),
        sa.Column("decision_expected_by", sa.Text(), nullable=True),
        sa.Column("decision_process", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_opportunity")),
        sa.UniqueConstraint("id", name=op.f("uq_opportunity_id")),
    )
    op.create_table(
        "person",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("opportunity_pk", sa.Integer(), nullable=False),
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("has_vote", sa.Boolean(), nullable=False),
        sa.Column("is_key", sa.Boolean(), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("timezone", sa.Text(), nullable=True),
        _opportunity_fk("person"),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_person")),
        sa.UniqueConstraint("opportunity_pk", "id", name=op.f("uq_person_opportunity_pk_id")),
    )
    op.create_table(
        "interview",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("opportunity_pk", sa.Integer(), nullable=False),
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=True),
        sa.Column("next_step_what", sa.Text(), nullable=True),
        sa.Column("next_step_when", sa.Text(), nullable=True),
        sa.Column("next_step_who_pk", sa.Integer(), nullable=True),
        sa.Column("next_step_channel", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["next_step_who_pk"],
            ["person.pk"],
            name=op.f("fk_interview_next_step_who_pk_person"),
        ),
        _opportunity_fk("interview"),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_interview")),
        sa.UniqueConstraint("opportunity_pk", "id", name=op.f("uq_interview_opportunity_pk_id")),
    )
    op.create_index(
        op.f("ix_interview_next_step_who_pk"), "interview", ["next_step_who_pk"], unique=False
    )
    op.create_table(
        "interview_person",
        sa.Column("interview_pk", sa.Integer(), nullable=False),
        sa.Column("person_pk", sa.Integer(), nullable=False),
        sa.Column("with_position", sa.Integer(), nullable=True),
        sa.Column("note_position", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["interview_pk"],
            ["interview.pk"],
            name=op.f("fk_interview_person_interview_pk_interview"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_pk"],
            ["person.pk"],
            name=op.f("fk_interview_person_person_pk_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("interview_pk", "person_pk", name=op.f("pk_interview_person")),
    )
    op.create_index(
        op.f("ix_interview_person_person_pk"), "interview_person", ["person_pk"], unique=False
    )
    op.create_table(
        "touch",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("opportunity_pk", sa.Integer(), nullable=False),
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("person_pk", sa.Integer(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("direction", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("states_date", sa.Text(), nullable=True),
        _opportunity_fk("touch"),
        sa.ForeignKeyConstraint(
            ["person_pk"],
            ["person.pk"],
            name=op.f("fk_touch_person_pk_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_touch")),
        sa.UniqueConstraint("opportunity_pk", "id", name=op.f("uq_touch_opportunity_pk_id")),
    )
    op.create_index(op.f("ix_touch_person_pk"), "touch", ["person_pk"], unique=False)
    op.create_table(
        "offer",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("opportunity_pk", sa.Integer(), nullable=False),
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("received", sa.Text(), nullable=False),
        sa.Column("expires", sa.Text(), nullable=True),
        _opportunity_fk("offer"),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_offer")),
        sa.UniqueConstraint("opportunity_pk", "id", name=op.f("uq_offer_opportunity_pk_id")),
    )
    op.create_table(
        "achievement",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_achievement")),
        sa.UniqueConstraint("id", name=op.f("uq_achievement_id")),
    )
    op.create_table(
        "action_decision",
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("action", name=op.f("pk_action_decision")),
    )


def downgrade() -> None:
    for table in (
        "action_decision",
        "achievement",
        "offer",
        "touch",
        "interview_person",
        "interview",
        "person",
        "opportunity",
        "profile",
        "plan_cache",
        "meta",
    ):
        op.drop_table(table)
