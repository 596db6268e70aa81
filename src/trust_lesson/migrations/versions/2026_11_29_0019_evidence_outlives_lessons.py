"""evidence outlives lessons: evidence rows restrict the deletion of the lesson (and the
term) they name instead of cascading, as 0015 did for accounts

Revision ID: 0019_evidence_outlives_lessons
Revises: 0018_term_certificates_nodes
Create Date: 2026-11-29 12:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019_evidence_outlives_lessons"
down_revision: str | None = "0018_term_certificates_nodes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, referred table): evidence of attendance and what it names.
EVIDENCE_KEYS = (
    ("presence_sessions", "lesson_id", "lessons"),
    ("challenges", "lesson_id", "lessons"),
    ("captures", "lesson_id", "lessons"),
    ("attendance_decisions", "lesson_id", "lessons"),
    ("certificates", "lesson_id", "lessons"),
    ("certificates", "term_id", "terms"),
)


def upgrade() -> None:
    for table, column, referred in EVIDENCE_KEYS:
        _key(table, column, referred, ondelete="RESTRICT")


def downgrade() -> None:
    for table, column, referred in EVIDENCE_KEYS:
        _key(table, column, referred, ondelete="CASCADE")


def _key(table: str, column: str, referred: str, *, ondelete: str) -> None:
    """Re-create the foreign key with another ON DELETE (SQLite: the batch copies the table;
    env.py turns SQLite's foreign keys off while migrating, so the copy cascades nothing)."""
    name = f"fk_{table}_{column}_{referred}"
    with op.batch_alter_table(table) as batch:
        batch.drop_constraint(name, type_="foreignkey")
        batch.create_foreign_key(name, referred, [column], ["id"], ondelete=ondelete)
