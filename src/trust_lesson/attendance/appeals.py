"""Appeals of attendance decisions: a student files one against their own decision with a
reason; a reviewer of the lesson (``reviews_lesson``, the people who settle its captures)
answers it. Flushes only.

An appeal never changes a decision itself. A reviewer who agrees corrects the decision the
way decisions are corrected today (reviews of the captures, which decide the student again,
or a marked presence), then answers GRANTED; UPHELD says the decision stands. One appeal per
decision: a later decision of the lesson can be appealed again.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from trust_lesson.attendance.schemas import AppealAnswer, AppealCreate, AppealRead
from trust_lesson.courses.scopes import reviews_lesson
from trust_lesson.errors import Conflict, Forbidden, NotFound
from trust_lesson.evidence import events as evidence
from trust_lesson.models import (
    AppealOutcome,
    AttendanceAppeal,
    AttendanceDecision,
    Capture,
    Lesson,
    LessonStatus,
    User,
)
from trust_lesson.presence.verdicts import Decision

NO_DECISION = "No such attendance decision."
NO_APPEAL = "No such appeal."
ALREADY_OPEN = "An appeal of this decision is already open."


async def own_decision(*, db: AsyncSession, caller: User, decision_id: int) -> AttendanceDecision:
    """One of the caller's own decisions; anybody else's is not found (no leak)."""
    query = select(AttendanceDecision).where(
        AttendanceDecision.id == decision_id, AttendanceDecision.user_id == caller.id
    )
    found = (await db.execute(query)).scalar_one_or_none()
    if found is None:
        raise NotFound(NO_DECISION)
    return found


async def file(
    *, db: AsyncSession, decision: AttendanceDecision, data: AppealCreate, now: datetime
) -> AttendanceAppeal:
    """The student appeals their current decision of a finished lesson (not ATTENDED)."""
    await _ensure_appealable(db, decision)
    appeal = AttendanceAppeal(
        decision_id=decision.id,
        lesson_id=decision.lesson_id,
        user_id=decision.user_id,
        reason=data.reason,
        filed_at=now,
    )
    try:
        async with db.begin_nested():
            db.add(appeal)
            await db.flush()
    except IntegrityError:  # a parallel appeal of the same decision won
        raise Conflict(ALREADY_OPEN) from None
    await evidence.appeal_filed(db, appeal)
    return appeal


async def _ensure_appealable(db: AsyncSession, decision: AttendanceDecision) -> None:
    if decision.decision is Decision.ATTENDED:
        raise Conflict("This decision is ATTENDED: there is nothing to appeal.")
    status = await db.scalar(select(Lesson.status).where(Lesson.id == decision.lesson_id))
    if status is not LessonStatus.FINISHED:
        raise Conflict("Appeal once the lesson has finished.")
    if await _newer_decision_exists(db, decision.id, decision.lesson_id, decision.user_id):
        raise Conflict("A newer decision replaced this one; appeal that one if you disagree.")
    query = select(AttendanceAppeal.outcome).where(AttendanceAppeal.decision_id == decision.id)
    earlier = (await db.execute(query)).first()
    if earlier is not None:
        raise Conflict(
            ALREADY_OPEN
            if earlier.outcome is None
            else "This decision's appeal has been answered; a new decision can be appealed."
        )


async def _newer_decision_exists(
    db: AsyncSession, decision_id: int, lesson_id: int, user_id: int
) -> bool:
    newer = exists().where(
        AttendanceDecision.lesson_id == lesson_id,
        AttendanceDecision.user_id == user_id,
        AttendanceDecision.id > decision_id,
    )
    return bool(await db.scalar(select(newer)))


def _answers(caller: User) -> ColumnElement[bool]:
    return reviews_lesson(caller, AttendanceAppeal.lesson_id)


async def answerable(*, db: AsyncSession, caller: User, appeal_id: int) -> AttendanceAppeal:
    """An appeal of a lesson the caller reviews; anything else is not found."""
    query = select(AttendanceAppeal).where(AttendanceAppeal.id == appeal_id, _answers(caller))
    found = (await db.execute(query)).scalar_one_or_none()
    if found is None:
        raise NotFound(NO_APPEAL)
    return found


async def answer(
    *,
    db: AsyncSession,
    appeal: AttendanceAppeal,
    reviewer: User,
    data: AppealAnswer,
    now: datetime,
) -> AttendanceAppeal:
    """Answer an open appeal. The conditional update lets exactly one answer through when two
    reviewers answer at once; the other is told it has been answered (409)."""
    if appeal.user_id == reviewer.id:
        raise Forbidden("Nobody answers their own appeal.")
    if data.outcome is AppealOutcome.GRANTED and not await _newer_decision_exists(
        db, appeal.decision_id, appeal.lesson_id, appeal.user_id
    ):
        raise Conflict(
            "outcome: correct the decision first (override the student's checks or mark the "
            "presence), then grant the appeal; answer UPHELD if the decision stands."
        )
    result = await db.execute(
        update(AttendanceAppeal)
        .where(AttendanceAppeal.id == appeal.id, AttendanceAppeal.outcome.is_(None))
        .values(outcome=data.outcome, reply=data.reply, answered_by=reviewer.id, answered_at=now)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise Conflict("This appeal has already been answered.")
    await db.refresh(appeal)
    await evidence.appeal_answered(db, appeal)
    return appeal


async def listed(
    *, db: AsyncSession, caller: User, open_only: bool, limit: int, offset: int
) -> list[AppealRead]:
    """The caller's own appeals, and the open ones of the lessons they review; oldest first."""
    theirs = AttendanceAppeal.user_id == caller.id
    to_answer = and_(AttendanceAppeal.outcome.is_(None), _answers(caller))
    scope = and_(theirs, AttendanceAppeal.outcome.is_(None)) if open_only else theirs
    return await _reads(db, or_(scope, to_answer), limit=limit, offset=offset)


async def to_answer(*, db: AsyncSession, caller: User, limit: int, offset: int) -> list[AppealRead]:
    """The open appeals the caller answers (their review queue), oldest first."""
    return await _reads(db, _open_to(caller), limit=limit, offset=offset)


async def to_answer_count(*, db: AsyncSession, caller: User) -> int:
    """How many appeals `to_answer` lists for the caller over all its pages."""
    query = select(func.count()).select_from(AttendanceAppeal).where(_open_to(caller))
    return await db.scalar(query) or 0


def _open_to(caller: User) -> ColumnElement[bool]:
    return and_(AttendanceAppeal.outcome.is_(None), _answers(caller))


async def read(*, db: AsyncSession, appeal: AttendanceAppeal) -> AppealRead:
    found = await _reads(db, AttendanceAppeal.id == appeal.id, limit=1, offset=0)
    return found[0]


async def newest_per_lesson(
    *, db: AsyncSession, user_id: int, lesson_ids: Sequence[int]
) -> dict[int, AppealRead]:
    """The student's newest appeal in each of these lessons (what their home shows)."""
    if not lesson_ids:
        return {}
    newer = aliased(AttendanceAppeal)
    newest = ~exists().where(
        newer.lesson_id == AttendanceAppeal.lesson_id,
        newer.user_id == AttendanceAppeal.user_id,
        newer.id > AttendanceAppeal.id,
    )
    scope = and_(
        AttendanceAppeal.user_id == user_id, AttendanceAppeal.lesson_id.in_(lesson_ids), newest
    )
    found = await _reads(db, scope, limit=len(lesson_ids), offset=0)
    return {appeal.lesson_id: appeal for appeal in found}


async def _reads(
    db: AsyncSession, scope: ColumnElement[bool], *, limit: int, offset: int
) -> list[AppealRead]:
    query = (
        select(AttendanceAppeal, AttendanceDecision, Lesson.title, User.full_name, User.username)
        .join(AttendanceDecision, AttendanceDecision.id == AttendanceAppeal.decision_id)
        .join(Lesson, Lesson.id == AttendanceAppeal.lesson_id)
        .join(User, User.id == AttendanceAppeal.user_id)
        .where(scope)
        .order_by(AttendanceAppeal.filed_at, AttendanceAppeal.id)
        .limit(limit)
        .offset(offset)
    )
    rows = (await db.execute(query)).all()
    captures = await _capture_ids(db, {(row[0].lesson_id, row[0].user_id) for row in rows})
    return [_read(*row, captures.get((row[0].lesson_id, row[0].user_id), [])) for row in rows]


def _read(
    appeal: AttendanceAppeal,
    decision: AttendanceDecision,
    title: str,
    full_name: str,
    username: str,
    capture_ids: list[int],
) -> AppealRead:
    fields: dict[str, Any] = {
        name: getattr(appeal, name)
        for name in ("id", "decision_id", "lesson_id", "user_id", "reason", "filed_at",
                     "outcome", "reply", "answered_at")
    }  # fmt: skip
    return AppealRead(
        **fields,
        lesson_title=title,
        full_name=full_name,
        username=username,
        decision=decision.decision,
        decision_reasons=list(decision.reasons or []),
        capture_ids=capture_ids,
    )


async def _capture_ids(
    db: AsyncSession, pairs: set[tuple[int, int]]
) -> dict[tuple[int, int], list[int]]:
    """The captures of each (lesson, student), in the order they were taken."""
    if not pairs:
        return {}
    lessons = {lesson_id for lesson_id, _ in pairs}
    students = {user_id for _, user_id in pairs}
    query = (
        select(Capture.lesson_id, Capture.user_id, Capture.id)
        .where(Capture.lesson_id.in_(lessons), Capture.user_id.in_(students))
        .order_by(Capture.created_at, Capture.id)
    )
    found: dict[tuple[int, int], list[int]] = {}
    for lesson_id, user_id, capture_id in (await db.execute(query)).all():
        if (lesson_id, user_id) in pairs:
            found.setdefault((lesson_id, user_id), []).append(capture_id)
    return found
