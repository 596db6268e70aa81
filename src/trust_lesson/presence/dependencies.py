"""Typed dependencies of live presence: the lesson a student attends, with its course's policy.

A lesson outside the caller's sight -> 404 with no data; visible but the caller is not an
enrolled student of its term (e.g. its instructor) -> 403.
"""

from typing import Annotated

from fastapi import Depends

from trust_lesson.auth.dependencies import CurrentUser
from trust_lesson.deps import DbDep
from trust_lesson.lessons.dependencies import LessonId
from trust_lesson.presence.service import AttendedLesson, find_attended_lesson


async def attended_lesson(lesson_id: LessonId, caller: CurrentUser, db: DbDep) -> AttendedLesson:
    return await find_attended_lesson(db=db, caller=caller, lesson_id=lesson_id)


StudentLesson = Annotated[AttendedLesson, Depends(attended_lesson)]
