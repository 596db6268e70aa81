"""attendance decisions record their path: BIOMETRIC, NON_BIOMETRIC or INSTRUCTOR (R24)

Revision ID: 0016_attendance_path
Revises: 0015_evidence_outlives_accounts
Create Date: 2026-11-29 09:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_attendance_path"
down_revision: str | None = "0015_evidence_outlives_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PATH = sa.Enum(
    "BIOMETRIC", "NON_BIOMETRIC", "INSTRUCTOR", name="attendancepath", native_enum=False, length=16
)


def upgrade() -> None:
    with op.batch_alter_table("attendance_decisions") as batch:
        batch.add_column(sa.Column("path", PATH, nullable=False, server_default="NON_BIOMETRIC"))
    # Earlier decisions: biometric when a face of one of the student's pictures was analysed.
    op.execute(
        """
        UPDATE attendance_decisions SET path = 'BIOMETRIC'
        WHERE EXISTS (
            SELECT 1 FROM captures
            WHERE captures.lesson_id = attendance_decisions.lesson_id
              AND captures.user_id = attendance_decisions.user_id
              AND captures.faces IS NOT NULL)
        """
    )
    with op.batch_alter_table("attendance_decisions") as batch:
        batch.alter_column("path", server_default=None, existing_type=PATH)


def downgrade() -> None:
    with op.batch_alter_table("attendance_decisions") as batch:
        batch.drop_column("path")
