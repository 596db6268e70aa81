"""Live presence: joining a lesson, the challenge due now, reading a capture. Flushes only.

The schedule of a student's challenges is chosen once, when they join, and written as
Challenge rows; afterwards every "anything for me?" is one indexed query on
(lesson_id, user_id, issued_at). A future challenge is never shown, nor when it comes: while
nothing is due every student gets the same "nothing yet" (ask again at once when the server
held the request, see ``waiting.py``, or after ``POLL_AGAIN`` when it did not). The time of the
next challenge stays on the server (``NextChallenge.upcoming_at``) for the held wait.
"""

import functools
import math
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, bindparam, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.courses.scopes import reviews_lesson, student_of_term
from trust_lesson.errors import Conflict, Forbidden, NotFound
from trust_lesson.identity.records import is_verified
from trust_lesson.lessons import service as lessons
from trust_lesson.models import (
    Capture,
    Challenge,
    ChallengeStatus,
    Course,
    Lesson,
    LessonStatus,
    PresenceSession,
    Term,
    User,
)
from trust_lesson.presence.policy import AttendancePolicy
from trust_lesson.presence.schedule import ChallengeSchedule, plan_challenges

POLL_AGAIN = timedelta(seconds=10)
"""How soon a client that did not hold its request asks again (the same for everybody)."""
NONCE_BYTES = 32


class IdentityRequired(Forbidden):
    code = "identity_required"


@dataclass(frozen=True)
class AttendedLesson:
    """A lesson the caller attends as an enrolled student, and the policy that checks them."""

    lesson: Lesson
    policy: AttendancePolicy


async def find_attended_lesson(*, db: AsyncSession, caller: User, lesson_id: int) -> AttendedLesson:
    """One query: the lesson with its course's policy, if the caller is a student of its term.

    Out of the caller's sight -> 404; visible but not a student of its term -> 403.
    """
    query = (
        select(Lesson, Course.id, Course.policy)
        .join(Term, Term.id == Lesson.term_id)
        .join(Course, Course.id == Term.course_id)
        .where(Lesson.id == lesson_id, student_of_term(caller.id, Term.id))
    )
    row = (await db.execute(query)).first()
    if row is None:
        await lessons.find(db=db, caller=caller, lesson_id=lesson_id)  # 404 when out of sight
        raise Forbidden("Only the term's enrolled students take part in a lesson.")
    policy = AttendancePolicy.from_stored(row[2], course_id=row[1])
    return AttendedLesson(lesson=row[0], policy=policy)


@dataclass(frozen=True)
class NextChallenge:
    """The challenge due now (or None) and when the student should ask again.

    ``upcoming_at`` (when the next challenge is issued) is for the server's held wait only and
    is never sent to the student.
    """

    challenge: Challenge | None
    next_poll_after: datetime | None
    now: datetime
    upcoming_at: datetime | None = None

    @property
    def retry_after_seconds(self) -> int | None:
        if self.next_poll_after is None:
            return None
        return max(0, math.ceil((self.next_poll_after - self.now).total_seconds()))

    @property
    def waiting(self) -> bool:
        """Nothing due yet, the lesson still running: a held request may wait."""
        return self.challenge is None and self.next_poll_after is not None


async def join(
    *, db: AsyncSession, caller: User, attended: AttendedLesson, now: datetime, rng: random.Random
) -> tuple[PresenceSession, NextChallenge]:
    """Record the student's presence session and plan their challenges; idempotent."""
    lesson = attended.lesson
    _require_running(lesson)
    if attended.policy.identity_required and not await is_verified(db=db, user_id=caller.id):
        raise IdentityRequired(
            "This course requires a verified identity before you join its lessons: send your "
            "identity document and a selfie (POST /api/v1/users/{id}/identity/verifications)."
        )
    session = await _presence_session(db, lesson.id, caller.id)
    if session is None:
        session, created = await _start_session(db, lesson.id, caller.id, now)
        if created:
            schedule = _plan(attended, now, rng)
            await db.execute(insert(Challenge), _challenge_rows(schedule, lesson.id, caller.id))
    return session, await open_challenge(
        db=db, lesson_id=lesson.id, user_id=caller.id, now=now, held=False
    )


async def next_challenge(
    *, db: AsyncSession, caller: User, lesson_id: int, now: datetime
) -> NextChallenge:
    """The caller's challenge due now, or "nothing yet" (see the module docstring)."""
    row = (await db.execute(*_first_open(lesson_id, caller.id, now))).first()
    if row is not None:
        challenge, status = row
        return _reply(status, challenge, now, held=False)
    attended = await find_attended_lesson(db=db, caller=caller, lesson_id=lesson_id)
    if await _presence_session(db, lesson_id, caller.id) is None:
        raise Conflict("Join the lesson first: POST /api/v1/lessons/{id}/join.")
    return _reply(attended.lesson.status, None, now, held=False)


async def open_challenge(
    *, db: AsyncSession, lesson_id: int, user_id: int, now: datetime, held: bool
) -> NextChallenge:
    """Like `next_challenge` for a student known to have joined (at join, in the held wait)."""
    row = (await db.execute(*_first_open(lesson_id, user_id, now))).first()
    if row is not None:
        return _reply(row[1], row[0], now, held=held)
    status = await db.scalar(select(Lesson.status).where(Lesson.id == lesson_id))
    return _reply(status, None, now, held=held)


async def visible_capture(*, db: AsyncSession, caller: User, capture_id: int) -> Capture:
    """The capture if the caller is its owner or may review its lesson (its course's
    instructors, co-instructors included, and admins); else 404."""
    query = select(Capture).where(
        Capture.id == capture_id,
        or_(Capture.user_id == caller.id, reviews_lesson(caller, Capture.lesson_id)),
    )
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
        lesson_start=lesson.effective_start,
        lesson_end=lesson.planned_end,
        joined_at=now,
        policy=attended.policy,
        rng=rng,
    )


def _challenge_rows(
    schedule: ChallengeSchedule, lesson_id: int, user_id: int
) -> list[dict[str, object]]:
    """The lesson's challenges as rows of one INSERT of many rows: their ids are not needed
    here, so SQLite's write lock is held for one statement, not one per challenge (the ORM's
    flush wrote them one by one to learn each id; a two-hour lesson at the default policy
    plans 13 on average (7-18), the capacity bench's time-compressed one about 120)."""
    return [
        {
            "lesson_id": lesson_id,
            "user_id": user_id,
            "kind": planned.kind,
            "nonce": secrets.token_urlsafe(NONCE_BYTES),
            "issued_at": planned.issued_at,
            "deadline": planned.deadline,
            "status": ChallengeStatus.OPEN,
            "liveness": planned.liveness,
        }
        for planned in schedule.challenges
    ]


def _first_open(
    lesson_id: int, user_id: int, now: datetime
) -> tuple[Select[Challenge, LessonStatus], dict[str, object]]:
    """The student's first open challenge of the lesson, with its lesson's status: the
    statement (built once per process: every held `challenges/next` asks it) and its values."""
    return _first_open_query(), {"lesson_id": lesson_id, "user_id": user_id, "now": now}


@functools.cache
def _first_open_query() -> Select[Challenge, LessonStatus]:
    """Only while the student is still enrolled: removed from the term, nothing is shown."""
    return (
        select(Challenge, Lesson.status)
        .join(Lesson, Lesson.id == Challenge.lesson_id)
        .where(
            student_of_term(Challenge.user_id, Lesson.term_id),
            Challenge.lesson_id == bindparam("lesson_id"),
            Challenge.user_id == bindparam("user_id"),
            Challenge.status == ChallengeStatus.OPEN,
            Challenge.deadline > bindparam("now", type_=Challenge.__table__.c.deadline.type),
        )
        .order_by(Challenge.issued_at)
        .limit(1)
    )


def _reply(
    status: LessonStatus | None, first_open: Challenge | None, now: datetime, *, held: bool
) -> NextChallenge:
    """Due now -> shown (ask again at its deadline); not running -> stop; else "nothing yet"."""
    if status is not LessonStatus.RUNNING:
        return lesson_over(now)
    if first_open is not None and first_open.issued_at <= now:
        return NextChallenge(challenge=first_open, next_poll_after=first_open.deadline, now=now)
    upcoming_at = None if first_open is None else first_open.issued_at
    return nothing_yet(now, held=held, upcoming_at=upcoming_at)


def nothing_yet(now: datetime, *, held: bool, upcoming_at: datetime | None = None) -> NextChallenge:
    """The same answer for every waiting student: ask again (at once after a held wait)."""
    next_poll_after = now if held else now + POLL_AGAIN
    return NextChallenge(None, next_poll_after=next_poll_after, now=now, upcoming_at=upcoming_at)


def lesson_over(now: datetime) -> NextChallenge:
    """The lesson no longer runs: nothing more will come, stop asking."""
    return NextChallenge(challenge=None, next_poll_after=None, now=now)
