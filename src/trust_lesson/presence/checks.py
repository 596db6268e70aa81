"""A student's own checks in a lesson so far, as the lesson room shows them. Read only.

Only issued checks are listed (a future one is never shown), each with the verdict name the
room displays: the capture's verdict, PENDING while it is awaited (or the check is still open),
MISSED when no picture came in time, CANCELLED when the lesson stopped before it was answered.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.models import Capture, CaptureStatus, Challenge, ChallengeStatus
from trust_lesson.presence.verdicts import ChallengeKind, TurnDirection

MOST_CHECKS = 500
"""More than any lesson's schedule (a day-long lesson at the tightest policy)."""


@dataclass(frozen=True)
class OwnCheck:
    challenge_id: int
    kind: ChallengeKind
    issued_at: datetime
    deadline: datetime
    verdict: str
    capture_id: int | None
    reasons: list[str]
    liveness: TurnDirection | None


async def own_checks(
    *, db: AsyncSession, lesson_id: int, user_id: int, now: datetime
) -> list[OwnCheck]:
    query = (
        select(Challenge, Capture)
        .outerjoin(Capture, Capture.challenge_id == Challenge.id)
        .where(
            Challenge.lesson_id == lesson_id,
            Challenge.user_id == user_id,
            Challenge.issued_at <= now,
        )
        .order_by(Challenge.issued_at)
        .limit(MOST_CHECKS)
    )
    return [_check(challenge, capture, now) for challenge, capture in await db.execute(query)]


def shown_verdict(challenge: Challenge, capture: Capture | None, now: datetime) -> str:
    if capture is not None:
        done = capture.status is CaptureStatus.DONE and capture.verdict is not None
        return str(capture.verdict) if done else "PENDING"
    if challenge.status is ChallengeStatus.CANCELLED:
        return "CANCELLED"
    if challenge.status is ChallengeStatus.MISSED or challenge.deadline <= now:
        return "MISSED"
    return "PENDING"


def _check(challenge: Challenge, capture: Capture | None, now: datetime) -> OwnCheck:
    return OwnCheck(
        challenge_id=challenge.id,
        kind=challenge.kind,
        issued_at=challenge.issued_at,
        deadline=challenge.deadline,
        verdict=shown_verdict(challenge, capture, now),
        capture_id=None if capture is None else capture.id,
        reasons=[]
        if capture is None or capture.status is not CaptureStatus.DONE
        else capture.reasons,
        liveness=challenge.liveness,
    )
