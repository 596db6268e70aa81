"""A term's attendance report: each lesson's current decisions counted, and each student's.

The current decision of a student in a lesson is the newest one (`attendance.service.is_newest`,
the rule the lesson page's roster and history use). The report costs the same six statements
whatever the term's size: the course, the lessons, their counts, the students' count, a page
of students and their decisions. Reads only.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import Row, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.attendance.service import is_newest
from trust_lesson.courses.schemas import TermRead
from trust_lesson.courses.scopes import student_of_term
from trust_lesson.models import AttendanceDecision, Course, Lesson, LessonStatus, Term, User
from trust_lesson.presence.verdicts import Decision
from trust_lesson.reports.schemas import (
    DecisionCounts,
    LessonDecision,
    ReportCourse,
    ReportLesson,
    StudentAttendance,
    TermReport,
    no_decisions,
)

CurrentDecisions = dict[int, dict[int, Decision]]
"""user id -> lesson id -> the current decision."""


async def term_report(
    *, db: AsyncSession, term: Term, limit: int | None, offset: int = 0
) -> TermReport:
    """The report with a page of students (`limit` None: every student, for an export)."""
    course = (await db.execute(select(Course).where(Course.id == term.course_id))).scalar_one()
    lessons = await _lessons(db, term)
    students = await _students(db, term, limit, offset)
    among = [student.id for student in students] if limit is not None else None
    decided = await _current_decisions(db, term, among)
    order = [lesson.id for lesson in lessons]
    return TermReport(
        course=ReportCourse(id=course.id, name=course.name),
        term=TermRead.model_validate(term),
        lessons=lessons,
        lessons_finished=sum(lesson.status is LessonStatus.FINISHED for lesson in lessons),
        counts=_sum(lesson.counts for lesson in lessons),
        students_total=await count_students(db=db, term=term),
        students=[
            _attendance(student.id, student.username, student.full_name, decided, order)
            for student in students
        ],
    )


async def count_students(*, db: AsyncSession, term: Term) -> int:
    query = select(func.count()).select_from(_people(term).subquery())
    return int(await db.scalar(query) or 0)


def _people(term: Term) -> Select[int, str, str]:
    """Enrolled STUDENT members, and anybody a lesson of the term decided about (a student
    unenrolled since keeps their decisions in the report), as the lesson's roster counts."""
    decided = (
        select(AttendanceDecision.user_id)
        .join(Lesson, Lesson.id == AttendanceDecision.lesson_id)
        .where(Lesson.term_id == term.id)
    )
    return select(User.id, User.username, User.full_name).where(
        or_(student_of_term(User.id, term.id), User.id.in_(decided))
    )


async def _students(
    db: AsyncSession, term: Term, limit: int | None, offset: int
) -> Sequence[Row[int, str, str]]:
    query = _people(term).order_by(User.username, User.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return (await db.execute(query)).all()


async def _lessons(db: AsyncSession, term: Term) -> list[ReportLesson]:
    """Every lesson of the term in the order they take place, with its decisions counted."""
    lessons = (
        await db.execute(
            select(Lesson.id, Lesson.title, Lesson.start_date, Lesson.status)
            .where(Lesson.term_id == term.id)
            .order_by(Lesson.start_date, Lesson.id)
        )
    ).all()
    counted = await db.execute(
        select(AttendanceDecision.lesson_id, AttendanceDecision.decision, func.count())
        .join(Lesson, Lesson.id == AttendanceDecision.lesson_id)
        .where(Lesson.term_id == term.id, is_newest())
        .group_by(AttendanceDecision.lesson_id, AttendanceDecision.decision)
    )
    counts: dict[int, DecisionCounts] = defaultdict(no_decisions)
    for lesson_id, decision, number in counted:
        counts[lesson_id][decision] = number
    return [
        ReportLesson(
            id=lesson.id, title=lesson.title, start_date=lesson.start_date, status=lesson.status,
            counts=counts[lesson.id],
        )
        for lesson in lessons
    ]  # fmt: skip


async def _current_decisions(
    db: AsyncSession, term: Term, among: list[int] | None
) -> CurrentDecisions:
    query = (
        select(
            AttendanceDecision.user_id, AttendanceDecision.lesson_id, AttendanceDecision.decision
        )
        .join(Lesson, Lesson.id == AttendanceDecision.lesson_id)
        .where(Lesson.term_id == term.id, is_newest())
    )
    if among is not None:
        query = query.where(AttendanceDecision.user_id.in_(among))
    decided: CurrentDecisions = defaultdict(dict)
    for user_id, lesson_id, decision in await db.execute(query):
        decided[user_id][lesson_id] = decision
    return decided


def _attendance(
    user_id: int, username: str, full_name: str, decided: CurrentDecisions, order: list[int]
) -> StudentAttendance:
    own = decided.get(user_id, {})
    counts = _sum([Counter(own.values())])
    return StudentAttendance(
        user_id=user_id,
        username=username,
        full_name=full_name,
        counts=counts,
        decided=len(own),
        attendance_rate=attendance_rate(counts),
        decisions=[
            LessonDecision(lesson_id=lesson_id, decision=own[lesson_id])
            for lesson_id in order
            if lesson_id in own
        ],
    )


def attendance_rate(counts: DecisionCounts) -> float | None:
    """ATTENDED of the decided lessons (any decision, PENDING_REVIEW too, counts as decided)."""
    decided = sum(counts.values())
    return counts[Decision.ATTENDED] / decided if decided else None


def _sum(many: Iterable[Mapping[Decision, int]]) -> DecisionCounts:
    total = no_decisions()
    for counts in many:
        for decision, number in counts.items():
            total[decision] += number
    return total
