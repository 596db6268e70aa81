"""Typed dependencies that load a course or term through a query scoped to the caller.

Out of the caller's sight -> 404 with no data; visible but not theirs to manage -> 403.
"""

from typing import Annotated

from fastapi import Depends

from trust_lesson.auth.dependencies import CurrentUser
from trust_lesson.courses import service
from trust_lesson.deps import DbDep, RowIdPath
from trust_lesson.errors import Forbidden
from trust_lesson.models import Course, Term

Id = RowIdPath
NOT_YOURS = "Only the course's instructors and administrators may do this."


async def visible_course(course_id: Id, caller: CurrentUser, db: DbDep) -> Course:
    course, _ = await service.find_course(db=db, caller=caller, course_id=course_id)
    return course


async def managed_course(course_id: Id, caller: CurrentUser, db: DbDep) -> Course:
    course, managed = await service.find_course(db=db, caller=caller, course_id=course_id)
    if not managed:
        raise Forbidden(NOT_YOURS)
    return course


async def visible_term(term_id: Id, caller: CurrentUser, db: DbDep) -> Term:
    term, _ = await service.find_term(db=db, caller=caller, term_id=term_id)
    return term


async def managed_term(term_id: Id, caller: CurrentUser, db: DbDep) -> Term:
    return await service.require_managed_term(db=db, caller=caller, term_id=term_id)


VisibleCourse = Annotated[Course, Depends(visible_course)]
ManagedCourse = Annotated[Course, Depends(managed_course)]
VisibleTerm = Annotated[Term, Depends(visible_term)]
ManagedTerm = Annotated[Term, Depends(managed_term)]
