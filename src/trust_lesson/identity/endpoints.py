"""Identity over HTTP: the record, verifications against a document, reviewers' decisions.

Who: the person writes and reads their own record (an administrator too, and may correct
it after a verification passed); anybody else finds no such user (404, no data).
"""

from fastapi import APIRouter

from trust_lesson.auth.dependencies import CurrentUser
from trust_lesson.deps import DbDep, NowDep
from trust_lesson.identity import records
from trust_lesson.identity.schemas import IdentityRecordRead, IdentityRecordWrite
from trust_lesson.presence.schemas import problems
from trust_lesson.users.endpoints import VisibleUser

router = APIRouter(prefix="/api/v1", tags=["identity"])


@router.put(
    "/users/{user_id}/identity",
    response_model=IdentityRecordRead,
    responses=problems({409: "the identity is verified: only an administrator may correct it"}),
)
async def write_identity(
    data: IdentityRecordWrite, user: VisibleUser, caller: CurrentUser, db: DbDep, now: NowDep
) -> IdentityRecordRead:
    record = await records.write_record(db=db, caller=caller, user=user, data=data, now=now)
    return await records.record_state(db=db, record=record)


@router.get(
    "/users/{user_id}/identity",
    response_model=IdentityRecordRead,
    responses=problems({404: "no such user, or no record yet"}),
)
async def read_identity(user: VisibleUser, db: DbDep) -> IdentityRecordRead:
    record = await records.require_record(db=db, user_id=user.id)
    return await records.record_state(db=db, record=record)
