"""evidence outlives accounts: deleted accounts stay as pseudonyms, evidence rows restrict
the deletion of a users row instead of cascading; the outbox of pictures to delete

Revision ID: 0015_evidence_outlives_accounts
Revises: 0014_identity
Create Date: 2026-11-29 09:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import trust_lesson.models.base

revision: str = "0015_evidence_outlives_accounts"
down_revision: str | None = "0014_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Evidence of attendance: a users row they name can no longer be deleted under them.
EVIDENCE_TABLES = (
    "presence_sessions",
    "challenges",
    "captures",
    "attendance_decisions",
    "certificates",
)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("deleted_at", trust_lesson.models.base.UTCDateTime(), nullable=True)
        )
    for table in EVIDENCE_TABLES:
        _user_key(table, ondelete="RESTRICT")
    op.create_table(
        "blob_deletions",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("requested_at", trust_lesson.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_blob_deletions")),
    )
    op.create_index(
        op.f("ix_blob_deletions_requested_at"), "blob_deletions", ["requested_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_blob_deletions_requested_at"), table_name="blob_deletions")
    op.drop_table("blob_deletions")
    for table in EVIDENCE_TABLES:
        _user_key(table, ondelete="CASCADE")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("deleted_at")


def _user_key(table: str, *, ondelete: str) -> None:
    """Re-create the table's foreign key to users with another ON DELETE (SQLite: the batch
    copies the table; env.py turns SQLite's foreign keys off while migrating, so the copy
    cascades nothing)."""
    name = f"fk_{table}_user_id_users"
    with op.batch_alter_table(table) as batch:
        batch.drop_constraint(name, type_="foreignkey")
        batch.create_foreign_key(name, "users", ["user_id"], ["id"], ondelete=ondelete)
