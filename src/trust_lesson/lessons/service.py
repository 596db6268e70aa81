"""Lessons: plan, change, start, stop. Flushes only; the caller owns the transaction."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVarTuple

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.attendance import service as attendance
from trust_lesson.courses import members
from trust_lesson.courses.scopes import manages_course, sees_term, visible_term_ids
from trust_lesson.errors import Conflict, NotFound, Unprocessable
from trust_lesson.evidence import log as evidence_log
from trust_lesson.evidence.keys import SchoolKeys
from trust_lesson.lessons import repeats
from trust_lesson.lessons.keeping import refuse_if_evidence
from trust_lesson.lessons.schemas import LessonCreate, LessonUpdate
from trust_lesson.lessons.wording import status_in_words
from trust_lesson.models import Course, Lesson, LessonStatus, MemberRole, Role, Term, User

LATE_AFTER = timedelta(days=1)
FINISH_GRACE = timedelta(minutes=15)
"""A lesson nobody stopped is finished by the system this long after its planned end."""
STARTABLE = (LessonStatus.WAITING, LessonStatus.LATE)
Columns = TypeVarTuple("Columns")
PAST_GRACE = timedelta(minutes=15)
"""A start this recent is still "now": the instructor who plans the lesson as it begins types
the time the students were told (the form takes whole minutes), as long as the default entry
tolerance."""


def has_passed(start: datetime, now: datetime) -> bool:
    """A planned start further back than `PAST_GRACE`: no lesson can still be given then."""
    return start < now - PAST_GRACE


def refuse_if_passed(start: datetime, now: datetime) -> None:
    """The pages plan lessons to come: a start that has passed is most likely a slip (a day,
    a year, a time zone) and would make a lesson LATE from the first minute, which nobody can
    attend when it says. The API keeps accepting it (`past_allowed`): its clients keep
    timetables of their own, a term's sheet holds the lessons already given."""
    if has_passed(start, now):
        raise Unprocessable(
            f"start_date: This time has passed (it is {now.astimezone(UTC):%Y-%m-%d %H:%M} UTC); "
            "plan a lesson before it starts."
        )


def planned_status(start: datetime, now: datetime) -> LessonStatus:
    """A lesson never started one day after its planned start is LATE."""
    return LessonStatus.LATE if start < now - LATE_AFTER else LessonStatus.WAITING


async def find(*, db: AsyncSession, caller: User, lesson_id: int) -> tuple[Lesson, bool]:
    """The lesson if the caller may see it, and whether they may manage it; else 404."""
    query = (
        select(Lesson, manages_course(caller, Term.course_id).label("managed"))
        .join(Term, Term.id == Lesson.term_id)
        .where(Lesson.id == lesson_id, sees_term(caller, Term.id, Term.course_id))
    )
    row = (await db.execute(query)).first()
    if row is None:
        raise NotFound("No such lesson.")
    return row[0], bool(row[1])


async def list_visible(
    *,
    db: AsyncSession,
    caller: User,
    start: datetime | None,
    end: datetime | None,
    term_id: int | None,
    limit: int,
    offset: int,
) -> Sequence[Lesson]:
    query = _visible(select(Lesson), caller, start, end, term_id)
    return (await db.execute(query.limit(limit).offset(offset))).scalars().all()


@dataclass(frozen=True)
class ListedLesson:
    """A lesson of the lessons list with the course and term it belongs to."""

    lesson: Lesson
    course_name: str
    term_number: int


async def list_visible_with_terms(
    *,
    db: AsyncSession,
    caller: User,
    start: datetime,
    end: datetime,
    limit: int,
    offset: int,
) -> list[ListedLesson]:
    """`list_visible`, each lesson with its course's name and its term's number (one query)."""
    query = _visible(
        select(Lesson, Course.name, Term.term_number)
        .join(Term, Term.id == Lesson.term_id)
        .join(Course, Course.id == Term.course_id),
        caller, start, end, None,
    )  # fmt: skip
    rows = (await db.execute(query.limit(limit).offset(offset))).all()
    return [ListedLesson(lesson, name, number) for lesson, name, number in rows]


def _visible(
    query: Select[*Columns],
    caller: User,
    start: datetime | None,
    end: datetime | None,
    term_id: int | None,
) -> Select[*Columns]:
    """The lessons `caller` may see, planned from `start` to before `end`, oldest first."""
    query = query.order_by(Lesson.start_date, Lesson.id)
    if caller.role is not Role.ADMIN:
        query = query.where(Lesson.term_id.in_(visible_term_ids(caller)))
    if start is not None:
        query = query.where(Lesson.start_date >= start)
    if end is not None:
        query = query.where(Lesson.start_date < end)
    if term_id is not None:
        query = query.where(Lesson.term_id == term_id)
    return query


async def mark_late_lessons(*, db: AsyncSession, now: datetime) -> int:
    """WAITING lessons whose planned start is more than one day ago become LATE."""
    statement = (
        update(Lesson)
        .where(Lesson.status == LessonStatus.WAITING, Lesson.start_date < now - LATE_AFTER)
        .values(status=LessonStatus.LATE)
        .execution_options(synchronize_session=False)
    )
    result = await db.execute(statement)
    return int(result.rowcount)  # type: ignore[attr-defined]


async def possible_instructors(*, db: AsyncSession, caller: User, term: Term) -> dict[str, User]:
    """Who may teach a lesson of `term` that `caller` plans, keyed by lower-case username: the
    caller (who manages the course, enrolled in this term or not) and the term's INSTRUCTOR
    members whose account is still an active INSTRUCTOR or ADMIN (enrolment's own rule). The
    one rule for the form, the API and the spreadsheet import."""
    instructors = await members.instructors_by_username(db=db, term=term)
    return {**instructors, caller.username.casefold(): caller}


def teaches(user: User, lesson: Lesson) -> bool:
    """`user` is the lesson's instructor and their account may still teach: one made a student
    or disabled after the lesson was given to it no longer starts or stops it (enrolment's own
    rule, as for `possible_instructors`); the course's managers give the lesson to another."""
    if lesson.instructor_id != user.id:
        return False
    return members.role_refusal(user, MemberRole.INSTRUCTOR) is None


async def check_instructor(
    *, db: AsyncSession, caller: User, term: Term, instructor_id: int
) -> None:
    allowed = await possible_instructors(db=db, caller=caller, term=term)
    if instructor_id not in {user.id for user in allowed.values()}:
        raise Unprocessable("instructor_id: not an instructor of this term.")


async def create(
    *,
    db: AsyncSession,
    caller: User,
    term: Term,
    data: LessonCreate,
    now: datetime,
    past_allowed: bool = False,
) -> Lesson:
    """`past_allowed`: the API's contract; the pages refuse a start that has passed."""
    if not past_allowed:
        refuse_if_passed(data.start_date, now)
    instructor_id = data.instructor_id or caller.id
    await check_instructor(db=db, caller=caller, term=term, instructor_id=instructor_id)
    lesson = Lesson(
        term_id=term.id,
        instructor_id=instructor_id,
        title=data.title,
        description=data.description,
        start_date=data.start_date,
        duration_min=data.duration_min,
        status=planned_status(data.start_date, now),
        meeting_url=data.meeting_url,
    )
    async with repeats.planning(db, [repeats.Plan.of(lesson)]):
        db.add(lesson)
    return lesson


async def update_lesson(
    *,
    db: AsyncSession,
    caller: User,
    lesson: Lesson,
    data: LessonUpdate,
    now: datetime,
    past_allowed: bool = False,
) -> Lesson:
    """`past_allowed` as for `create`: a lesson moved to a start that has passed."""
    if data.changes_schedule and lesson.status not in STARTABLE:
        raise Conflict(f"A {status_in_words(lesson.status)} lesson cannot be rescheduled.")
    changes = data.model_dump(exclude_unset=True)
    if any(value is None for name, value in changes.items() if name != "meeting_url"):
        raise Unprocessable("A lesson's fields may not be emptied.")
    if data.start_date is not None and not past_allowed:
        refuse_if_passed(data.start_date, now)
    if "instructor_id" in changes:
        term = await db.get_one(Term, lesson.term_id)
        await check_instructor(
            db=db, caller=caller, term=term, instructor_id=changes["instructor_id"]
        )
    if changes.keys() & {"title", "start_date"}:
        title = changes.get("title", lesson.title)
        start = changes.get("start_date", lesson.start_date)
        plan = repeats.Plan(lesson.term_id, title, start, lesson.id)
        async with repeats.planning(db, [plan]):
            _change(lesson, changes, now)
    else:
        _change(lesson, changes, now)
    await db.flush()
    return lesson


def _change(lesson: Lesson, changes: dict[str, Any], now: datetime) -> None:
    for name, value in changes.items():
        setattr(lesson, name, value)
    if "start_date" in changes:
        lesson.status = planned_status(lesson.start_date, now)


async def delete(*, db: AsyncSession, lesson: Lesson) -> None:
    if lesson.status is LessonStatus.RUNNING:
        raise Conflict("A running lesson cannot be deleted; stop it first.")
    lessons = select(Lesson.id).where(Lesson.id == lesson.id)
    await refuse_if_evidence(db, what="lesson", lessons=lessons)
    await db.delete(lesson)
    await db.flush()


async def start(*, db: AsyncSession, lesson: Lesson, now: datetime) -> Lesson:
    """WAITING or LATE -> RUNNING, recording when it really started."""
    if lesson.status not in STARTABLE:
        raise Conflict(_cannot_start(lesson.status))
    changed = await _move(
        db, lesson, STARTABLE, status=LessonStatus.RUNNING, effective_start_date=now
    )
    if not changed:
        raise Conflict(_cannot_start(lesson.status))
    return lesson


def _cannot_start(status: LessonStatus) -> str:
    if status is LessonStatus.RUNNING:
        return "This lesson is already running."
    return "This lesson has already finished; it cannot start again."


async def stop(*, db: AsyncSession, lesson: Lesson, now: datetime, keys: SchoolKeys) -> Lesson:
    """The instructor's stop: RUNNING -> FINISHED now and every student decided; the decisions
    are signed into the evidence log's checkpoint in the same transaction."""
    if lesson.status is not LessonStatus.RUNNING or lesson.effective_start_date is None:
        raise Conflict(_cannot_stop(lesson.status))
    if not await finish(db=db, lesson=lesson, at=now, now=now):
        raise Conflict(_cannot_stop(lesson.status))
    await evidence_log.write_checkpoint(db, keys=keys, now=now)
    return lesson


async def finish(*, db: AsyncSession, lesson: Lesson, at: datetime, now: datetime) -> bool:
    """End a running lesson at `at` and decide every student's attendance (as of `now`).

    The one way a lesson finishes, for the instructor's stop and for the system's stop of a
    lesson nobody stopped. Records how long it really lasted (whole minutes, at least 1); the
    change is conditional on the lesson still running, so of two stops racing only one
    finishes it and decides (False for the other).
    """
    if lesson.effective_start_date is None:
        return False
    minutes = max(1, math.ceil((at - lesson.effective_start_date).total_seconds() / 60))
    finished = await _move(
        db,
        lesson,
        (LessonStatus.RUNNING,),
        status=LessonStatus.FINISHED,
        effective_duration_min=minutes,
    )
    if finished:
        await attendance.decide_lesson(db=db, lesson=lesson, now=now)
    return finished


async def overdue_lessons(
    *, db: AsyncSession, now: datetime, grace: timedelta = FINISH_GRACE
) -> list[int]:
    """RUNNING lessons whose planned end passed more than `grace` ago (running ones are few)."""
    query = select(Lesson).where(Lesson.status == LessonStatus.RUNNING).order_by(Lesson.id)
    running = (await db.execute(query)).scalars()
    return [lesson.id for lesson in running if lesson.planned_end + grace < now]


async def finish_overdue(
    *, db: AsyncSession, lesson_id: int, now: datetime, grace: timedelta = FINISH_GRACE
) -> bool:
    """The system's stop: an overdue lesson ends at its planned end; False when nothing was due."""
    lesson = await db.get(Lesson, lesson_id)
    if lesson is None or lesson.status is not LessonStatus.RUNNING:
        return False
    if lesson.planned_end + grace >= now:
        return False
    return await finish(db=db, lesson=lesson, at=lesson.planned_end, now=now)


def _cannot_stop(status: LessonStatus) -> str:
    if status is LessonStatus.FINISHED:
        return "This lesson has already finished."
    return "This lesson has not started yet; start it before stopping it."


async def _move(
    db: AsyncSession, lesson: Lesson, sources: Sequence[LessonStatus], **values: object
) -> bool:
    """Changes the lesson only if it is still in one of `sources` (safe against a race)."""
    statement = (
        update(Lesson)
        .where(Lesson.id == lesson.id, Lesson.status.in_(sources))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    result = await db.execute(statement)
    await db.refresh(lesson)
    return bool(result.rowcount)  # type: ignore[attr-defined]
