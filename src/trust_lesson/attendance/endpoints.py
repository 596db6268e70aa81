from fastapi import APIRouter, status

from trust_lesson.attendance import appeals, policies, reviews, roster, service
from trust_lesson.attendance.dependencies import (
    AnswerableAppeal,
    OwnDecision,
    PolicyCourse,
    ReviewableCapture,
    ScopedAttendance,
    StaffedLesson,
)
from trust_lesson.attendance.schemas import (
    AppealAnswer,
    AppealCreate,
    AppealRead,
    AttendanceRead,
    PresenceMark,
    ReviewCreate,
    ReviewItem,
    ReviewOutcome,
    ReviewRead,
    RosterEntry,
)
from trust_lesson.auth.dependencies import CurrentUser, StaffUser
from trust_lesson.courses.dependencies import VisibleCourse
from trust_lesson.deps import DbDep, NowDep, PageDep, RowIdPath
from trust_lesson.models import AttendanceDecision
from trust_lesson.presence.policy import AttendancePolicy

router = APIRouter(prefix="/api/v1", tags=["attendance"])


@router.get("/lessons/{lesson_id}/roster", response_model=list[RosterEntry])
async def read_roster(
    lesson: StaffedLesson, db: DbDep, now: NowDep, page: PageDep
) -> list[RosterEntry]:
    return await roster.roster(db=db, lesson=lesson, now=now, limit=page.limit, offset=page.offset)


@router.get("/lessons/{lesson_id}/attendance", response_model=list[AttendanceRead])
async def read_attendance(
    scope: ScopedAttendance, db: DbDep, page: PageDep, history: bool = False
) -> list[AttendanceDecision]:
    """Each student's current decision; `history=true` gives every decision, oldest first."""
    decisions = await service.list_decisions(
        db=db,
        lesson=scope.lesson,
        user_id=scope.only_user_id,
        history=history,
        limit=page.limit,
        offset=page.offset,
    )
    return list(decisions)


@router.post(
    "/lessons/{lesson_id}/attendance/{user_id}",
    response_model=AttendanceRead,
    status_code=status.HTTP_201_CREATED,
)
async def mark_presence(
    user_id: RowIdPath,
    data: PresenceMark,
    lesson: StaffedLesson,
    caller: StaffUser,
    db: DbDep,
    now: NowDep,
) -> AttendanceDecision:
    """The instructor marks a student's attendance of a stopped lesson, with a reason (R24)."""
    return await service.mark_presence(
        db=db, lesson=lesson, user_id=user_id, decision=data.decision, reason=data.reason,
        marked_by=caller.id, now=now,
    )  # fmt: skip


@router.get("/reviews", response_model=list[ReviewItem])
async def list_reviews(caller: StaffUser, db: DbDep, page: PageDep) -> list[ReviewItem]:
    """Captures awaiting a reviewer's verdict in the caller's lessons, oldest first."""
    return await reviews.open_items(db=db, caller=caller, limit=page.limit, offset=page.offset)


@router.post(
    "/captures/{capture_id}/review",
    response_model=ReviewOutcome,
    status_code=status.HTTP_201_CREATED,
)
async def review_capture(
    data: ReviewCreate, target: ReviewableCapture, caller: StaffUser, db: DbDep, now: NowDep
) -> ReviewOutcome:
    capture, lesson = target
    entry, decision = await reviews.review(
        db=db, capture=capture, lesson=lesson, reviewer=caller, data=data, now=now
    )
    return ReviewOutcome(
        review=ReviewRead.model_validate(entry),
        attendance=AttendanceRead.model_validate(decision) if decision is not None else None,
    )


@router.post(
    "/decisions/{decision_id}/appeals",
    response_model=AppealRead,
    status_code=status.HTTP_201_CREATED,
)
async def file_appeal(
    data: AppealCreate, decision: OwnDecision, caller: CurrentUser, db: DbDep, now: NowDep
) -> AppealRead:
    """The student appeals their own current decision of a finished lesson (not ATTENDED)."""
    appeal = await appeals.file(db=db, decision=decision, data=data, now=now)
    return await appeals.read(db=db, appeal=appeal)


@router.get("/appeals", response_model=list[AppealRead])
async def list_appeals(
    caller: CurrentUser, db: DbDep, page: PageDep, open_only: bool = False
) -> list[AppealRead]:
    """One's own appeals, and the open appeals of the lessons one reviews; oldest first."""
    return await appeals.listed(
        db=db, caller=caller, open_only=open_only, limit=page.limit, offset=page.offset
    )


@router.post("/appeals/{appeal_id}/answer", response_model=AppealRead)
async def answer_appeal(
    data: AppealAnswer, appeal: AnswerableAppeal, caller: StaffUser, db: DbDep, now: NowDep
) -> AppealRead:
    """UPHELD (the decision stands) or GRANTED (corrected first), with a reply."""
    await appeals.answer(db=db, appeal=appeal, reviewer=caller, data=data, now=now)
    return await appeals.read(db=db, appeal=appeal)


@router.get("/courses/{course_id}/policy", response_model=AttendancePolicy)
async def read_policy(course: VisibleCourse) -> AttendancePolicy:
    """The course's attendance policy (the defaults unless the course set its own)."""
    return policies.course_policy(course)


@router.put("/courses/{course_id}/policy", response_model=AttendancePolicy)
async def replace_policy(
    data: AttendancePolicy, course: PolicyCourse, db: DbDep
) -> AttendancePolicy:
    """Set the whole policy; fields left out take their default value."""
    return await policies.set_policy(db=db, course=course, policy=data)


@router.delete("/courses/{course_id}/policy", response_model=AttendancePolicy)
async def reset_policy(course: PolicyCourse, db: DbDep) -> AttendancePolicy:
    """Back to the defaults."""
    return await policies.set_policy(db=db, course=course, policy=None)
