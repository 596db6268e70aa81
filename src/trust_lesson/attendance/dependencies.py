"""Typed dependencies of attendance: who may see a lesson's presence, review, set a policy.

Students are refused first (403) on staff routes; anything outside the caller's courses is
not found (404, no data); seen but not managed (a student's own course) is forbidden (403).
"""

from typing import Annotated

from fastapi import Depends

from trust_lesson.attendance import appeals, reviews
from trust_lesson.auth.dependencies import CurrentUser, StaffUser
from trust_lesson.courses.dependencies import ManagedCourse
from trust_lesson.deps import DbDep, RowIdPath
from trust_lesson.errors import Forbidden
from trust_lesson.lessons import service as lessons
from trust_lesson.lessons.dependencies import LessonId
from trust_lesson.models import AttendanceAppeal, AttendanceDecision, Capture, Course, Lesson

CaptureId = RowIdPath
STAFF_ONLY = "Only the course's instructors and administrators may see this."


async def staffed_lesson(lesson_id: LessonId, caller: StaffUser, db: DbDep) -> Lesson:
    """A lesson of a course the caller teaches or administers."""
    lesson, managed = await lessons.find(db=db, caller=caller, lesson_id=lesson_id)
    if not managed:
        raise Forbidden(STAFF_ONLY)
    return lesson


class AttendanceScope:
    """The lesson, and whose decisions the caller may read: everybody's, or only their own."""

    def __init__(self, lesson: Lesson, only_user_id: int | None) -> None:
        self.lesson = lesson
        self.only_user_id = only_user_id


async def attendance_scope(lesson_id: LessonId, caller: CurrentUser, db: DbDep) -> AttendanceScope:
    lesson, managed = await lessons.find(db=db, caller=caller, lesson_id=lesson_id)
    return AttendanceScope(lesson, None if managed else caller.id)


async def reviewable_capture(
    capture_id: CaptureId, caller: StaffUser, db: DbDep
) -> tuple[Capture, Lesson]:
    return await reviews.find_capture(db=db, caller=caller, capture_id=capture_id)


async def own_decision(
    decision_id: RowIdPath, caller: CurrentUser, db: DbDep
) -> AttendanceDecision:
    """One of the caller's own decisions (another's is not found: no leak)."""
    return await appeals.own_decision(db=db, caller=caller, decision_id=decision_id)


async def answerable_appeal(appeal_id: RowIdPath, caller: StaffUser, db: DbDep) -> AttendanceAppeal:
    """An appeal of a lesson whose captures the caller reviews."""
    return await appeals.answerable(db=db, caller=caller, appeal_id=appeal_id)


def policy_course(caller: StaffUser, course: ManagedCourse) -> Course:
    """A course whose policy the caller may change (its instructors, administrators)."""
    return course


StaffedLesson = Annotated[Lesson, Depends(staffed_lesson)]
ScopedAttendance = Annotated[AttendanceScope, Depends(attendance_scope)]
ReviewableCapture = Annotated[tuple[Capture, Lesson], Depends(reviewable_capture)]
OwnDecision = Annotated[AttendanceDecision, Depends(own_decision)]
AnswerableAppeal = Annotated[AttendanceAppeal, Depends(answerable_appeal)]
PolicyCourse = Annotated[Course, Depends(policy_course)]
