"""Attendance decisions: each student's checks folded by the course's policy. Flushes only.

Every decision is kept: deciding again appends a row and the newest row is the current one.
A lesson is decided when it finishes (``lessons.service.finish``: stopped by its instructor
or, once its planned end is long past, by the system); a student is decided again after each
review of one of their captures and when a capture still being analysed at the stop receives
its verdict.
"""

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from trust_lesson.attendance.checks import (
    Check,
    cancelled_end_checks,
    checks_query,
    group_by_student,
    to_check,
)
from trust_lesson.attendance.policies import lesson_policy
from trust_lesson.courses.scopes import student_of_term
from trust_lesson.errors import Conflict, NotFound
from trust_lesson.evidence import events as evidence
from trust_lesson.models import (
    AttendanceDecision,
    Capture,
    Challenge,
    ChallengeStatus,
    Lesson,
    LessonStatus,
    PresenceSession,
    User,
)
from trust_lesson.presence.decision import decide
from trust_lesson.presence.policy import AttendancePolicy
from trust_lesson.presence.verdicts import AttendancePath, Decision, Verdict


async def decide_lesson(
    *, db: AsyncSession, lesson: Lesson, now: datetime
) -> list[AttendanceDecision]:
    """Decide every student of a lesson that just stopped: joined ones and enrolled ones."""
    await settle_challenges(db=db, lesson_id=lesson.id, now=now)
    policy = await lesson_policy(db=db, lesson=lesson)
    students = await lesson_students(db=db, lesson=lesson)
    checks = group_by_student(
        [to_check(row) for row in await db.execute(checks_query(lesson.id, now))]
    )
    cancelled = set((await db.execute(cancelled_end_checks(lesson.id))).scalars())
    decisions = [
        _decision(lesson.id, user_id, checks.get(user_id, []), policy, now, cancelled)
        for user_id in students
    ]
    db.add_all(decisions)
    await db.flush()
    await evidence.attendance_decided(db, decisions)
    return decisions


async def redecide_student(
    *,
    db: AsyncSession,
    lesson: Lesson,
    user_id: int,
    now: datetime,
    decided_by: int | None = None,
    reason: str | None = None,
) -> AttendanceDecision:
    """Decide one student of a finished lesson again (after a review or a late verdict)."""
    policy = await lesson_policy(db=db, lesson=lesson)
    query = checks_query(lesson.id, now).where(Challenge.user_id == user_id)
    checks = [to_check(row) for row in await db.execute(query)]
    cancelled = cancelled_end_checks(lesson.id).where(Challenge.user_id == user_id)
    ended_early = set((await db.execute(cancelled)).scalars())
    decision = _decision(lesson.id, user_id, checks, policy, now, ended_early)
    decision.decided_by, decision.reason = decided_by, reason
    db.add(decision)
    await db.flush()
    await evidence.attendance_decided(db, [decision])
    return decision


async def mark_presence(
    *,
    db: AsyncSession,
    lesson: Lesson,
    user_id: int,
    decision: Decision,
    reason: str,
    marked_by: int,
    now: datetime,
) -> AttendanceDecision:
    """The instructor decides a student's attendance themselves, with a reason (R24: the way
    to attend without biometrics when no check could be confirmed). The checks so far are
    counted for the record; the newest decision is the current one, as always."""
    if await _locked_status(db, lesson.id) is not LessonStatus.FINISHED:
        raise Conflict("Mark presence once the lesson has stopped; until then its checks count.")
    if user_id not in await lesson_students(db=db, lesson=lesson):
        raise NotFound("No such student in this lesson.")
    query = checks_query(lesson.id, now).where(Challenge.user_id == user_id)
    checks = [to_check(row) for row in await db.execute(query)]
    marked = AttendanceDecision(
        lesson_id=lesson.id,
        user_id=user_id,
        decision=decision,
        reasons=[f"marked {decision.value} by the instructor: {reason}"],
        checks_total=len(checks),
        checks_verified=sum(check.final_verdict(now) is Verdict.VERIFIED for check in checks),
        decided_at=now,
        decided_by=marked_by,
        reason=reason,
        path=AttendancePath.INSTRUCTOR,
    )
    db.add(marked)
    await db.flush()
    await evidence.attendance_decided(db, [marked])
    return marked


async def _locked_status(db: AsyncSession, lesson_id: int) -> LessonStatus | None:
    """Read under the lesson's row lock: a stop at the same moment comes before or after."""
    query = select(Lesson.status).where(Lesson.id == lesson_id).with_for_update()
    return await db.scalar(query)


def _decision(
    lesson_id: int,
    user_id: int,
    checks: Sequence[Check],
    policy: AttendancePolicy,
    now: datetime,
    end_check_cancelled_for: set[int],
) -> AttendanceDecision:
    result = decide(
        [check.outcome(now) for check in checks],
        policy,
        end_check_cancelled=user_id in end_check_cancelled_for,
    )
    biometric = any(check.face_processed for check in checks)
    return AttendanceDecision(
        lesson_id=lesson_id,
        user_id=user_id,
        decision=result.decision,
        reasons=list(result.reasons),
        checks_total=result.checks_total,
        checks_verified=result.checks_verified,
        decided_at=now,
        decided_by=None,
        reason=None,
        path=AttendancePath.BIOMETRIC if biometric else AttendancePath.NON_BIOMETRIC,
    )


async def settle_challenges(*, db: AsyncSession, lesson_id: int, now: datetime) -> None:
    """At the stop: unanswered challenges still ahead or still answerable are CANCELLED (the
    student had no full chance to answer them), those past their deadline are MISSED."""
    unanswered = (
        Challenge.lesson_id == lesson_id,
        Challenge.status == ChallengeStatus.OPEN,
        ~exists().where(Capture.challenge_id == Challenge.id),
    )
    for condition, status in (
        (Challenge.deadline > now, ChallengeStatus.CANCELLED),
        (Challenge.deadline <= now, ChallengeStatus.MISSED),
    ):
        await db.execute(
            update(Challenge)
            .where(*unanswered, condition)
            .values(status=status)
            .execution_options(synchronize_session=False)
        )


async def lesson_students(*, db: AsyncSession, lesson: Lesson) -> list[int]:
    """Students enrolled in the lesson's term, and anybody who joined it, by id."""
    enrolled = select(User.id).where(student_of_term(User.id, lesson.term_id))
    joined = select(PresenceSession.user_id).where(PresenceSession.lesson_id == lesson.id)
    ids = set((await db.execute(enrolled)).scalars()) | set((await db.execute(joined)).scalars())
    return sorted(ids)


def is_newest() -> ColumnElement[bool]:
    """The decision row is the newest of its student in its lesson (the current one)."""
    newer = aliased(AttendanceDecision)
    return ~exists().where(
        newer.lesson_id == AttendanceDecision.lesson_id,
        newer.user_id == AttendanceDecision.user_id,
        newer.id > AttendanceDecision.id,
    )


async def list_decisions(
    *,
    db: AsyncSession,
    lesson: Lesson,
    user_id: int | None,
    history: bool,
    limit: int,
    offset: int,
    among: Collection[int] | None = None,
) -> Sequence[AttendanceDecision]:
    """Current decisions (or every decision, oldest first) of all students, of one, or of
    those `among` (a page of the roster)."""
    query = select(AttendanceDecision).where(AttendanceDecision.lesson_id == lesson.id)
    if not history:
        query = query.where(is_newest())
    if user_id is not None:
        query = query.where(AttendanceDecision.user_id == user_id)
    if among is not None:
        query = query.where(AttendanceDecision.user_id.in_(among))
    query = query.order_by(AttendanceDecision.user_id, AttendanceDecision.id)
    return (await db.execute(query.limit(limit).offset(offset))).scalars().all()


async def redecide_late_verdicts(*, db: AsyncSession, now: datetime, limit: int = 200) -> int:
    """Decide again students whose current decision is PENDING_REVIEW and one of whose
    captures was analysed after it (the capture was still being analysed at the stop)."""
    analysed_later = exists().where(
        Capture.lesson_id == AttendanceDecision.lesson_id,
        Capture.user_id == AttendanceDecision.user_id,
        Capture.analyzed_at > AttendanceDecision.decided_at,
    )
    query = select(AttendanceDecision).where(
        AttendanceDecision.decision == Decision.PENDING_REVIEW, is_newest(), analysed_later
    )
    stale = (await db.execute(query.limit(limit))).scalars().all()
    redecided = 0
    for decision in stale:
        lesson = await _locked_lesson(db, decision.lesson_id)
        if await _still_newest(db, decision):  # another worker may have decided meanwhile
            await redecide_student(db=db, lesson=lesson, user_id=decision.user_id, now=now)
            redecided += 1
    return redecided


async def _locked_lesson(db: AsyncSession, lesson_id: int) -> Lesson:
    """The lesson, locked against a second worker deciding its students at the same time."""
    query = select(Lesson).where(Lesson.id == lesson_id).with_for_update()
    return (await db.execute(query)).scalar_one()


async def _still_newest(db: AsyncSession, decision: AttendanceDecision) -> bool:
    newest = await db.scalar(
        select(func.max(AttendanceDecision.id)).where(
            AttendanceDecision.lesson_id == decision.lesson_id,
            AttendanceDecision.user_id == decision.user_id,
        )
    )
    return newest == decision.id
