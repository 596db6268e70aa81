"""Accepting a capture: the answer to one challenge. Flushes only; the request commits.

Checks, cheapest first, each refusal a clear 4xx that leaves nothing behind:
the caller's own challenge of this lesson (else 404), the right nonce (403), the lesson
running (409), the challenge still open (answered or cancelled: 409; missed or past its
deadline: 410), the person's storage quota (413, R19), the answer's shape (an ordinary check
takes one `image`; a liveness check a burst of `MIN_FRAMES`..`MAX_FRAMES` `frames`: else
422), then every picture's header by content before any is decoded (415 not a picture, 413
too big, 422 damaged), then each picture decoded (one at a time, within the process's decode
slots) and re-encoded clean, and the quota again with the re-encoded sizes. Only then are the
pictures stored (503 when the store is down: no row) and the row written; when the write
fails, or the transaction rolls back later, the stored pictures are deleted.
The verdict job is enqueued after the commit.
"""

import asyncio
import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.courses.scopes import student_of_term
from trust_lesson.db import after_commit
from trust_lesson.errors import Conflict, DomainError, Forbidden, NotFound, Unprocessable
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
MIN_FRAMES, MAX_FRAMES = 3, 8
"""A liveness burst: the rule needs a face in 3 frames; the room sends 5."""
VERDICT_TASK = "verdict"


class ChallengeGone(DomainError):
    status_code = 410
    code = "challenge_gone"


class PictureRefused(DomainError):
    """A picture refused by content; the status comes from the vision engine's error."""

    def __init__(self, error: ImageRejected, *, frame: int | None = None) -> None:
        super().__init__(error.message if frame is None else f"Frame {frame}: {error.message}")
        self.status_code = error.http_status
        self.code = error.code


async def accept(
    *,
    db: AsyncSession,
    caller: User,
    lesson_id: int,
    challenge_id: int,
    nonce: str,
    picture: bytes | None,
    frames: Sequence[bytes] = (),
    blobs: BlobStore,
    worker: Worker,
    now: datetime,
    quota_bytes: int,
) -> Capture:
    """Answer a challenge with one picture, or a liveness challenge with a burst of frames."""
    challenge = await _answerable(db, caller, lesson_id, challenge_id, nonce, now)
    used = await stored_bytes(db, user_id=caller.id)
    require_room(used=used, adding=1, quota_bytes=quota_bytes)  # full: refused before decoding
    pictures = _pictures_for(challenge, picture, frames)
    for number, data in enumerate(pictures, 1):
        _probe(data, number if frames else None)
    cleaned = [
        await _clean_picture(data, number if frames else None)
        for number, data in enumerate(pictures, 1)
    ]
    require_room(used=used, adding=sum(map(len, cleaned)), quota_bytes=quota_bytes)
    stored = await _store_all(blobs, cleaned, now)
    keys = [blob.key for blob in stored]
    try:
        capture = await _record(db, challenge, stored, now, burst=bool(frames))
    except BaseException:
        await delete_quietly(blobs, keys)
        raise
    delete_on_rollback(db, blobs, keys)
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


def _pictures_for(
    challenge: Challenge, picture: bytes | None, frames: Sequence[bytes]
) -> list[bytes]:
    """One `image` for an ordinary check, a burst of `frames` for a liveness check (422)."""
    if challenge.liveness is None:
        if frames or picture is None:
            raise Unprocessable("This check takes one picture, sent as `image` (not `frames`).")
        return [picture]
    if picture is not None or not MIN_FRAMES <= len(frames) <= MAX_FRAMES:
        raise Unprocessable(
            f"This is a liveness check: send {MIN_FRAMES} to {MAX_FRAMES} frames of the head "
            f"turning {challenge.liveness.value.lower()}, in order, as `frames` (not `image`); "
            f"got {len(frames)} frame(s)."
        )
    return list(frames)


def _probe(picture: bytes, number: int | None) -> None:
    """Header checks only (microseconds): a bad frame refuses the burst before any decoding."""
    try:
        WEBCAM_FRAME.probe(picture)
    except ImageRejected as error:
        raise PictureRefused(error, frame=number) from None


async def _clean_picture(picture: bytes, number: int | None = None) -> bytes:
    """Decode in a thread (by content, never the name); the pixels alone, as a JPEG."""
    try:
        return await asyncio.to_thread(WEBCAM_FRAME.clean, picture)
    except ImageRejected as error:
        raise PictureRefused(error, frame=number) from None


async def _store_all(blobs: BlobStore, pictures: list[bytes], now: datetime) -> list[StoredBlob]:
    """Every picture stored, or none (those already stored are deleted when one fails)."""
    stored: list[StoredBlob] = []
    try:
        for picture in pictures:
            stored.append(await blobs.put(picture, kind="captures", now=now, suffix=".jpg"))
    except BaseException:
        await delete_quietly(blobs, [blob.key for blob in stored])
        raise
    return stored


def _burst_hash(stored: Sequence[StoredBlob]) -> str:
    return hashlib.sha256("\n".join(blob.sha256 for blob in stored).encode()).hexdigest()


async def _record(
    db: AsyncSession, challenge: Challenge, stored: list[StoredBlob], now: datetime, *, burst: bool
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
        blob_key=stored[0].key,
        frame_keys=[blob.key for blob in stored] if burst else None,
        sha256=_burst_hash(stored) if burst else stored[0].sha256,
        size=sum(blob.size for blob in stored),
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
