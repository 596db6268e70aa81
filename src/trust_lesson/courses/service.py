"""Courses and their terms. Flushes only; the caller owns the transaction."""

from collections.abc import Sequence

from sqlalchemy import Select, SQLColumnExpression, delete, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.courses.schemas import (
    END_BEFORE_START,
    CourseCreate,
    CourseRead,
    CourseUpdate,
    TermCreate,
    TermUpdate,
)
from trust_lesson.courses.scopes import manages_course, sees_course, sees_term
from trust_lesson.errors import Conflict, Forbidden, NotFound, Unprocessable
from trust_lesson.lessons.keeping import refuse_if_evidence
from trust_lesson.models import Course, Lesson, Term, User

NUMBERING_ATTEMPTS = 5


def _terms_count(course_id: SQLColumnExpression[int]) -> SQLColumnExpression[int]:
    return select(func.count(Term.id)).where(Term.course_id == course_id).scalar_subquery()


async def find_course(*, db: AsyncSession, caller: User, course_id: int) -> tuple[Course, bool]:
    """The course if the caller may see it, and whether they may manage it; else 404."""
    query = select(Course, manages_course(caller, Course.id).label("managed")).where(
        Course.id == course_id, sees_course(caller, Course.id)
    )
    row = (await db.execute(query)).first()
    if row is None:
        raise NotFound("No such course.")
    return row[0], bool(row[1])


async def describe(*, db: AsyncSession, course: Course) -> CourseRead:
    count = await db.scalar(select(_terms_count(Course.id)).where(Course.id == course.id))
    return _read(course, count or 0)


def _read(course: Course, terms_count: int) -> CourseRead:
    return CourseRead(
        id=course.id,
        name=course.name,
        description=course.description,
        terms_count=terms_count,
        created_by_id=course.created_by_id,
    )


async def list_visible(
    *, db: AsyncSession, caller: User, limit: int, offset: int
) -> list[CourseRead]:
    query = (
        select(Course, _terms_count(Course.id))
        .where(sees_course(caller, Course.id))
        .order_by(Course.id)
        .limit(limit)
        .offset(offset)
    )
    return [_read(course, count) for course, count in (await db.execute(query)).all()]


async def create_course(*, db: AsyncSession, caller: User, data: CourseCreate) -> Course:
    await _ensure_name_free(db, data.name)
    course = Course(name=data.name, description=data.description, created_by_id=caller.id)
    db.add(course)
    await _flush_unique_name(db)
    return course


async def _flush_unique_name(db: AsyncSession) -> None:
    """The unique index settles a race that the check above cannot see."""
    try:
        async with db.begin_nested():
            await db.flush()
    except IntegrityError:
        raise Conflict("A course with this name already exists.") from None


async def _ensure_name_free(db: AsyncSession, name: str, except_id: int | None = None) -> None:
    query = exists().where(func.lower(Course.name) == name.lower())
    if except_id is not None:
        query = query.where(Course.id != except_id)
    if await db.scalar(select(query)):
        raise Conflict("A course with this name already exists.")


async def update_course(*, db: AsyncSession, course: Course, data: CourseUpdate) -> Course:
    if data.name is not None:
        await _ensure_name_free(db, data.name, except_id=course.id)
        course.name = data.name
    if data.description is not None:
        course.description = data.description
    await _flush_unique_name(db)
    return course


async def _refuse_if_evidence(db: AsyncSession, *, what: str, terms: Select[int]) -> None:
    lessons = select(Lesson.id).where(Lesson.term_id.in_(terms))
    await refuse_if_evidence(db, what=what, lessons=lessons, terms=terms)


async def delete_course(*, db: AsyncSession, course: Course) -> None:
    terms = select(Term.id).where(Term.course_id == course.id)
    await _refuse_if_evidence(db, what="course", terms=terms)
    await db.execute(delete(Course).where(Course.id == course.id))
    db.expunge(course)


async def find_term(*, db: AsyncSession, caller: User, term_id: int) -> tuple[Term, bool]:
    """The term if the caller may see it, and whether they may manage it; else 404."""
    query = select(Term, manages_course(caller, Term.course_id).label("managed")).where(
        Term.id == term_id, sees_term(caller, Term.id, Term.course_id)
    )
    row = (await db.execute(query)).first()
    if row is None:
        raise NotFound("No such term.")
    return row[0], bool(row[1])


async def require_managed_term(*, db: AsyncSession, caller: User, term_id: int) -> Term:
    term, managed = await find_term(db=db, caller=caller, term_id=term_id)
    if not managed:
        raise Forbidden("Only the course's instructors and administrators may do this.")
    return term


async def list_terms(
    *, db: AsyncSession, caller: User, course: Course, limit: int, offset: int
) -> Sequence[Term]:
    query = (
        select(Term)
        .where(Term.course_id == course.id, sees_term(caller, Term.id, Term.course_id))
        .order_by(Term.term_number)
        .limit(limit)
        .offset(offset)
    )
    return (await db.execute(query)).scalars().all()


async def create_term(*, db: AsyncSession, course: Course, data: TermCreate) -> Term:
    """Numbers terms 0, 1, 2 ... per course; a concurrent creation that takes the same
    number hits the unique constraint, and this one retries with the next number."""
    for _ in range(NUMBERING_ATTEMPTS):
        highest = await db.scalar(
            select(func.max(Term.term_number)).where(Term.course_id == course.id)
        )
        term = Term(
            course_id=course.id,
            term_number=0 if highest is None else highest + 1,
            status=data.status,
            start_date=data.start_date,
            end_date=data.end_date,
        )
        try:
            async with db.begin_nested():
                db.add(term)
                await db.flush()
        except IntegrityError:
            continue
        return term
    raise Conflict("Another term was being created at the same time; please try again.")


async def update_term(*, db: AsyncSession, term: Term, data: TermUpdate) -> Term:
    """Checks the whole change before making any of it: a refused change leaves the term as
    it was, also for a page that shows the refusal and lets its request commit."""
    changes = data.model_dump(exclude_unset=True)
    if "status" in changes and changes["status"] is None:
        raise Unprocessable("status: may not be empty.")
    start = changes.get("start_date", term.start_date)
    end = changes.get("end_date", term.end_date)
    if start and end and end < start:
        raise Unprocessable(f"end_date: {END_BEFORE_START}")
    for name, value in changes.items():
        setattr(term, name, value)
    await db.flush()
    return term


async def delete_term(*, db: AsyncSession, term: Term) -> None:
    await _refuse_if_evidence(db, what="term", terms=select(Term.id).where(Term.id == term.id))
    await db.execute(delete(Term).where(Term.id == term.id))
    db.expunge(term)
