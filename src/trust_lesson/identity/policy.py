"""The policy that checks a person's identity: the strictest of their courses' policies.

A verification belongs to a person, not to a course, so it is judged by the highest face
thresholds of the courses the person is a member of, or by the school's defaults when they
are in none. Enrolment is anchored to the document (``anchored_enrolment``) unless every one
of the person's courses turned that off.
"""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.models import Course, Term, TermMember
from trust_lesson.presence.policy import AttendancePolicy


async def course_policies(*, db: AsyncSession, user_id: int) -> list[AttendancePolicy]:
    member_of = (
        select(Term.course_id)
        .join(TermMember, TermMember.term_id == Term.id)
        .where(TermMember.user_id == user_id)
    )
    query = select(Course.id, Course.policy).where(Course.id.in_(member_of))
    rows = (await db.execute(query)).all()
    return [AttendancePolicy.from_stored(stored, course_id=course_id) for course_id, stored in rows]


async def identity_policy(*, db: AsyncSession, user_id: int) -> AttendancePolicy:
    """The highest thresholds of the person's courses; enrolment anchored unless every
    course turned it off."""
    policies = await course_policies(db=db, user_id=user_id)
    if not policies:
        return AttendancePolicy()
    return AttendancePolicy(
        verified_at=max(p.verified_at for p in policies),
        review_at=max(p.review_at for p in policies),
        anchored_enrolment=any(p.anchored_enrolment for p in policies),
    )
