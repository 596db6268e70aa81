"""evidence log

Revision ID: 0011_evidence_log
Revises: 0010_meeting_url
Create Date: 2026-11-29 04:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import trust_lesson.models.base

revision: str = "0011_evidence_log"
down_revision: str | None = "0010_meeting_url"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evidence_log_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_log_head")),
    )
    op.create_table(
        "evidence_entries",
        sa.Column("index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column(
            "recorded_at", trust_lesson.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("entry", sa.Text(), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("index", name=op.f("pk_evidence_entries")),
    )
    op.create_index(op.f("ix_evidence_entries_kind"), "evidence_entries", ["kind"], unique=False)
    op.create_table(
        "evidence_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root", sa.LargeBinary(length=32), nullable=False),
        sa.Column("peaks", sa.LargeBinary(), nullable=False),
        sa.Column("key_id", sa.String(length=8), nullable=False),
        sa.Column("signed_at", trust_lesson.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_checkpoints")),
    )
    op.create_index(
        op.f("ix_evidence_checkpoints_size"), "evidence_checkpoints", ["size"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_evidence_checkpoints_size"), table_name="evidence_checkpoints")
    op.drop_table("evidence_checkpoints")
    op.drop_index(op.f("ix_evidence_entries_kind"), table_name="evidence_entries")
    op.drop_table("evidence_entries")
    op.drop_table("evidence_log_head")
