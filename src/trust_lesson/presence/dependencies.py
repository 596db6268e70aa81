"""Typed dependencies of live presence: the lesson a student attends, with its course's policy.

A lesson outside the caller's sight -> 404 with no data; visible but the caller is not an
enrolled student of its term (e.g. its instructor) -> 403.
"""

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.auth.dependencies import CurrentUser
from trust_lesson.deps import DbDep
from trust_lesson.errors import Forbidden
from trust_lesson.lessons import service as lessons
from trust_lesson.lessons.dependencies import LessonId
from trust_lesson.models import Course, Lesson, MemberRole, Term, TermMember, User
from trust_lesson.presence.policy import AttendancePolicy


@dataclass(frozen=True)
class AttendedLesson:
    """A lesson the caller attends as an enrolled student, and the policy that checks them."""

    lesson: Lesson
    policy: AttendancePolicy


def course_policy(stored: dict[str, Any] | None) -> AttendancePolicy:
    """The course's policy (JSON on the course), or PRODUCT.md's defaults when none is set."""
    return AttendancePolicy() if stored is None else AttendancePolicy.model_validate(stored)


async def find_attended_lesson(*, db: AsyncSession, caller: User, lesson_id: int) -> AttendedLesson:
    """One query: the lesson with its course's policy, if the caller is a student of its term."""
    query = (
        select(Lesson, Course.policy)
        .join(Term, Term.id == Lesson.term_id)
        .join(Course, Course.id == Term.course_id)
        .join(TermMember, TermMember.term_id == Term.id)
        .where(
            Lesson.id == lesson_id,
            TermMember.user_id == caller.id,
            TermMember.role == MemberRole.STUDENT,
        )
    )
    row = (await db.execute(query)).first()
    if row is None:
        await lessons.find(db=db, caller=caller, lesson_id=lesson_id)  # 404 when out of sight
        raise Forbidden("Only the term's enrolled students take part in a lesson.")
    return AttendedLesson(lesson=row[0], policy=course_policy(row[1]))


async def attended_lesson(lesson_id: LessonId, caller: CurrentUser, db: DbDep) -> AttendedLesson:
    return await find_attended_lesson(db=db, caller=caller, lesson_id=lesson_id)


StudentLesson = Annotated[AttendedLesson, Depends(attended_lesson)]
