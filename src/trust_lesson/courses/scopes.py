"""Who may see and manage what, written as SQL clauses (R11).

Every query that loads a course, term or lesson for a caller carries one of these clauses, so
objects outside the caller's reach are never loaded at all. Admins manage everything; an
instructor manages the courses they created or teach (INSTRUCTOR member of one of its terms),
with their terms, enrolments and lessons; anybody sees the terms they are members of.
"""

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, false, or_, select, true
from sqlalchemy.orm import aliased

from trust_lesson.models import Course, MemberRole, Role, Term, TermMember, User


def manages_course(caller: User, course_id: SQLColumnExpression[int]) -> ColumnElement[bool]:
    if caller.role is Role.ADMIN:
        return true()
    if caller.role is not Role.INSTRUCTOR:
        return false()
    course, term, member = aliased(Course), aliased(Term), aliased(TermMember)
    created = (
        select(course.id).where(course.id == course_id, course.created_by_id == caller.id).exists()
    )
    teaches = (
        select(member.user_id)
        .join(term, term.id == member.term_id)
        .where(
            term.course_id == course_id,
            member.user_id == caller.id,
            member.role == MemberRole.INSTRUCTOR,
        )
        .exists()
    )
    return or_(created, teaches)


def _member_of_course(caller: User, course_id: SQLColumnExpression[int]) -> ColumnElement[bool]:
    term, member = aliased(Term), aliased(TermMember)
    return (
        select(member.user_id)
        .join(term, term.id == member.term_id)
        .where(term.course_id == course_id, member.user_id == caller.id)
        .exists()
    )


def _member_of_term(caller: User, term_id: SQLColumnExpression[int]) -> ColumnElement[bool]:
    member = aliased(TermMember)
    return (
        select(member.user_id)
        .where(member.term_id == term_id, member.user_id == caller.id)
        .exists()
    )


def sees_course(caller: User, course_id: SQLColumnExpression[int]) -> ColumnElement[bool]:
    if caller.role is Role.ADMIN:
        return true()
    return or_(manages_course(caller, course_id), _member_of_course(caller, course_id))


def sees_term(
    caller: User, term_id: SQLColumnExpression[int], course_id: SQLColumnExpression[int]
) -> ColumnElement[bool]:
    if caller.role is Role.ADMIN:
        return true()
    return or_(manages_course(caller, course_id), _member_of_term(caller, term_id))


def visible_term_ids(caller: User) -> Select[int]:
    return select(Term.id).where(sees_term(caller, Term.id, Term.course_id))


def sees_account(caller: User, user_id: SQLColumnExpression[int]) -> ColumnElement[bool]:
    """An account the caller may name by its id: admins any; an instructor the people of
    the courses they manage; anybody themself. Others are found only by their email."""
    if caller.role is Role.ADMIN:
        return true()
    term, member = aliased(Term), aliased(TermMember)
    in_managed_course = (
        select(member.user_id)
        .join(term, term.id == member.term_id)
        .where(member.user_id == user_id, manages_course(caller, term.course_id))
        .exists()
    )
    return or_(user_id == caller.id, in_managed_course)
