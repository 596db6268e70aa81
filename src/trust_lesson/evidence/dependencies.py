"""Typed dependencies of the evidence routes: the school's keys, and whose certificate a
caller may have.

A certificate is the student's own, or read by the reviewers of the course (its instructors
and the administrators). Anyone else: a lesson or term out of sight is not found (404); a
fellow student's certificate is forbidden (403), with no data either way.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from trust_lesson.auth.dependencies import CurrentUser
from trust_lesson.courses import service as courses
from trust_lesson.deps import DbDep, RowIdPath, RuntimeDep
from trust_lesson.errors import Forbidden
from trust_lesson.evidence.keys import SchoolKeys
from trust_lesson.lessons import service as lessons

OWN_ONLY = "Only the student and the course's instructors may have this certificate."


def get_school_keys(runtime: RuntimeDep) -> SchoolKeys:
    return runtime.school_keys


SchoolKeysDep = Annotated[SchoolKeys, Depends(get_school_keys)]


@dataclass(frozen=True)
class CertificateOf:
    """Whose certificate, of what: a lesson (lesson_id) or a whole term (term_id only)."""

    student_id: int
    term_id: int
    lesson_id: int | None = None


async def lesson_certificate_of(
    lesson_id: RowIdPath, user_id: RowIdPath, caller: CurrentUser, db: DbDep
) -> CertificateOf:
    lesson, managed = await lessons.find(db=db, caller=caller, lesson_id=lesson_id)
    if not managed and user_id != caller.id:
        raise Forbidden(OWN_ONLY)
    return CertificateOf(student_id=user_id, term_id=lesson.term_id, lesson_id=lesson.id)


async def term_certificate_of(
    term_id: RowIdPath, user_id: RowIdPath, caller: CurrentUser, db: DbDep
) -> CertificateOf:
    term, managed = await courses.find_term(db=db, caller=caller, term_id=term_id)
    if not managed and user_id != caller.id:
        raise Forbidden(OWN_ONLY)
    return CertificateOf(student_id=user_id, term_id=term.id)


LessonCertificateOf = Annotated[CertificateOf, Depends(lesson_certificate_of)]
TermCertificateOf = Annotated[CertificateOf, Depends(term_certificate_of)]
