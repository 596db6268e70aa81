"""A course's attendance policy: stored as JSON on the course, the defaults when none is set."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.models import Course, Lesson, Term
from trust_lesson.presence.policy import AttendancePolicy


def course_policy(course: Course) -> AttendancePolicy:
    return AttendancePolicy.from_stored(course.policy, course_id=course.id)


async def lesson_policy(*, db: AsyncSession, lesson: Lesson) -> AttendancePolicy:
    """The policy of the course the lesson belongs to."""
    query = (
        select(Course.id, Course.policy)
        .join(Term, Term.course_id == Course.id)
        .where(Term.id == lesson.term_id)
    )
    course_id, stored = (await db.execute(query)).one()
    return AttendancePolicy.from_stored(stored, course_id=course_id)


async def set_policy(
    *, db: AsyncSession, course: Course, policy: AttendancePolicy | None
) -> AttendancePolicy:
    """Store the course's policy (every field, so later default changes do not alter it)."""
    course.policy = None if policy is None else policy.model_dump(mode="json")
    await db.flush()
    return course_policy(course)
