"""Accepting a capture: the answer to one challenge. Flushes only; the request commits.

Checks, cheapest first, each refusal a clear 4xx that leaves nothing behind:
the caller's own challenge of this lesson (else 404), the right nonce (403), the lesson
running (409), the challenge still open (answered or cancelled: 409; missed or past its
deadline: 410), the person's storage quota (413, R19), then the picture by content (415 not a
picture, 413 too big, 422 damaged) and the quota again with its re-encoded size. Only then
is the picture stored (503 when the store is down: no row) and the row written; when the
write fails, or the transaction rolls back later, the stored picture is deleted.
The verdict job is enqueued after the commit.
"""

import asyncio
import hmac
from datetime import datetime

from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.courses.scopes import student_of_term
from trust_lesson.db import after_commit
from trust_lesson.errors import Conflict, DomainError, Forbidden, NotFound
from trust_lesson.evidence import events as evidence
from trust_lesson.models import (
    Capture,
    CaptureStatus,
    Challenge,
    ChallengeStatus,
    Lesson,
    LessonStatus,
    User,
)
from trust_lesson.storage.blobs import BlobStore, StoredBlob
from trust_lesson.storage.quota import require_room, stored_bytes
from trust_lesson.storage.transactional import delete_on_rollback, delete_quietly
from trust_lesson.vision.decode import WEBCAM_FRAME
from trust_lesson.vision.errors import ImageRejected
from trust_lesson.worker.worker import Worker

MAX_CAPTURE_BYTES = WEBCAM_FRAME.max_bytes
VERDICT_TASK = "verdict"


class ChallengeGone(DomainError):
    status_code = 410
    code = "challenge_gone"


class PictureRefused(DomainError):
    """A picture refused by content; the status comes from the vision engine's error."""

    def __init__(self, error: ImageRejected) -> None:
        super().__init__(error.message)
        self.status_code = error.http_status
        self.code = error.code


async def accept(
    *,
    db: AsyncSession,
    caller: User,
    lesson_id: int,
    challenge_id: int,
    nonce: str,
    picture: bytes,
    blobs: BlobStore,
    worker: Worker,
    now: datetime,
    quota_bytes: int,
) -> Capture:
    challenge = await _answerable(db, caller, lesson_id, challenge_id, nonce, now)
    used = await stored_bytes(db, user_id=caller.id)
    require_room(used=used, adding=1, quota_bytes=quota_bytes)  # full: refused before decoding
    clean = await _clean_picture(picture)
    require_room(used=used, adding=len(clean), quota_bytes=quota_bytes)
    stored = await blobs.put(clean, kind="captures", now=now, suffix=".jpg")
    try:
        capture = await _record(db, challenge, stored, now)
    except BaseException:
        await delete_quietly(blobs, [stored.key])
        raise
    delete_on_rollback(db, blobs, [stored.key])
    after_commit(db, lambda: enqueue_verdict(worker, capture.id))
    return capture


async def enqueue_verdict(worker: Worker, capture_id: int) -> None:
    """Off the event loop: the queue write may wait on a SQLite lock or the network."""
    await asyncio.to_thread(worker.enqueue, VERDICT_TASK, capture_id)


async def _answerable(
    db: AsyncSession, caller: User, lesson_id: int, challenge_id: int, nonce: str, now: datetime
) -> Challenge:
    row = (await db.execute(_challenge_query(caller, lesson_id, challenge_id))).first()
    if row is None:
        raise NotFound("No such challenge.")
    challenge, lesson_status = row
    if not hmac.compare_digest(challenge.nonce.encode(), nonce.encode()):
        raise Forbidden("The nonce does not belong to this challenge.")
    if lesson_status is not LessonStatus.RUNNING:
        raise Conflict("The lesson is not running.")
    _require_open(challenge, now)
    return challenge


def _challenge_query(
    caller: User, lesson_id: int, challenge_id: int
) -> Select[Challenge, LessonStatus]:
    """The caller's own challenge of this lesson, while they are a student of its term."""
    return (
        select(Challenge, Lesson.status)
        .join(Lesson, Lesson.id == Challenge.lesson_id)
        .where(
            Challenge.id == challenge_id,
            Challenge.lesson_id == lesson_id,
            Challenge.user_id == caller.id,
            student_of_term(caller.id, Lesson.term_id),
        )
    )


def _require_open(challenge: Challenge, now: datetime) -> None:
    if challenge.status is ChallengeStatus.ANSWERED:
        raise Conflict("This challenge was already answered.")
    if challenge.status is ChallengeStatus.CANCELLED:
        raise Conflict("This challenge was cancelled.")
    if challenge.status is ChallengeStatus.MISSED or now >= challenge.deadline:
        raise ChallengeGone("The time to answer this challenge has run out.")
    if now < challenge.issued_at:
        raise Conflict("This challenge is not open yet.")


async def _clean_picture(picture: bytes) -> bytes:
    """Decode in a thread (by content, never the name); the pixels alone, as a JPEG."""
    try:
        return await asyncio.to_thread(WEBCAM_FRAME.clean, picture)
    except ImageRejected as error:
        raise PictureRefused(error) from None


async def _record(
    db: AsyncSession, challenge: Challenge, stored: StoredBlob, now: datetime
) -> Capture:
    """Close the challenge (only if still open) and write the capture, PENDING."""
    closed = await db.execute(
        update(Challenge)
        .where(
            Challenge.id == challenge.id,
            Challenge.status == ChallengeStatus.OPEN,
            Challenge.deadline > now,
        )
        .values(status=ChallengeStatus.ANSWERED)
        .execution_options(synchronize_session=False)
    )
    if not closed.rowcount:  # type: ignore[attr-defined]
        raise Conflict("This challenge was just answered or closed.")
    capture = Capture(
        lesson_id=challenge.lesson_id,
        user_id=challenge.user_id,
        challenge_id=challenge.id,
        blob_key=stored.key,
        sha256=stored.sha256,
        size=stored.size,
        status=CaptureStatus.PENDING,
        reasons=[],
        scores={},
        attempts=0,
        created_at=now,
    )
    db.add(capture)
    try:
        await db.flush()
    except IntegrityError:  # a backstop: the conditional UPDATE above lets one answer through
        raise Conflict("This challenge was already answered.") from None
    await evidence.capture_received(db, capture)
    return capture
