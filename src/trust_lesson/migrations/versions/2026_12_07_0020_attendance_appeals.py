"""attendance appeals: a student's appeal of a decision (one per decision), answered by a
reviewer of the lesson with an outcome and a reply

Revision ID: 0020_attendance_appeals
Revises: 0019_evidence_outlives_lessons
Create Date: 2026-12-07 13:33:29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import trust_lesson.models.base

revision: str = "0020_attendance_appeals"
down_revision: str | None = "0019_evidence_outlives_lessons"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attendance_appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("filed_at", trust_lesson.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum("UPHELD", "GRANTED", name="appealoutcome", native_enum=False, length=16),
            nullable=True,
        ),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column(
            "answered_at", trust_lesson.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["answered_by"],
            ["users.id"],
            name=op.f("fk_attendance_appeals_answered_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["attendance_decisions.id"],
            name=op.f("fk_attendance_appeals_decision_id_attendance_decisions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["lesson_id"],
            ["lessons.id"],
            name=op.f("fk_attendance_appeals_lesson_id_lessons"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_attendance_appeals_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_appeals")),
        sa.UniqueConstraint("decision_id", name=op.f("uq_attendance_appeals_decision_id")),
    )
    with op.batch_alter_table("attendance_appeals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attendance_appeals_lesson_id"), ["lesson_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_attendance_appeals_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("attendance_appeals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_appeals_user_id"))
        batch_op.drop_index(batch_op.f("ix_attendance_appeals_lesson_id"))

    op.drop_table("attendance_appeals")
