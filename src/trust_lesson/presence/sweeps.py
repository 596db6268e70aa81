"""Periodic sweeps that keep the promise "every challenge ends, every capture gets a verdict".

- Challenges still OPEN past their deadline become MISSED (one UPDATE on the indexed deadline).
- Captures PENDING for longer than ``STUCK_AFTER`` (their job was lost, or a worker died in
  the middle) are enqueued again; the verdict task is idempotent, so a duplicate is harmless.
  A capture whose analysis was started ``MAX_ATTEMPTS`` times without a verdict is not tried
  forever: it is kept for human review with a reason.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.models import Capture, CaptureStatus, Challenge, ChallengeStatus
from trust_lesson.presence.verdicts import Verdict

STUCK_AFTER = timedelta(minutes=2)
MAX_ATTEMPTS = 5
RESUBMIT_BATCH = 1000
GAVE_UP = f"no verdict after {MAX_ATTEMPTS} analysis attempts: kept for human review"


async def expire_challenges(*, db: AsyncSession, now: datetime) -> int:
    """OPEN challenges whose deadline has passed -> MISSED; how many."""
    result = await db.execute(
        update(Challenge)
        .where(Challenge.status == ChallengeStatus.OPEN, Challenge.deadline <= now)
        .values(status=ChallengeStatus.MISSED)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def give_up_on_stuck(*, db: AsyncSession, now: datetime) -> int:
    """Stuck captures tried too often -> NEEDS_REVIEW with the reason; how many."""
    result = await db.execute(
        update(Capture)
        .where(
            Capture.status == CaptureStatus.PENDING,
            Capture.created_at <= now - STUCK_AFTER,
            Capture.attempts >= MAX_ATTEMPTS,
        )
        .values(
            status=CaptureStatus.DONE,
            verdict=Verdict.NEEDS_REVIEW,
            reasons=[GAVE_UP],
            analyzed_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def stuck_captures(*, db: AsyncSession, now: datetime) -> Sequence[int]:
    """Ids of captures PENDING for longer than STUCK_AFTER, oldest first."""
    query = (
        select(Capture.id)
        .where(Capture.status == CaptureStatus.PENDING, Capture.created_at <= now - STUCK_AFTER)
        .order_by(Capture.id)
        .limit(RESUBMIT_BATCH)
    )
    return (await db.execute(query)).scalars().all()
