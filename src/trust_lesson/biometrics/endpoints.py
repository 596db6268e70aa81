"""Consent and face enrolment of one person: `/api/v1/users/{id}/consent|face-enrolment`.

Who: the person themselves gives or withdraws consent and enrols; an administrator may read
both and remove templates; anybody else finds no such user (404, no data).
"""

from typing import Annotated

from fastapi import APIRouter, Depends, File, UploadFile, status

from trust_lesson.auth.dependencies import CurrentUser
from trust_lesson.biometrics import service
from trust_lesson.biometrics.schemas import (
    ConsentGive,
    ConsentRead,
    ConsentState,
    FaceEnrolmentRead,
)
from trust_lesson.biometrics.selfies import MAX_SELFIES, SelfieFile
from trust_lesson.deps import DbDep, NowDep
from trust_lesson.errors import Forbidden, Unprocessable
from trust_lesson.models import BiometricConsent, User
from trust_lesson.users.endpoints import VisibleUser

router = APIRouter(prefix="/api/v1/users/{user_id}", tags=["biometrics"])


def own_account(user: VisibleUser, caller: CurrentUser) -> User:
    """Consent is personal: not even an administrator gives or withdraws it for someone."""
    if caller.id != user.id:
        raise Forbidden("Only the person themselves may do this with their biometric data.")
    return user


OwnAccount = Annotated[User, Depends(own_account)]


async def selfie_files(
    images: Annotated[list[UploadFile], File(description=f"1 to {MAX_SELFIES} selfies")],
) -> list[SelfieFile]:
    if not 1 <= len(images) <= MAX_SELFIES:
        raise Unprocessable(f"images: send 1 to {MAX_SELFIES} selfies, not {len(images)}.")
    return [
        SelfieFile(position=i, filename=image.filename, data=await image.read())
        for i, image in enumerate(images, start=1)
    ]


Selfies = Annotated[list[SelfieFile], Depends(selfie_files)]


@router.get("/consent", response_model=ConsentState)
async def read_consent(user: VisibleUser, db: DbDep) -> ConsentState:
    history = await service.consent_history(db=db, user_id=user.id)
    return service.consent_state(history)


@router.post("/consent", response_model=ConsentRead, status_code=status.HTTP_201_CREATED)
async def give_consent(
    user: OwnAccount, db: DbDep, now: NowDep, data: ConsentGive | None = None
) -> BiometricConsent:
    return await service.give_consent(db=db, user_id=user.id, data=data or ConsentGive(), now=now)


@router.delete("/consent", status_code=status.HTTP_204_NO_CONTENT)
async def withdraw_consent(user: OwnAccount, db: DbDep, now: NowDep) -> None:
    await service.withdraw_consent(db=db, user_id=user.id, now=now)


@router.get("/face-enrolment", response_model=FaceEnrolmentRead)
async def read_face_enrolment(user: VisibleUser, db: DbDep) -> FaceEnrolmentRead:
    return await service.enrolment_state(db=db, user_id=user.id)


@router.post(
    "/face-enrolment", response_model=FaceEnrolmentRead, status_code=status.HTTP_201_CREATED
)
async def enrol_face(
    user: OwnAccount, selfies: Selfies, db: DbDep, now: NowDep
) -> FaceEnrolmentRead:
    await service.enrol(db=db, user_id=user.id, selfies=selfies, now=now)
    return await service.enrolment_state(db=db, user_id=user.id)


@router.delete("/face-enrolment", status_code=status.HTTP_204_NO_CONTENT)
async def remove_face_enrolment(
    user: VisibleUser, caller: CurrentUser, db: DbDep, now: NowDep
) -> None:
    await service.remove_enrolment(db=db, user_id=user.id, actor_id=caller.id, now=now)
