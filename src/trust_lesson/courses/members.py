"""Enrolments: who belongs to a term, as student or instructor."""

from sqlalchemy import Row, delete, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.courses.schemas import MemberRead
from trust_lesson.courses.scopes import sees_account
from trust_lesson.errors import Conflict, NotFound, Unprocessable
from trust_lesson.models import Lesson, LessonStatus, MemberRole, Role, Term, TermMember, User


def _read(row: Row[TermMember, str, str]) -> MemberRead:
    member, username, full_name = row
    return _member(member, username, full_name)


def _member(member: TermMember, username: str, full_name: str) -> MemberRead:
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


async def count_members(*, db: AsyncSession, term: Term) -> int:
    query = select(func.count()).select_from(TermMember).where(TermMember.term_id == term.id)
    return await db.scalar(query) or 0


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
    """Takes the person out of the term; refused while they teach its lessons to come."""
    await _membership(db, term, user_id)
    await _refuse_if_teaching(db, term, user_id, "removed from")
    await db.execute(
        delete(TermMember).where(TermMember.term_id == term.id, TermMember.user_id == user_id)
    )


async def change_role(
    *, db: AsyncSession, term: Term, user_id: int, role: MemberRole
) -> tuple[MemberRead, bool]:
    """The member with `role` in the term, by enrolment's own rule (`role_refusal`), and
    whether that changed anything (the same role again does not); an instructor who teaches
    the term's lessons to come stays one."""
    member, user = await _membership(db, term, user_id)
    changed = member.role is not role
    if changed:
        _check_role(user, role)
        if member.role is MemberRole.INSTRUCTOR:
            await _refuse_if_teaching(db, term, user_id, "made a student of")
        member.role = role
        await db.flush()
    return _member(member, user.username, user.full_name), changed


async def _membership(db: AsyncSession, term: Term, user_id: int) -> tuple[TermMember, User]:
    query = (
        select(TermMember, User)
        .join(User, User.id == TermMember.user_id)
        .where(TermMember.term_id == term.id, TermMember.user_id == user_id)
    )
    row = (await db.execute(query)).first()
    if row is None:
        raise NotFound("This user is not a member of the term.")
    return row[0], row[1]


async def _refuse_if_teaching(db: AsyncSession, term: Term, user_id: int, what: str) -> None:
    """A lesson of the term not yet finished keeps its instructor in the term as one: taken
    out, they could no longer reach the lesson to start it, and nobody would."""
    to_come = exists().where(
        Lesson.term_id == term.id,
        Lesson.instructor_id == user_id,
        Lesson.status != LessonStatus.FINISHED,
    )
    if await db.scalar(select(to_come)):
        raise Conflict(
            f"This instructor teaches lessons of the term still to come; give them to another "
            f"instructor before they are {what} the term."
        )


async def name_of(*, db: AsyncSession, user_id: int) -> str | None:
    """An account's full name, for a notice about someone the caller just acted on (the
    page checks that they did; an id alone names nobody)."""
    return await db.scalar(select(User.full_name).where(User.id == user_id))


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
