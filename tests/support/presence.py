"""Arrange presence stories: a running class, and the rows a lesson leaves behind.

`running_lesson` goes through the API (course, term, enrolments, a lesson started now);
`add_timeline` and `add_check` write presence sessions, challenges, captures and reviews as
the capture pipeline would, so attendance can be told any story without pictures.
"""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from tests.support.clock import FakeClock
from tests.support.factories import Person, login, signed_in
from tests.support.school import enrol, make_course, make_lesson, make_term
from trust_lesson.db import transaction
from trust_lesson.models import (
    Capture,
    CaptureStatus,
    Challenge,
    ChallengeStatus,
    PresenceSession,
    Role,
)
from trust_lesson.presence.verdicts import ChallengeKind, Verdict
from trust_lesson.runtime import Runtime

ANSWER_TIME = timedelta(seconds=60)
ALL_VERIFIED = (Verdict.VERIFIED,) * 10


@dataclass
class Classroom:
    teacher: Person
    students: list[Person]
    course: dict[str, Any]
    term: dict[str, Any]
    lesson: dict[str, Any]
    started_at: datetime

    @property
    def lesson_id(self) -> int:
        return int(self.lesson["id"])

    @property
    def url(self) -> str:
        return f"/api/v1/lessons/{self.lesson_id}"


async def running_lesson(
    client: httpx.AsyncClient,
    runtime: Runtime,
    clock: FakeClock,
    *,
    students: int = 2,
    duration_min: int = 60,
    course_name: str | None = None,
) -> Classroom:
    """A course with one term, `students` enrolled, and a lesson its teacher started now."""
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    name = course_name or f"Course of {teacher.user.username}"
    course = await make_course(client, teacher, name)
    term = await make_term(client, teacher, course["id"])
    people = [await signed_in(client, runtime) for _ in range(students)]
    for person in people:
        await enrol(client, teacher, term["id"], person)
    lesson = await make_lesson(
        client, teacher, term["id"], start=clock(), duration_min=duration_min
    )
    started = await client.post(f"/api/v1/lessons/{lesson['id']}/start", headers=teacher.headers)
    assert started.status_code == 200, started.text
    return Classroom(teacher, people, course, term, started.json(), clock())


async def again(client: httpx.AsyncClient, person: Person) -> dict[str, str]:
    """Fresh headers for someone whose session went idle while the clock moved on."""
    return await login(client, person.user.email)


@dataclass(frozen=True)
class CheckIds:
    challenge_id: int
    capture_id: int | None


async def join(runtime: Runtime, *, lesson_id: int, user_id: int, at: datetime) -> None:
    async with transaction(runtime.session_factory) as db:
        db.add(PresenceSession(lesson_id=lesson_id, user_id=user_id, joined_at=at))


async def add_check(
    runtime: Runtime,
    *,
    lesson_id: int,
    user_id: int,
    kind: ChallengeKind,
    issued_at: datetime,
    verdict: Verdict | None,
    answered: bool = True,
    similarity: float | None = None,
) -> CheckIds:
    """One challenge and what came of it.

    MISSED: a missed challenge. None and not `answered`: an open (or still planned) challenge.
    None and `answered`: a capture still being analysed. Any other verdict: an analysed capture.
    """
    async with transaction(runtime.session_factory) as db:
        challenge = Challenge(
            lesson_id=lesson_id,
            user_id=user_id,
            kind=kind,
            nonce=secrets.token_urlsafe(16),
            issued_at=issued_at,
            deadline=issued_at + ANSWER_TIME,
            status=_challenge_status(verdict, answered),
        )
        db.add(challenge)
        await db.flush()
        if verdict is Verdict.MISSED or not answered:
            return CheckIds(challenge.id, None)
        capture = _capture(challenge, verdict, similarity)
        db.add(capture)
        await db.flush()
        return CheckIds(challenge.id, capture.id)


def _challenge_status(verdict: Verdict | None, answered: bool) -> ChallengeStatus:
    if verdict is Verdict.MISSED:
        return ChallengeStatus.MISSED
    return ChallengeStatus.ANSWERED if answered else ChallengeStatus.OPEN


def _capture(challenge: Challenge, verdict: Verdict | None, similarity: float | None) -> Capture:
    taken = challenge.issued_at + timedelta(seconds=10)
    return Capture(
        lesson_id=challenge.lesson_id,
        user_id=challenge.user_id,
        challenge_id=challenge.id,
        blob_key=None,
        sha256=secrets.token_hex(32),
        size=1000,
        status=CaptureStatus.PENDING if verdict is None else CaptureStatus.DONE,
        verdict=verdict,
        similarity=similarity,
        reasons=[] if verdict is None else [f"suggested {verdict.value}"],
        scores={},
        created_at=taken,
        analyzed_at=None if verdict is None else taken + timedelta(seconds=2),
    )


async def add_timeline(
    runtime: Runtime,
    *,
    lesson_id: int,
    user_id: int,
    start: datetime,
    verdicts: Sequence[Verdict | None],
    every: timedelta = timedelta(minutes=5),
) -> list[CheckIds]:
    """The student joins at `start`; an ENTRY check then, RANDOM ones, the last one END."""
    await join(runtime, lesson_id=lesson_id, user_id=user_id, at=start)
    ids = []
    for number, verdict in enumerate(verdicts):
        kind = ChallengeKind.RANDOM
        if number == 0:
            kind = ChallengeKind.ENTRY
        elif number == len(verdicts) - 1:
            kind = ChallengeKind.END
        issued_at = start + number * every
        ids.append(
            await add_check(
                runtime,
                lesson_id=lesson_id,
                user_id=user_id,
                kind=kind,
                issued_at=issued_at,
                verdict=verdict,
                similarity=_similarity(verdict),
            )
        )
    return ids


SIMILARITY = {Verdict.VERIFIED: 95.0, Verdict.NEEDS_REVIEW: 87.5, Verdict.WRONG_PERSON: 40.0}


def _similarity(verdict: Verdict | None) -> float | None:
    return None if verdict is None else SIMILARITY.get(verdict)


async def analyse(runtime: Runtime, *, capture_id: int, verdict: Verdict, at: datetime) -> None:
    """The verdict task's result for a capture that was still being analysed."""
    async with transaction(runtime.session_factory) as db:
        capture = await db.get_one(Capture, capture_id)
        capture.status, capture.verdict, capture.analyzed_at = CaptureStatus.DONE, verdict, at
