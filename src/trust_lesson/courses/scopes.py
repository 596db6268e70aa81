"""Who may see and manage what, written as SQL clauses (R11). The one home of these rules.

Every query that loads a course, term, lesson, capture, decision or identity verification for
a caller carries one of these clauses, so objects outside the caller's reach are never loaded:
- a manager of a course (``manages_course``): admins; the instructor who created it; the
  INSTRUCTOR members of any of its terms (co-instructors included). They manage its terms,
  enrolments, lessons and policy, read its rosters and attendance;
- a reviewer of a lesson (``reviews_lesson``): whoever manages its course. They read the
  lesson's captures and settle them;
- a student of a term (``student_of_term``): a STUDENT member of it. They join its lessons
  and answer their own challenges;
- anybody sees the courses and terms they are members of (``sees_course``, ``sees_term``);
- a reviewer of a person's identity (``reviews_identity_of``): admins; an instructor who
  manages a course the person is a member of. They read the person's identity verifications,
  their document pictures, and decide them. The person sees their own (``sees_identity_of``).
"""

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, false, or_, select, true
from sqlalchemy.orm import aliased

from trust_lesson.models import Course, Lesson, MemberRole, Role, Term, TermMember, User


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
    return or_(user_id == caller.id, _in_managed_course(caller, user_id))


def _in_managed_course(caller: User, user_id: SQLColumnExpression[int]) -> ColumnElement[bool]:
    term, member = aliased(Term), aliased(TermMember)
    return (
        select(member.user_id)
        .join(term, term.id == member.term_id)
        .where(member.user_id == user_id, manages_course(caller, term.course_id))
        .exists()
    )


def student_of_term(
    user_id: int | SQLColumnExpression[int], term_id: int | SQLColumnExpression[int]
) -> ColumnElement[bool]:
    """The user is an enrolled STUDENT member of the term."""
    member = aliased(TermMember)
    return (
        select(member.user_id)
        .where(
            member.term_id == term_id,
            member.user_id == user_id,
            member.role == MemberRole.STUDENT,
        )
        .exists()
    )


def reviews_lesson(caller: User, lesson_id: SQLColumnExpression[int]) -> ColumnElement[bool]:
    """The caller may read and review the lesson's captures: they manage its course."""
    if caller.role is Role.ADMIN:
        return true()
    if caller.role is not Role.INSTRUCTOR:
        return false()
    lesson, term = aliased(Lesson), aliased(Term)
    return (
        select(lesson.id)
        .join(term, term.id == lesson.term_id)
        .where(lesson.id == lesson_id, manages_course(caller, term.course_id))
        .exists()
    )


def reviews_identity_of(caller: User, user_id: SQLColumnExpression[int]) -> ColumnElement[bool]:
    """The caller may read and decide the person's identity verifications and see their
    document pictures: admins; an instructor who manages a course the person is a member of."""
    if caller.role is Role.ADMIN:
        return true()
    if caller.role is not Role.INSTRUCTOR:
        return false()
    return _in_managed_course(caller, user_id)


def sees_identity_of(caller: User, user_id: SQLColumnExpression[int]) -> ColumnElement[bool]:
    """The person's own verifications, or those the caller reviews; nobody else's."""
    return or_(user_id == caller.id, reviews_identity_of(caller, user_id))
