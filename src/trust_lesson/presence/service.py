"""Live presence: joining a lesson, the challenge due now, reading a capture. Flushes only.

The schedule of a student's challenges is chosen once, when they join, and written as
Challenge rows; afterwards every "anything for me?" is one indexed query on
(lesson_id, user_id, issued_at). A future challenge is never shown: only its time, as the
moment to ask again, capped at ``LONGEST_POLL_WAIT`` so a client notices a stopped lesson.
"""

import math
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.errors import Conflict, NotFound
from trust_lesson.models import (
    Capture,
    Challenge,
    ChallengeStatus,
    Lesson,
    LessonStatus,
    PresenceSession,
    Role,
    User,
)
from trust_lesson.presence.dependencies import AttendedLesson, find_attended_lesson
from trust_lesson.presence.schedule import ChallengeSchedule, plan_challenges

LONGEST_POLL_WAIT = timedelta(minutes=2)
NONCE_BYTES = 32


@dataclass(frozen=True)
class NextChallenge:
    """The challenge due now (or None) and when the student should ask again."""

    challenge: Challenge | None
    next_poll_after: datetime | None
    now: datetime

    @property
    def retry_after_seconds(self) -> int | None:
        if self.next_poll_after is None:
            return None
        return max(1, math.ceil((self.next_poll_after - self.now).total_seconds()))


async def join(
    *, db: AsyncSession, caller: User, attended: AttendedLesson, now: datetime, rng: random.Random
) -> tuple[PresenceSession, NextChallenge]:
    """Record the student's presence session and plan their challenges; idempotent."""
    lesson = attended.lesson
    _require_running(lesson)
    session = await _presence_session(db, lesson.id, caller.id)
    if session is None:
        session, created = await _start_session(db, lesson.id, caller.id, now)
        if created:
            schedule = _plan(attended, now, rng)
            db.add_all(_challenge_rows(schedule, lesson.id, caller.id))
            await db.flush()
    return session, await _first_open(db, lesson.id, caller.id, now)


async def next_challenge(
    *, db: AsyncSession, caller: User, lesson_id: int, now: datetime
) -> NextChallenge:
    """The caller's challenge due now, or when to ask again (see the module docstring)."""
    row = (await db.execute(_first_open_query(lesson_id, caller.id, now))).first()
    if row is not None:
        challenge, status = row
        return _reply(challenge if status is LessonStatus.RUNNING else None, now)
    await find_attended_lesson(db=db, caller=caller, lesson_id=lesson_id)
    if await _presence_session(db, lesson_id, caller.id) is None:
        raise Conflict("Join the lesson first: POST /api/v1/lessons/{id}/join.")
    return _reply(None, now)


async def visible_capture(*, db: AsyncSession, caller: User, capture_id: int) -> Capture:
    """The capture if the caller is its owner, the lesson's instructor or an admin; else 404."""
    query = select(Capture).where(Capture.id == capture_id)
    if caller.role is not Role.ADMIN:
        taught = select(Lesson.id).where(
            Lesson.id == Capture.lesson_id, Lesson.instructor_id == caller.id
        )
        query = query.where(or_(Capture.user_id == caller.id, taught.exists()))
    capture = (await db.execute(query)).scalar_one_or_none()
    if capture is None:
        raise NotFound("No such capture.")
    return capture


def _require_running(lesson: Lesson) -> None:
    if lesson.status is not LessonStatus.RUNNING:
        raise Conflict(f"The lesson is {lesson.status.lower()}, not running: nothing to join.")


async def _presence_session(
    db: AsyncSession, lesson_id: int, user_id: int
) -> PresenceSession | None:
    query = select(PresenceSession).where(
        PresenceSession.lesson_id == lesson_id, PresenceSession.user_id == user_id
    )
    return (await db.execute(query)).scalar_one_or_none()


async def _start_session(
    db: AsyncSession, lesson_id: int, user_id: int, now: datetime
) -> tuple[PresenceSession, bool]:
    """A new session (True); when a parallel join of the same student won, that one (False)."""
    session = PresenceSession(lesson_id=lesson_id, user_id=user_id, joined_at=now)
    try:
        async with db.begin_nested():
            db.add(session)
            await db.flush()
    except IntegrityError:
        existing = await _presence_session(db, lesson_id, user_id)
        if existing is None:
            raise
        return existing, False
    return session, True


def _plan(attended: AttendedLesson, now: datetime, rng: random.Random) -> ChallengeSchedule:
    lesson = attended.lesson
    return plan_challenges(
        lesson_start=lesson.effective_start_date or lesson.start_date,
        planned_duration=timedelta(minutes=lesson.duration_min),
        joined_at=now,
        policy=attended.policy,
        rng=rng,
    )


def _challenge_rows(schedule: ChallengeSchedule, lesson_id: int, user_id: int) -> list[Challenge]:
    return [
        Challenge(
            lesson_id=lesson_id,
            user_id=user_id,
            kind=planned.kind,
            nonce=secrets.token_urlsafe(NONCE_BYTES),
            issued_at=planned.issued_at,
            deadline=planned.deadline,
            status=ChallengeStatus.OPEN,
        )
        for planned in schedule.challenges
    ]


def _first_open_query(
    lesson_id: int, user_id: int, now: datetime
) -> Select[Challenge, LessonStatus]:
    return (
        select(Challenge, Lesson.status)
        .join(Lesson, Lesson.id == Challenge.lesson_id)
        .where(
            Challenge.lesson_id == lesson_id,
            Challenge.user_id == user_id,
            Challenge.status == ChallengeStatus.OPEN,
            Challenge.deadline > now,
        )
        .order_by(Challenge.issued_at)
        .limit(1)
    )


async def _first_open(
    db: AsyncSession, lesson_id: int, user_id: int, now: datetime
) -> NextChallenge:
    row = (await db.execute(_first_open_query(lesson_id, user_id, now))).first()
    return _reply(None if row is None else row[0], now)


def _reply(first_open: Challenge | None, now: datetime) -> NextChallenge:
    """Due now -> shown (ask again at its deadline); later -> only when to ask; none -> stop."""
    if first_open is None:
        return NextChallenge(challenge=None, next_poll_after=None, now=now)
    due = first_open.issued_at <= now
    poll_at = first_open.deadline if due else first_open.issued_at
    return NextChallenge(
        challenge=first_open if due else None,
        next_poll_after=min(poll_at, now + LONGEST_POLL_WAIT),
        now=now,
    )
