"""Every verification reaches one outcome: the sweep behind the verification task.

Verifications PENDING for longer than the captures' ``STUCK_AFTER`` (their job was lost, or a
worker died while reading) are enqueued again; the task is idempotent. One whose reading was
started ``MAX_ATTEMPTS`` times without an outcome goes to a person, with the reason.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.evidence import events as evidence
from trust_lesson.identity.outcome import Outcome
from trust_lesson.models import IdentityVerification, VerificationStatus
from trust_lesson.presence.sweeps import MAX_ATTEMPTS, RESUBMIT_BATCH, STUCK_AFTER

GAVE_UP = f"no outcome after {MAX_ATTEMPTS} reading attempts: kept for human review"


async def give_up_on_stuck(*, db: AsyncSession, now: datetime) -> int:
    """Stuck verifications tried too often go to a person; each an evidence entry."""
    given_up = await db.execute(
        update(IdentityVerification)
        .where(
            IdentityVerification.status == VerificationStatus.PENDING,
            IdentityVerification.created_at <= now - STUCK_AFTER,
            IdentityVerification.attempts >= MAX_ATTEMPTS,
        )
        .values(
            status=VerificationStatus.NEEDS_REVIEW,
            machine_status=VerificationStatus.NEEDS_REVIEW,
            reasons=[GAVE_UP],
            analyzed_at=now,
        )
        .returning(IdentityVerification.id, IdentityVerification.user_id)
        .execution_options(synchronize_session=False)
    )
    rows = sorted(given_up.all())
    outcome = Outcome(VerificationStatus.NEEDS_REVIEW, [GAVE_UP])
    for verification_id, user_id in rows:
        await evidence.identity_judged(
            db, verification_id=verification_id, user_id=user_id, outcome=outcome, now=now
        )
    return len(rows)


async def stuck_verifications(*, db: AsyncSession, now: datetime) -> Sequence[int]:
    query = (
        select(IdentityVerification.id)
        .where(
            IdentityVerification.status == VerificationStatus.PENDING,
            IdentityVerification.created_at <= now - STUCK_AFTER,
        )
        .order_by(IdentityVerification.id)
        .limit(RESUBMIT_BATCH)
    )
    return (await db.execute(query)).scalars().all()
