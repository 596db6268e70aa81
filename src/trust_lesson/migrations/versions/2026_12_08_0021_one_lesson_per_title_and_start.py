"""one lesson per title and start in a term, held by the database: lessons.title_key (the
title as the rule compares it, case and spaces aside) and a unique constraint on (term_id,
title_key, start_date)

Existing rows get their key from `trust_lesson.models.lesson.title_key`, the function the
service keeps it with, so a stored key is what the service computes. (Changing that function
later needs a migration of its own that recomputes the keys.)

Rows that already repeat one another cannot all hold the same key under the constraint: the
same title and start in one term, planned by the form or the API (which did not check before
this revision) or by two imports racing. They are kept as they are, distinct lessons: a repeat
may already have a roster, attendance decisions, evidence and certificates, so nothing is
merged, deleted or retitled. The repeat with the lowest id keeps the plain key; every later
one gets its key followed by a line break and "repeat <its id>". A computed key never holds a
line break (white space is folded to one space), so no lesson planned later clashes with such
a key, while the plain key still refuses a new lesson of that title and start. Staff see the
repeats as before and may delete one, or change its title (which computes a plain key again,
refused while the first one is there).

Downgrade drops the constraint and the column; neither direction changes any other value.

Revision ID: 0021_one_lesson_per_title_start
Revises: 0020_attendance_appeals
Create Date: 2026-12-08 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from trust_lesson.models.lesson import title_key

revision: str = "0021_one_lesson_per_title_start"
down_revision: str | None = "0020_attendance_appeals"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = sa.String(length=640)
CONSTRAINT = "uq_lessons_term_id_title_key_start_date"
LESSONS = sa.table(
    "lessons",
    sa.column("id", sa.Integer),
    sa.column("term_id", sa.Integer),
    sa.column("title", sa.String),
    sa.column("start_date"),
    sa.column("title_key", sa.String),
)


def upgrade() -> None:
    with op.batch_alter_table("lessons") as batch:
        batch.add_column(sa.Column("title_key", KEY, nullable=True))
    _store_keys(op.get_bind())
    with op.batch_alter_table("lessons") as batch:
        batch.alter_column("title_key", existing_type=KEY, nullable=False)
        batch.create_unique_constraint(CONSTRAINT, ["term_id", "title_key", "start_date"])


def _store_keys(connection: sa.Connection) -> None:
    """Every lesson's key, oldest first; a repeat of an earlier one is marked with its id."""
    query = sa.select(LESSONS.c.id, LESSONS.c.term_id, LESSONS.c.title, LESSONS.c.start_date)
    seen: set[tuple[int, str, object]] = set()
    keys = []
    for lesson_id, term_id, title, start in connection.execute(query.order_by(LESSONS.c.id)):
        key = title_key(title)
        if (term_id, key, start) in seen:
            key = f"{key}\nrepeat {lesson_id}"
        seen.add((term_id, key, start))
        keys.append({"lesson_id": lesson_id, "key": key})
    if keys:
        statement = (
            sa.update(LESSONS)
            .where(LESSONS.c.id == sa.bindparam("lesson_id"))
            .values(title_key=sa.bindparam("key"))
        )
        connection.execute(statement, keys)


def downgrade() -> None:
    with op.batch_alter_table("lessons") as batch:
        batch.drop_constraint(CONSTRAINT, type_="unique")
        batch.drop_column("title_key")
