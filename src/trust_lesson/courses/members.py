"""Enrolments: who belongs to a term, as student or instructor."""

from sqlalchemy import Row, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.courses.schemas import MemberRead
from trust_lesson.courses.scopes import sees_account
from trust_lesson.errors import Conflict, NotFound, Unprocessable
from trust_lesson.models import MemberRole, Role, Term, TermMember, User


def _read(row: Row[TermMember, str, str]) -> MemberRead:
    member, username, full_name = row
    return MemberRead(
        term_id=member.term_id,
        user_id=member.user_id,
        role=member.role,
        username=username,
        full_name=full_name,
    )


async def list_members(
    *, db: AsyncSession, term: Term, limit: int, offset: int
) -> list[MemberRead]:
    query = (
        select(TermMember, User.username, User.full_name)
        .join(User, User.id == TermMember.user_id)
        .where(TermMember.term_id == term.id)
        .order_by(TermMember.role, User.username)
        .limit(limit)
        .offset(offset)
    )
    return [_read(row) for row in (await db.execute(query)).all()]


async def enrol_member(
    *,
    db: AsyncSession,
    term: Term,
    caller: User,
    role: MemberRole = MemberRole.STUDENT,
    email: str | None = None,
    user_id: int | None = None,
) -> MemberRead:
    """Enrol a person named by `email`, or by `user_id` when the caller may see that account.

    An id outside the caller's sight answers exactly like an unknown id (404, no name), so ids
    cannot be walked to learn who has an account (issue 8/9). Roles must make sense: an
    administrator account is never a student, a student account never teaches, a disabled
    account is not enrolled.
    """
    user = await _person(db, caller, email=email, user_id=user_id)
    _check_role(user, role)
    member = TermMember(term_id=term.id, user_id=user.id, role=role)
    try:
        async with db.begin_nested():
            db.add(member)
            await db.flush()
    except IntegrityError:
        raise Conflict("This user is already a member of the term.") from None
    return MemberRead(
        term_id=term.id,
        user_id=user.id,
        role=member.role,
        username=user.username,
        full_name=user.full_name,
    )


async def _person(
    db: AsyncSession, caller: User, *, email: str | None, user_id: int | None
) -> User:
    if email is not None:
        user = (
            await db.execute(select(User).where(User.email == email.strip().lower()))
        ).scalar_one_or_none()
        if user is None:
            raise NotFound("No account has this email; the person registers first.")
        return user
    user = (
        await db.execute(select(User).where(User.id == user_id, sees_account(caller, User.id)))
    ).scalar_one_or_none()
    if user is None:
        raise NotFound("No such user.")
    return user


def role_refusal(user: User, role: MemberRole) -> str | None:
    """Why `user`'s account may not hold `role` in a term, or None when it may: the rule for
    enrolling and for still counting as a member of that role (accounts change later)."""
    if not user.is_active:
        return "This account is disabled; it cannot be enrolled."
    if role is MemberRole.STUDENT and user.role is Role.ADMIN:
        return "role: an administrator account cannot be enrolled as a student."
    if role is MemberRole.INSTRUCTOR and user.role is Role.STUDENT:
        return "role: a student account cannot teach a term."
    return None


def _check_role(user: User, role: MemberRole) -> None:
    refusal = role_refusal(user, role)
    if refusal is not None:
        raise Unprocessable(refusal)


async def remove(*, db: AsyncSession, term: Term, user_id: int) -> None:
    result = await db.execute(
        delete(TermMember).where(TermMember.term_id == term.id, TermMember.user_id == user_id)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise NotFound("This user is not a member of the term.")


async def instructors_by_username(*, db: AsyncSession, term: Term) -> dict[str, User]:
    """The term's instructors keyed by lower-case username: INSTRUCTOR members whose account
    may still teach (an account made a student or disabled after enrolling no longer does)."""
    query = (
        select(User)
        .join(TermMember, TermMember.user_id == User.id)
        .where(TermMember.term_id == term.id, TermMember.role == MemberRole.INSTRUCTOR)
    )
    return {
        user.username.casefold(): user
        for user in (await db.execute(query)).scalars()
        if role_refusal(user, MemberRole.INSTRUCTOR) is None
    }
