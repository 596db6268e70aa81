"""one active consent per person; enrolment selfies' perceptual hashes

Revision ID: 0013_consent_selfie_hashes
Revises: 0012_certificates
Create Date: 2026-11-29 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_consent_selfie_hashes"
down_revision: str | None = "0012_certificates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = sa.text("withdrawn_at IS NULL")


def upgrade() -> None:
    # Races of the past may have left two active consents: the newest stays active.
    op.execute(
        """
        UPDATE biometric_consents SET withdrawn_at = given_at
        WHERE withdrawn_at IS NULL AND EXISTS (
            SELECT 1 FROM biometric_consents AS newer
            WHERE newer.user_id = biometric_consents.user_id
              AND newer.withdrawn_at IS NULL AND newer.id > biometric_consents.id)
        """
    )
    op.create_index(
        "uq_biometric_consents_one_active",
        "biometric_consents",
        ["user_id"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )
    with op.batch_alter_table("face_templates") as batch:
        batch.add_column(sa.Column("source_phash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("face_templates") as batch:
        batch.drop_column("source_phash")
    op.drop_index("uq_biometric_consents_one_active", table_name="biometric_consents")
