"""term certificates, the decisions stated and the signed document kept; the log's tree nodes;
the runs of the whole-log check

Revision ID: 0018_term_certificates_nodes
Revises: 0017_liveness
Create Date: 2026-11-29 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import trust_lesson.models.base

revision: str = "0018_term_certificates_nodes"
down_revision: str | None = "0017_liveness"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evidence_verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ran_at", trust_lesson.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("entries", sa.BigInteger(), nullable=False),
        sa.Column("checkpoints", sa.Integer(), nullable=False),
        sa.Column("problems", sa.Integer(), nullable=False),
        sa.Column("first_problem", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_verifications")),
    )
    op.create_index(op.f("ix_evidence_verifications_ran_at"), "evidence_verifications", ["ran_at"])
    op.create_table(
        "evidence_nodes",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("level", "position", name=op.f("pk_evidence_nodes")),
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("term_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("decisions", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("document", sa.Text(), nullable=True))
        batch_op.alter_column("lesson_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("decision_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f("ix_certificates_term_id"), ["term_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_certificates_term_id_terms"), "terms", ["term_id"], ["id"],
            ondelete="CASCADE",
        )  # fmt: skip
    op.execute("UPDATE certificates SET decisions = CAST(decision_id AS TEXT)")
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.alter_column("decisions", existing_type=sa.Text(), server_default=None)


def downgrade() -> None:
    op.drop_index(op.f("ix_evidence_verifications_ran_at"), table_name="evidence_verifications")
    op.drop_table("evidence_verifications")
    op.drop_table("evidence_nodes")
    op.execute("DELETE FROM certificates WHERE lesson_id IS NULL")
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_certificates_term_id_terms"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_certificates_term_id"))
        batch_op.alter_column("decision_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("lesson_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("document")
        batch_op.drop_column("decisions")
        batch_op.drop_column("term_id")
