"""What staff deletion must keep: attendance evidence, and the lessons, terms and courses it
names. One rule for deleting a lesson, a term or a course.

A lesson that was given (running or finished), or that any evidence row names (a student's
joining, a check, a capture, a decision, a certificate), is never deleted, nor its term or
course: 409, naming what is kept. Evidence is an append-only log's counterpart; deleting
its rows would leave log entries about lessons that no longer exist, and pictures on disk
that nothing points at. The database says the same (migration 0019: these rows RESTRICT
the deletion of their lesson and term), so no other path can cascade them away either.
"""

from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.errors import Conflict
from trust_lesson.models import (
    AttendanceDecision,
    Capture,
    Challenge,
    IssuedCertificate,
    Lesson,
    LessonStatus,
    PresenceSession,
)

GIVEN = (LessonStatus.RUNNING, LessonStatus.FINISHED)
EVIDENCE = (
    ("student joined", "students joined", PresenceSession),
    ("check", "checks", Challenge),
    ("capture", "captures", Capture),
    ("attendance decision", "attendance decisions", AttendanceDecision),
)


async def refuse_if_evidence(
    db: AsyncSession,
    *,
    what: str,
    lessons: Select[int],
    terms: Select[int] | None = None,
) -> None:
    """409 when a lesson among ``lessons`` was given or is named by evidence, or a
    certificate names one of them or one of ``terms``; ``what`` is what was to be deleted."""
    counts = [
        (
            one,
            many,
            await db.scalar(
                select(func.count()).select_from(table).where(table.lesson_id.in_(lessons))
            ),
        )
        for one, many, table in EVIDENCE
    ]
    named: ColumnElement[bool] = IssuedCertificate.lesson_id.in_(lessons)
    if terms is not None:
        named = named | IssuedCertificate.term_id.in_(terms)
    certificates = await db.scalar(select(func.count()).select_from(IssuedCertificate).where(named))
    counts.append(("certificate", "certificates", certificates))
    kept = [f"{n} {one if n == 1 else many}" for one, many, n in counts if n]
    if kept:
        raise Conflict(
            f"This {what} keeps attendance evidence ({', '.join(kept)}): it cannot be deleted."
        )
    given = exists().where(Lesson.id.in_(lessons), Lesson.status.in_(GIVEN))
    if await db.scalar(select(given)):
        was = "was" if what == "lesson" else "has lessons that were"
        raise Conflict(f"This {what} {was} given: it keeps the attendance records.")
