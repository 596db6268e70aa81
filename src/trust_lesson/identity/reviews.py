"""Reading identity verifications and deciding them: scoped by ``courses/scopes.py``.

The person reads their own; reviewers (``reviews_identity_of``) read, list and decide those
of the people of their courses, and alone see the pictures. Anybody else finds nothing (404).
A decision needs a reason, is refused while the worker still reads (409) and on one's own
verification (403); every decision is kept, the newest is the status. Flushes only.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.attendance.pictures import stored_picture
from trust_lesson.courses.scopes import reviews_identity_of, sees_identity_of
from trust_lesson.errors import Conflict, Forbidden, NotFound
from trust_lesson.evidence import events as evidence
from trust_lesson.identity.schemas import ReviewDecision, ReviewRead, VerificationRead
from trust_lesson.models import IdentityReview, IdentityVerification, User, VerificationStatus
from trust_lesson.storage.blobs import BlobStore

PictureKind = Literal["document", "document_back", "selfie"]
NO_SUCH = "No such identity verification."


async def _find(
    db: AsyncSession, verification_id: int, scope: ColumnElement[bool]
) -> IdentityVerification | None:
    query = select(IdentityVerification).where(IdentityVerification.id == verification_id, scope)
    return (await db.execute(query)).scalar_one_or_none()


async def visible(*, db: AsyncSession, caller: User, verification_id: int) -> IdentityVerification:
    found = await _find(db, verification_id, sees_identity_of(caller, IdentityVerification.user_id))
    if found is None:
        raise NotFound(NO_SUCH)
    return found


async def reviewable(
    *, db: AsyncSession, caller: User, verification_id: int
) -> IdentityVerification:
    scope = reviews_identity_of(caller, IdentityVerification.user_id)
    found = await _find(db, verification_id, scope)
    if found is None:
        await visible(db=db, caller=caller, verification_id=verification_id)
        raise Forbidden("Only the person's reviewers decide and see the pictures.")
    return found


async def listed(
    *,
    db: AsyncSession,
    caller: User,
    status: VerificationStatus | None,
    limit: int,
    offset: int,
) -> list[VerificationRead]:
    """A page of the verifications the caller reviews, oldest first, in two statements
    whatever the page's size: the verifications, then all their reviews."""
    query = select(IdentityVerification).where(_listing(caller, status))
    query = query.order_by(IdentityVerification.created_at, IdentityVerification.id)
    found = (await db.execute(query.limit(limit).offset(offset))).scalars().all()
    reviews = await _reviews(db, [v.id for v in found])
    return [_read(v, reviews.get(v.id, [])) for v in found]


async def listed_count(*, db: AsyncSession, caller: User, status: VerificationStatus | None) -> int:
    """How many verifications `listed` lists over all its pages."""
    query = select(func.count()).select_from(IdentityVerification)
    return await db.scalar(query.where(_listing(caller, status))) or 0


def _listing(caller: User, status: VerificationStatus | None) -> ColumnElement[bool]:
    scope = reviews_identity_of(caller, IdentityVerification.user_id)
    return scope if status is None else and_(scope, IdentityVerification.status == status)


async def newest_of(*, db: AsyncSession, user_id: int) -> VerificationRead | None:
    """The person's newest verification (what their identity page shows), if any."""
    query = (
        select(IdentityVerification)
        .where(IdentityVerification.user_id == user_id)
        .order_by(IdentityVerification.id.desc())
        .limit(1)
    )
    newest = (await db.execute(query)).scalar_one_or_none()
    return None if newest is None else await read(db=db, verification=newest)


async def read(*, db: AsyncSession, verification: IdentityVerification) -> VerificationRead:
    reviews = await _reviews(db, [verification.id])
    return _read(verification, reviews.get(verification.id, []))


def _read(
    verification: IdentityVerification, reviews: Sequence[IdentityReview]
) -> VerificationRead:
    return VerificationRead.model_validate(
        {
            **{name: getattr(verification, name) for name in _COPIED},
            "has_document_back": verification.document_back_key is not None,
            "reviews": [ReviewRead.model_validate(r) for r in reviews],
        }
    )


_COPIED = tuple(
    name for name in VerificationRead.model_fields if name not in ("has_document_back", "reviews")
)


async def _reviews(
    db: AsyncSession, verification_ids: Sequence[int]
) -> dict[int, list[IdentityReview]]:
    """Every review of these verifications, each one's oldest first, in one statement."""
    if not verification_ids:
        return {}
    query = (
        select(IdentityReview)
        .where(IdentityReview.verification_id.in_(verification_ids))
        .order_by(IdentityReview.id)
    )
    found: dict[int, list[IdentityReview]] = {}
    for review in (await db.execute(query)).scalars():
        found.setdefault(review.verification_id, []).append(review)
    return found


async def decide(
    *,
    db: AsyncSession,
    caller: User,
    verification: IdentityVerification,
    data: ReviewDecision,
    now: datetime,
) -> IdentityVerification:
    if verification.user_id == caller.id:
        raise Forbidden("Nobody decides their own identity verification.")
    if verification.status is VerificationStatus.PENDING:
        raise Conflict("The document is still being read; decide once it is.")
    decision = VerificationStatus(data.decision)
    review = IdentityReview(
        verification_id=verification.id,
        reviewer_id=caller.id,
        decision=decision,
        reason=data.reason,
        created_at=now,
    )
    db.add(review)
    verification.status = decision
    verification.decided_at = now
    await db.flush()
    await evidence.identity_reviewed(db, review, user_id=verification.user_id)
    return verification


async def picture(
    *, blobs: BlobStore, verification: IdentityVerification, kind: PictureKind
) -> bytes:
    keys = {
        "document": verification.document_key,
        "document_back": verification.document_back_key,
        "selfie": verification.selfie_key,
    }
    return await stored_picture(blobs=blobs, key=keys[kind])
