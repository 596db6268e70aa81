"""Typed dependencies that load a lesson through a query scoped to the caller.

Out of the caller's sight -> 404 with no data; visible but not theirs -> 403.
"""

from typing import Annotated

from fastapi import Depends

from trust_lesson.auth.dependencies import CurrentUser
from trust_lesson.deps import DbDep, RowIdPath
from trust_lesson.errors import Forbidden
from trust_lesson.lessons import service
from trust_lesson.models import Lesson

LessonId = RowIdPath


async def visible_lesson(lesson_id: LessonId, caller: CurrentUser, db: DbDep) -> Lesson:
    lesson, _ = await service.find(db=db, caller=caller, lesson_id=lesson_id)
    return lesson


async def managed_lesson(lesson_id: LessonId, caller: CurrentUser, db: DbDep) -> Lesson:
    lesson, managed = await service.find(db=db, caller=caller, lesson_id=lesson_id)
    if not managed:
        raise Forbidden("Only the course's instructors and administrators may change a lesson.")
    return lesson


async def taught_lesson(lesson_id: LessonId, caller: CurrentUser, db: DbDep) -> Lesson:
    lesson, _ = await service.find(db=db, caller=caller, lesson_id=lesson_id)
    if not service.teaches(caller, lesson):
        raise Forbidden("Only the lesson's instructor may start or stop it.")
    return lesson


VisibleLesson = Annotated[Lesson, Depends(visible_lesson)]
ManagedLesson = Annotated[Lesson, Depends(managed_lesson)]
TaughtLesson = Annotated[Lesson, Depends(taught_lesson)]
