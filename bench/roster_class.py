"""A running lesson of N students for the roster benchmark, written straight into a database.

Every student joined 20 minutes ago and has three checks: an ENTRY check verified, a RANDOM
one (verified, wrong person or waiting for review) and a RANDOM one still open. Used by
`bench/api.py` for the instructor's roster page and its refresh call.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from trust_lesson.auth.passwords import hash_password
from trust_lesson.models import (
    Capture,
    CaptureStatus,
    Challenge,
    ChallengeStatus,
    Course,
    Lesson,
    LessonStatus,
    MemberRole,
    PresenceSession,
    Role,
    Term,
    TermMember,
    TermStatus,
    User,
)
from trust_lesson.presence.verdicts import ChallengeKind, Verdict

SECOND_CHECK = (Verdict.VERIFIED, Verdict.VERIFIED, Verdict.WRONG_PERSON, Verdict.NEEDS_REVIEW)


@dataclass(frozen=True)
class RunningClass:
    lesson_id: int
    instructor_email: str


async def seed_running_class(
    sessions: async_sessionmaker[AsyncSession], *, students: int, password: str, now: datetime
) -> RunningClass:
    tag = secrets.token_hex(3)
    secret = await hash_password(password)  # once: Argon2 per account would dominate seeding
    async with sessions.begin() as db:
        teacher = _person(f"teacher-{tag}", Role.INSTRUCTOR, secret, now)
        people = [_person(f"s{n:04d}-{tag}", Role.STUDENT, secret, now) for n in range(students)]
        course = Course(name=f"Roster bench {tag}", description="")
        db.add_all([teacher, *people, course])
        await db.flush()
        term = Term(course_id=course.id, term_number=0, status=TermStatus.RUNNING)
        db.add(term)
        await db.flush()
        db.add(TermMember(term_id=term.id, user_id=teacher.id, role=MemberRole.INSTRUCTOR))
        db.add_all(
            TermMember(term_id=term.id, user_id=p.id, role=MemberRole.STUDENT) for p in people
        )
        began = now - timedelta(minutes=20)
        lesson = Lesson(
            term_id=term.id,
            instructor_id=teacher.id,
            title=f"{students} students",
            description="",
            start_date=began,
            duration_min=60,
            status=LessonStatus.RUNNING,
            effective_start_date=began,
        )
        db.add(lesson)
        await db.flush()
        answered: list[tuple[Challenge, Verdict]] = []
        for number, person in enumerate(people):
            second = SECOND_CHECK[number % len(SECOND_CHECK)]
            answered += _checks(db, lesson.id, person.id, began, second)
        await db.flush()
        db.add_all(_capture(challenge, verdict) for challenge, verdict in answered)
        return RunningClass(lesson_id=lesson.id, instructor_email=teacher.email)


def _person(handle: str, role: Role, secret: str, now: datetime) -> User:
    return User(
        email=f"{handle}@bench.example",
        username=handle,
        full_name=f"Person {handle}",
        role=role,
        is_active=True,
        password_hash=secret,
        created_at=now,
        updated_at=now,
    )


def _checks(
    db: AsyncSession, lesson_id: int, user_id: int, began: datetime, second: Verdict
) -> list[tuple[Challenge, Verdict]]:
    """Adds the student's presence and challenges; returns the answered ones to capture."""
    db.add(PresenceSession(lesson_id=lesson_id, user_id=user_id, joined_at=began))
    answered = []
    plan = (
        (ChallengeKind.ENTRY, 1, Verdict.VERIFIED),
        (ChallengeKind.RANDOM, 9, second),
        (ChallengeKind.RANDOM, 19.5, None),
    )
    for kind, minute, verdict in plan:
        issued = began + timedelta(minutes=minute)
        challenge = Challenge(
            lesson_id=lesson_id,
            user_id=user_id,
            kind=kind,
            nonce=secrets.token_urlsafe(16),
            issued_at=issued,
            deadline=issued + timedelta(seconds=60),
            status=ChallengeStatus.OPEN if verdict is None else ChallengeStatus.ANSWERED,
        )
        db.add(challenge)
        if verdict is not None:
            answered.append((challenge, verdict))
    return answered


def _capture(challenge: Challenge, verdict: Verdict) -> Capture:
    issued = challenge.issued_at
    return Capture(
        lesson_id=challenge.lesson_id,
        user_id=challenge.user_id,
        challenge_id=challenge.id,
        blob_key=None,
        sha256=secrets.token_hex(32),
        size=40_000,
        status=CaptureStatus.DONE,
        verdict=verdict,
        similarity={Verdict.VERIFIED: 95.0, Verdict.NEEDS_REVIEW: 87.0}.get(verdict, 40.0),
        reasons=[],
        scores={},
        created_at=issued + timedelta(seconds=8),
        analyzed_at=issued + timedelta(seconds=9),
    )
