"""liveness checks: the side a challenge asks to turn to, a burst's frames

Revision ID: 0017_liveness
Revises: 0016_attendance_path
Create Date: 2026-11-29 09:10:00

The new verdict LIVENESS_FAILED needs no change to the verdict columns: every enum of the
schema is stored as VARCHAR(16) without a CHECK constraint or a native type, on SQLite and
PostgreSQL alike (``native_enum=False`` in 0002), and the name has 15 characters.
tests/migrations/test_migrations.py holds every enum value to its column's length.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_liveness"
down_revision: str | None = "0016_attendance_path"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("challenges") as batch:
        batch.add_column(
            sa.Column(
                "liveness",
                sa.Enum("LEFT", "RIGHT", name="turndirection", native_enum=False, length=16),
                nullable=True,
            )
        )
    with op.batch_alter_table("captures") as batch:
        batch.add_column(sa.Column("frame_keys", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("captures") as batch:
        batch.drop_column("frame_keys")
    with op.batch_alter_table("challenges") as batch:
        batch.drop_column("liveness")
