"""Review of captures: the open items of a reviewer, and a reviewer's verdict with its reason."""

from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.attendance import service
from trust_lesson.attendance.schemas import ReviewCreate, ReviewItem
from trust_lesson.courses.scopes import reviews_lesson
from trust_lesson.errors import Conflict, NotFound
from trust_lesson.evidence import events as evidence
from trust_lesson.models import (
    AttendanceDecision,
    Capture,
    CaptureReview,
    CaptureStatus,
    Challenge,
    Lesson,
    LessonStatus,
    Term,
    User,
)
from trust_lesson.presence.verdicts import AWAITS_REVIEW


async def open_items(
    *, db: AsyncSession, caller: User, limit: int, offset: int
) -> list[ReviewItem]:
    """Captures awaiting review (NEEDS_REVIEW, LIVENESS_FAILED) and never reviewed, in
    lessons the caller manages, oldest first."""
    query = (
        select(
            Capture,
            Lesson.title,
            User.username,
            User.full_name,
            Challenge.kind,
            Challenge.liveness,
        )
        .join(Lesson, Lesson.id == Capture.lesson_id)
        .join(Term, Term.id == Lesson.term_id)
        .join(User, User.id == Capture.user_id)
        .join(Challenge, Challenge.id == Capture.challenge_id)
        .where(_open_to(caller))
        .order_by(Capture.created_at, Capture.id)
        .limit(limit)
        .offset(offset)
    )
    return [
        ReviewItem(
            capture_id=capture.id,
            lesson_id=capture.lesson_id,
            lesson_title=title,
            user_id=capture.user_id,
            username=username,
            full_name=full_name,
            challenge_kind=kind,
            liveness=liveness,
            similarity=capture.similarity,
            reasons=list(capture.reasons or []),
            created_at=capture.created_at,
        )
        for capture, title, username, full_name, kind, liveness in (await db.execute(query)).all()
    ]


async def open_count(*, db: AsyncSession, caller: User) -> int:
    """How many captures `open_items` lists for the caller over all its pages."""
    query = select(func.count()).select_from(Capture).where(_open_to(caller))
    return await db.scalar(query) or 0


def _open_to(caller: User) -> ColumnElement[bool]:
    return and_(
        Capture.verdict.in_(AWAITS_REVIEW),
        ~exists().where(CaptureReview.capture_id == Capture.id),
        reviews_lesson(caller, Capture.lesson_id),
    )


async def find_capture(
    *, db: AsyncSession, caller: User, capture_id: int
) -> tuple[Capture, Lesson]:
    """The capture and its lesson if the caller may review the lesson; else 404."""
    query = (
        select(Capture, Lesson)
        .join(Lesson, Lesson.id == Capture.lesson_id)
        .where(Capture.id == capture_id, reviews_lesson(caller, Lesson.id))
    )
    row = (await db.execute(query)).first()
    if row is None:
        raise NotFound("No such capture.")
    return row[0], row[1]


async def review(
    *,
    db: AsyncSession,
    capture: Capture,
    lesson: Lesson,
    reviewer: User,
    data: ReviewCreate,
    now: datetime,
) -> tuple[CaptureReview, AttendanceDecision | None]:
    """Record the reviewer's verdict; decide the student again if the lesson has finished."""
    if capture.status is not CaptureStatus.DONE:
        raise Conflict("This capture is still being analysed; review it once it has a verdict.")
    entry = CaptureReview(
        capture_id=capture.id,
        reviewer_id=reviewer.id,
        verdict=data.decision,
        reason=data.reason,
        created_at=now,
    )
    db.add(entry)
    await db.flush()
    await evidence.capture_reviewed(db, entry)
    if await _status_now(db, lesson) is not LessonStatus.FINISHED:
        return entry, None
    decision = await service.redecide_student(
        db=db,
        lesson=lesson,
        user_id=capture.user_id,
        now=now,
        decided_by=reviewer.id,
        reason=data.reason,
    )
    return entry, decision


async def _status_now(db: AsyncSession, lesson: Lesson) -> LessonStatus | None:
    """The lesson's status read after the review is written, under the lesson's row lock: a
    stop running at the same moment either sees this review or is seen here as FINISHED."""
    query = select(Lesson.status).where(Lesson.id == lesson.id).with_for_update()
    return await db.scalar(query)


async def capture_reviews(*, db: AsyncSession, capture: Capture) -> list[CaptureReview]:
    """Every review of a capture, oldest first (the latest one counts)."""
    query = (
        select(CaptureReview)
        .where(CaptureReview.capture_id == capture.id)
        .order_by(CaptureReview.id)
    )
    return list((await db.execute(query)).scalars().all())
