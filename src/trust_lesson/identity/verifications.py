"""Accepting a verification: a document photo (front, maybe back) and a live selfie.

Checks, cheapest first, each refusal a clear 4xx that leaves nothing behind: a record to check
(409), biometric consent (409: the portrait is compared with the selfie), no verification of
the person still being read (409) and at most ``DAILY_ATTEMPTS`` in a day (429), then every
picture's header by content against its budget (a document as the vision engine's DOCUMENT
budget, the selfie as enrolment selfies: 415 not a picture, 413 too big or too many pixels,
422 damaged)
before any is decoded; then each is decoded in a thread, one at a time, and stored re-encoded
as a JPEG without metadata under a server key (503 when the store is down: no row). The row
is written PENDING and the worker's job enqueued after the commit; a rollback deletes the
stored pictures. Flushes only.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.biometrics.service import require_consent
from trust_lesson.db import after_commit
from trust_lesson.errors import Conflict, TooManyRequests
from trust_lesson.identity import records
from trust_lesson.models import IdentityVerification, User, VerificationStatus
from trust_lesson.presence.captures import PictureRefused
from trust_lesson.storage.blobs import BlobStore
from trust_lesson.storage.transactional import delete_on_rollback, delete_quietly
from trust_lesson.vision import DOCUMENT, SELFIE, ImageRejected, PictureBudget
from trust_lesson.vision.decode import clean_jpeg
from trust_lesson.worker.worker import Worker

VERIFICATION_TASK = "identity-verification"
BLOB_KIND = "identity"
DAILY_ATTEMPTS = 10
T = TypeVar("T")


@dataclass(frozen=True)
class Upload:
    """One uploaded picture: the form field it came in (named in refusals) and its bytes."""

    field: str
    data: bytes
    budget: PictureBudget


class NoRecord(Conflict):
    code = "identity_record_required"


async def accept(
    *,
    db: AsyncSession,
    user: User,
    document: bytes,
    document_back: bytes | None,
    selfie: bytes,
    blobs: BlobStore,
    worker: Worker,
    now: datetime,
) -> IdentityVerification:
    record = await records.current_record(db=db, user_id=user.id)
    if record is None:
        raise NoRecord("Write your identity record first: PUT /api/v1/users/{id}/identity.")
    await require_consent(db=db, user_id=user.id)
    await _require_turn(db, user.id, now)
    uploads = [Upload("document", document, DOCUMENT), Upload("selfie", selfie, SELFIE)]
    if document_back is not None:
        uploads.append(Upload("document_back", document_back, DOCUMENT))
    for upload in uploads:
        await asyncio.to_thread(_checked, upload, upload.budget.probe)
    keys: dict[str, str] = {}
    try:
        for upload in uploads:
            clean = await asyncio.to_thread(_checked, upload, _cleaner(upload.budget))
            keys[upload.field] = (
                await blobs.put(clean, kind=BLOB_KIND, now=now, suffix=".jpg")
            ).key
        verification = await _record(db, user, record.id, keys, now)
    except BaseException:
        await delete_quietly(blobs, keys.values())
        raise
    delete_on_rollback(db, blobs, keys.values())
    after_commit(db, lambda: enqueue_verification(worker, verification.id))
    return verification


async def _require_turn(db: AsyncSession, user_id: int, now: datetime) -> None:
    """One verification read at a time, at most ``DAILY_ATTEMPTS`` a day (R19: the pictures
    of one person cannot fill the store, nor the worker's time)."""
    since = now - timedelta(days=1)
    query = select(
        func.count(IdentityVerification.id),
        func.count(IdentityVerification.id).filter(
            IdentityVerification.status == VerificationStatus.PENDING
        ),
        func.min(IdentityVerification.created_at),
    ).where(IdentityVerification.user_id == user_id, IdentityVerification.created_at > since)
    recent, pending, oldest = (await db.execute(query)).one()
    if pending:
        raise Conflict("Your last document is still being read; wait for its result.")
    if recent >= DAILY_ATTEMPTS:
        wait = int((oldest + timedelta(days=1) - now).total_seconds()) + 1
        raise TooManyRequests(
            f"At most {DAILY_ATTEMPTS} verifications a day; try again later.", retry_after=wait
        )


async def enqueue_verification(worker: Worker, verification_id: int) -> None:
    await asyncio.to_thread(worker.enqueue, VERIFICATION_TASK, verification_id)


def _checked(upload: Upload, step: Callable[[bytes], T]) -> T:
    try:
        return step(upload.data)
    except ImageRejected as error:
        refused = PictureRefused(error)
        refused.detail = f"{upload.field}: {error.message}"
        raise refused from None


def _cleaner(budget: PictureBudget) -> Callable[[bytes], bytes]:
    """Decode by content within the budget; the pixels alone, re-encoded without metadata."""
    return lambda data: clean_jpeg(budget.decode(data).rgb)


async def _record(
    db: AsyncSession, user: User, record_id: int, keys: dict[str, str], now: datetime
) -> IdentityVerification:
    verification = IdentityVerification(
        user_id=user.id,
        record_id=record_id,
        status=VerificationStatus.PENDING,
        reasons=[],
        fields=[],
        not_match_fields=[],
        not_found_fields=[],
        document_key=keys["document"],
        document_back_key=keys.get("document_back"),
        selfie_key=keys["selfie"],
        attempts=0,
        created_at=now,
    )
    db.add(verification)
    await db.flush()
    return verification
