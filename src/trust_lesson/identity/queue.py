"""The reviewers' identity queue: the verifications that wait for a person, scoped like the
API's list (``reviews.listed``, i.e. ``courses/scopes.reviews_identity_of``), each with the
name of whose identity it is."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.identity import reviews
from trust_lesson.identity.schemas import VerificationRead
from trust_lesson.models import User, VerificationStatus


@dataclass(frozen=True)
class QueueItem:
    verification: VerificationRead
    full_name: str
    username: str


async def waiting(*, db: AsyncSession, caller: User, limit: int, offset: int) -> list[QueueItem]:
    """NEEDS_REVIEW verifications the caller may decide, oldest first."""
    found = await reviews.listed(
        db=db, caller=caller, status=VerificationStatus.NEEDS_REVIEW, limit=limit, offset=offset
    )
    ids = {verification.user_id for verification in found}
    query = select(User.id, User.full_name, User.username).where(User.id.in_(ids))
    names = {row.id: (row.full_name, row.username) for row in await db.execute(query)}
    return [QueueItem(v, *names[v.user_id]) for v in found]


async def waiting_count(*, db: AsyncSession, caller: User) -> int:
    """How many verifications `waiting` lists for the caller over all its pages."""
    return await reviews.listed_count(db=db, caller=caller, status=VerificationStatus.NEEDS_REVIEW)
