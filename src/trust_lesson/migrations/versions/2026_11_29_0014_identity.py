"""identity: records (every change a row), verifications against a document, reviews

Revision ID: 0014_identity
Revises: 0013_consent_selfie_hashes
Create Date: 2026-11-29 08:44:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import trust_lesson.models.base

revision: str = "0014_identity"
down_revision: str | None = "0013_consent_selfie_hashes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "identity_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("document_number", sa.String(length=64), nullable=False),
        sa.Column(
            "document_type",
            sa.Enum(
                "IDENTITY_CARD",
                "DRIVER_LICENSE",
                "PASSPORT",
                "OTHER",
                name="documenttype",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("parent_full_name", sa.String(length=200), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("issue_date", sa.Date(), nullable=True),
        sa.Column("expiry_date", sa.Date(), nullable=True),
        sa.Column("issuing_authority", sa.String(length=200), nullable=True),
        sa.Column("country", sa.String(length=3), nullable=True),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "changed_at", trust_lesson.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["users.id"],
            name=op.f("fk_identity_records_changed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_identity_records_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_records")),
    )
    with op.batch_alter_table("identity_records", schema=None) as batch_op:
        batch_op.create_index("ix_identity_records_current", ["user_id", "id"], unique=False)

    op.create_table(
        "identity_verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "PENDING",
                "VERIFIED",
                "NEEDS_REVIEW",
                "REJECTED",
                name="verificationstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "machine_status",
            sa.Enum(
                "PENDING",
                "VERIFIED",
                "NEEDS_REVIEW",
                "REJECTED",
                name="verificationstatus",
                native_enum=False,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("not_match_fields", sa.JSON(), nullable=False),
        sa.Column("not_found_fields", sa.JSON(), nullable=False),
        sa.Column("portrait_similarity", sa.Float(), nullable=True),
        sa.Column("portrait_embedding", sa.LargeBinary(), nullable=True),
        sa.Column("document_key", sa.String(length=200), nullable=True),
        sa.Column("document_back_key", sa.String(length=200), nullable=True),
        sa.Column("selfie_key", sa.String(length=200), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", trust_lesson.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "analyzed_at", trust_lesson.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("decided_at", trust_lesson.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["identity_records.id"],
            name=op.f("fk_identity_verifications_record_id_identity_records"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_identity_verifications_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_verifications")),
    )
    with op.batch_alter_table("identity_verifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_verifications_status"), ["status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_identity_verifications_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "identity_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("verification_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column(
            "decision",
            sa.Enum(
                "PENDING",
                "VERIFIED",
                "NEEDS_REVIEW",
                "REJECTED",
                name="verificationstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "created_at", trust_lesson.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["users.id"],
            name=op.f("fk_identity_reviews_reviewer_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["verification_id"],
            ["identity_verifications.id"],
            name=op.f("fk_identity_reviews_verification_id_identity_verifications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_reviews")),
    )
    with op.batch_alter_table("identity_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_reviews_verification_id"), ["verification_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("identity_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_reviews_verification_id"))

    op.drop_table("identity_reviews")
    with op.batch_alter_table("identity_verifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_verifications_user_id"))
        batch_op.drop_index(batch_op.f("ix_identity_verifications_status"))

    op.drop_table("identity_verifications")
    with op.batch_alter_table("identity_records", schema=None) as batch_op:
        batch_op.drop_index("ix_identity_records_current")

    op.drop_table("identity_records")
