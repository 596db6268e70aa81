"""Identity over HTTP: the record, verifications against a document, reviewers' decisions.

Who: the person writes and reads their own record (an administrator too, and may correct
it after a verification passed) and sends their own document and selfie; the person reads
their verifications; reviewers (``courses/scopes.reviews_identity_of``) list, read and decide
those of their courses' people and alone see the pictures; anybody else finds nothing.
"""

from typing import Annotated

from fastapi import APIRouter, File, Response, UploadFile, status

from trust_lesson.auth.dependencies import CurrentUser, StaffUser
from trust_lesson.deps import DbDep, NowDep, PageDep, RuntimeDep
from trust_lesson.errors import PayloadTooLarge
from trust_lesson.identity import records, reviews, verifications
from trust_lesson.identity.dependencies import (
    OwnIdentity,
    ReviewableVerification,
    VisibleVerification,
)
from trust_lesson.identity.schemas import (
    IdentityRecordRead,
    IdentityRecordWrite,
    ReviewDecision,
    VerificationAccepted,
    VerificationRead,
)
from trust_lesson.models import VerificationStatus
from trust_lesson.presence.schemas import problems
from trust_lesson.users.endpoints import VisibleUser
from trust_lesson.vision import DOCUMENT, SELFIE

router = APIRouter(prefix="/api/v1", tags=["identity"])
MIB = 1024 * 1024
UPLOAD_PROBLEMS = problems(
    {
        403: "not the caller's own identity",
        409: "no identity record yet, no biometric consent, or one still being read",
        413: "a document over 15 MB or 40 megapixels, a selfie over 8 MB or 12.6 megapixels",
        415: "not a JPEG, PNG or WebP picture (checked by content)",
        429: "already 10 verifications in the last 24 hours",
        503: "picture storage unavailable: nothing was kept, try again",
    }
)


@router.put(
    "/users/{user_id}/identity",
    response_model=IdentityRecordRead,
    responses=problems({409: "the identity is verified: only an administrator may correct it"}),
)
async def write_identity(
    data: IdentityRecordWrite, user: VisibleUser, caller: CurrentUser, db: DbDep, now: NowDep
) -> IdentityRecordRead:
    saved = await records.write_record(db=db, caller=caller, user=user, data=data, now=now)
    return await records.record_state(db=db, record=saved.record)


@router.get(
    "/users/{user_id}/identity",
    response_model=IdentityRecordRead,
    responses=problems({404: "no such user, or no record yet"}),
)
async def read_identity(user: VisibleUser, db: DbDep) -> IdentityRecordRead:
    record = await records.require_record(db=db, user_id=user.id)
    return await records.record_state(db=db, record=record)


@router.post(
    "/users/{user_id}/identity/verifications",
    response_model=VerificationAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    responses=UPLOAD_PROBLEMS,
)
async def send_verification(
    user: OwnIdentity,
    db: DbDep,
    now: NowDep,
    runtime: RuntimeDep,
    document: Annotated[UploadFile, File(description="the document's photo (front)")],
    selfie: Annotated[UploadFile, File(description="a live selfie")],
    document_back: Annotated[UploadFile | None, File(description="the back, if any")] = None,
) -> VerificationAccepted:
    verification = await verifications.accept(
        db=db,
        user=user,
        document=await _read(document, "document", DOCUMENT.max_bytes),
        document_back=None
        if document_back is None
        else await _read(document_back, "document_back", DOCUMENT.max_bytes),
        selfie=await _read(selfie, "selfie", SELFIE.max_bytes),
        blobs=runtime.blobs,
        worker=runtime.worker,
        now=now,
    )
    return VerificationAccepted(id=verification.id)


async def _read(upload: UploadFile, field: str, limit: int) -> bytes:
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"{field}: the picture is larger than {limit // MIB} MB.")
    return data


@router.get(
    "/identity-verifications",
    response_model=list[VerificationRead],
    responses=problems({403: "not a reviewer"}),
)
async def list_verifications(
    caller: StaffUser, db: DbDep, page: PageDep, status: VerificationStatus | None = None
) -> list[VerificationRead]:
    return await reviews.listed(
        db=db, caller=caller, status=status, limit=page.limit, offset=page.offset
    )


@router.get(
    "/identity-verifications/{verification_id}",
    response_model=VerificationRead,
    responses=problems({404: "no such verification, or not the caller's to see"}),
)
async def read_verification(verification: VisibleVerification, db: DbDep) -> VerificationRead:
    return await reviews.read(db=db, verification=verification)


@router.post(
    "/identity-verifications/{verification_id}/review",
    response_model=VerificationRead,
    responses=problems({403: "not a reviewer, or one's own", 409: "still being read"}),
)
async def review_verification(
    data: ReviewDecision,
    verification: ReviewableVerification,
    caller: CurrentUser,
    db: DbDep,
    now: NowDep,
) -> VerificationRead:
    decided = await reviews.decide(
        db=db, caller=caller, verification=verification, data=data, now=now
    )
    return await reviews.read(db=db, verification=decided)


@router.get(
    "/identity-verifications/{verification_id}/pictures/{kind}",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}, **problems({403: "not a reviewer"})},
)
async def verification_picture(
    verification: ReviewableVerification, kind: reviews.PictureKind, runtime: RuntimeDep
) -> Response:
    """The document (front or back) or the selfie, re-encoded without metadata: reviewers only."""
    picture = await reviews.picture(blobs=runtime.blobs, verification=verification, kind=kind)
    return Response(picture, media_type="image/jpeg", headers={"Cache-Control": "no-store"})
