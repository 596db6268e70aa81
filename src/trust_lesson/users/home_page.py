"""A student's home: today's and the next lessons (a way in while one runs), what to do before
a lesson (consent, face enrolment) and their own attendance with its reasons."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import RedirectResponse, Response

from trust_lesson.attendance.own import own_decisions
from trust_lesson.biometrics import service as biometrics
from trust_lesson.biometrics.schemas import FaceEnrolmentRead
from trust_lesson.deps import DbDep, NowDep
from trust_lesson.lessons import service as lessons
from trust_lesson.models import AttendanceDecision, Lesson, LessonStatus, Role, User
from trust_lesson.web.dependencies import PageViewer
from trust_lesson.web.templating import render

router = APIRouter(include_in_schema=False)
AHEAD = timedelta(days=14)
BACK = timedelta(days=120)
MOST_LESSONS = 200


@dataclass(frozen=True)
class NextStep:
    href: str
    label: str
    why: str


@dataclass(frozen=True)
class AttendedLessonRow:
    lesson: Lesson
    decision: AttendanceDecision | None


@router.get("/home")
async def student_home(request: Request, viewer: PageViewer, db: DbDep, now: NowDep) -> Response:
    user = viewer.user
    if user.role is not Role.STUDENT:
        return RedirectResponse("/lessons", status_code=303)
    enrolment = await biometrics.enrolment_state(db=db, user_id=user.id)
    return render(
        request,
        "users/home.html",
        user=user,
        csrf=viewer.csrf,
        coming=await _coming(db, user, now),
        attended=await _attended(db, user, now),
        enrolment=enrolment,
        next_step=_next_step(enrolment),
        now=now,
    )


async def _coming(db: AsyncSession, user: User, now: datetime) -> list[Lesson]:
    """Lessons running now, then those planned from today on (two weeks ahead)."""
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    found = await _visible(db, user, start=today - timedelta(days=1), end=today + AHEAD)
    running = [lesson for lesson in found if lesson.status is LessonStatus.RUNNING]
    later = [
        lesson
        for lesson in found
        if lesson.status in (LessonStatus.WAITING, LessonStatus.LATE) and lesson.start_date >= today
    ]
    return running + later


async def _attended(db: AsyncSession, user: User, now: datetime) -> list[AttendedLessonRow]:
    found = await _visible(db, user, start=now - BACK, end=now)
    given = [lesson for lesson in reversed(found) if lesson.status is LessonStatus.FINISHED]
    decisions = await own_decisions(db=db, user_id=user.id, lesson_ids=[one.id for one in given])
    return [AttendedLessonRow(lesson, decisions.get(lesson.id)) for lesson in given]


async def _visible(
    db: AsyncSession, user: User, *, start: datetime, end: datetime
) -> Sequence[Lesson]:
    return await lessons.list_visible(
        db=db, caller=user, start=start, end=end, term_id=None, limit=MOST_LESSONS, offset=0
    )


def _next_step(enrolment: FaceEnrolmentRead) -> NextStep | None:
    if enrolment.consent is None:
        why = "Before your first lesson: read and give your consent to face checks."
        return NextStep("/consent", "Give consent", why)
    if not enrolment.enrolled:
        why = "Before your first lesson: take a picture of your face with the webcam."
        return NextStep("/enrolment", "Enrol your face", why)
    return None
