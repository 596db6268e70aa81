"""Typed loaders of identity routes that authorize (404 out of sight, 403 seen but not theirs)."""

from typing import Annotated

from fastapi import Depends

from trust_lesson.auth.dependencies import CurrentUser
from trust_lesson.deps import DbDep, RowIdPath
from trust_lesson.errors import Forbidden
from trust_lesson.identity import reviews
from trust_lesson.models import IdentityVerification, User
from trust_lesson.users.endpoints import VisibleUser

VerificationId = RowIdPath


def own_identity(user: VisibleUser, caller: CurrentUser) -> User:
    """Only the person proves their identity: an administrator corrects the record instead."""
    if caller.id != user.id:
        raise Forbidden("Only the person themselves sends their document and selfie.")
    return user


async def visible_verification(
    verification_id: VerificationId, caller: CurrentUser, db: DbDep
) -> IdentityVerification:
    return await reviews.visible(db=db, caller=caller, verification_id=verification_id)


async def reviewable_verification(
    verification_id: VerificationId, caller: CurrentUser, db: DbDep
) -> IdentityVerification:
    return await reviews.reviewable(db=db, caller=caller, verification_id=verification_id)


OwnIdentity = Annotated[User, Depends(own_identity)]
VisibleVerification = Annotated[IdentityVerification, Depends(visible_verification)]
ReviewableVerification = Annotated[IdentityVerification, Depends(reviewable_verification)]
