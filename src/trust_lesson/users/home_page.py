"""A student's home: today's and the next lessons (a way in while one runs), what to do before
a lesson (consent, face enrolment) and their own attendance with its reasons, their appeals
with the answers, and a way to appeal a decision."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import RedirectResponse, Response

from trust_lesson.attendance import appeals
from trust_lesson.attendance.dependencies import OwnDecision
from trust_lesson.attendance.own import own_decisions
from trust_lesson.attendance.schemas import REASON_MAX, AppealCreate, AppealRead
from trust_lesson.biometrics import service as biometrics
from trust_lesson.biometrics.schemas import FaceEnrolmentRead
from trust_lesson.deps import DbDep, NowDep
from trust_lesson.errors import DomainError
from trust_lesson.lessons import service as lessons
from trust_lesson.models import AttendanceDecision, Lesson, LessonStatus, Role, User
from trust_lesson.presence.verdicts import Decision
from trust_lesson.web.dependencies import PageViewer, Viewer
from trust_lesson.web.forms import FormProblems, parse_form, problems_of
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
    appeal: AppealRead | None
    """the newest appeal in this lesson, of this decision or an earlier one"""

    @property
    def appealable(self) -> bool:
        """Not ATTENDED, and this decision not appealed yet (a new decision may be)."""
        if self.decision is None or self.decision.decision is Decision.ATTENDED:
            return False
        return self.appeal is None or self.appeal.decision_id != self.decision.id


@dataclass(frozen=True)
class AppealForm:
    """An appeal that was refused: what was sent and why it was refused."""

    decision_id: int
    reason: str
    problems: dict[str, str]


@router.get("/home")
async def student_home(request: Request, viewer: PageViewer, db: DbDep, now: NowDep) -> Response:
    if viewer.user.role is not Role.STUDENT:
        return RedirectResponse("/lessons", status_code=303)
    return await _home(request, viewer, db, now)


async def _home(
    request: Request,
    viewer: Viewer,
    db: AsyncSession,
    now: datetime,
    *,
    refused: AppealForm | None = None,
    status_code: int = 200,
) -> Response:
    user = viewer.user
    enrolment = await biometrics.enrolment_state(db=db, user_id=user.id)
    return render(
        request,
        "users/home.html",
        user=user,
        csrf=viewer.csrf,
        status_code=status_code,
        coming=await _coming(db, user, now),
        attended=await _attended(db, user, now),
        enrolment=enrolment,
        next_step=_next_step(enrolment),
        refused=refused,
        reason_max=REASON_MAX,
        now=now,
    )


@router.post("/decisions/{decision_id}/appeal")
async def appeal_decision(
    request: Request,
    viewer: PageViewer,
    decision: OwnDecision,
    db: DbDep,
    now: NowDep,
    reason: Annotated[str, Form(max_length=REASON_MAX + 1)] = "",
) -> Response:
    """The student appeals their own decision; refused: home again with the reason kept."""
    try:
        data = parse_form(AppealCreate, {"reason": reason})
        await appeals.file(db=db, decision=decision, data=data, now=now)
    except (FormProblems, DomainError) as error:
        problems = problems_of(error)
        refused = AppealForm(decision.id, reason, problems)
        return await _home(
            request, viewer, db, now, refused=refused,
            status_code=error.status_code if isinstance(error, DomainError) else 422,
        )  # fmt: skip
    return RedirectResponse("/home#attended-title", status_code=303)


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
    lesson_ids = [one.id for one in given]
    decisions = await own_decisions(db=db, user_id=user.id, lesson_ids=lesson_ids)
    filed = await appeals.newest_per_lesson(db=db, user_id=user.id, lesson_ids=lesson_ids)
    return [
        AttendedLessonRow(lesson, decisions.get(lesson.id), filed.get(lesson.id))
        for lesson in given
    ]


async def _visible(
    db: AsyncSession, user: User, *, start: datetime, end: datetime
) -> Sequence[Lesson]:
    return await lessons.list_visible(
        db=db, caller=user, start=start, end=end, term_id=None, limit=MOST_LESSONS, offset=0
    )


def _next_step(enrolment: FaceEnrolmentRead) -> NextStep | None:
    if enrolment.consent is None:
        why = "Before your next lesson: read and give your consent to face checks."
        return NextStep("/consent", "Give consent", why)
    if not enrolment.enrolled:
        why = "Before your next lesson: take a picture of your face with the webcam."
        return NextStep("/enrolment", "Enrol your face", why)
    return None
