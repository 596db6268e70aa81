"""The database side of the verdict task: what it reads before the analysis, what it writes.

Each step is its own short transaction on the worker's loop; the analysis itself runs in the
worker thread in between. The verdict is written with a conditional UPDATE (only while the
capture is PENDING), so two workers racing on one capture can never both write: exactly one
verdict per capture, whatever crashes or retries happened before.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.biometrics.service import enrolment_picture_hashes, reference_embeddings
from trust_lesson.db import transaction
from trust_lesson.evidence import events as evidence
from trust_lesson.models import Capture, CaptureStatus, Challenge, Course, Lesson, Term
from trust_lesson.presence.judging import Judgement
from trust_lesson.presence.policy import AttendancePolicy
from trust_lesson.presence.verdicts import TurnDirection, Verdict
from trust_lesson.storage.blobs import BlobNotFound
from trust_lesson.worker.worker import TaskResources

EARLIER_HASHES = 500
"""How many of the student's latest pictures a new one is compared with (replay check)."""
PICTURE_MISSING = "the stored picture is missing: kept for human review"
log = logging.getLogger("trust_lesson.presence.verdict")


@dataclass(frozen=True)
class VerdictInputs:
    """What the analysis needs. A liveness check's burst: ``frames`` in order (the first is
    also ``picture``) and the side asked (``liveness``)."""

    capture_id: int
    picture: bytes
    references: list[np.ndarray]
    previous_hashes: list[str]
    policy: AttendancePolicy
    frames: list[bytes] = field(default_factory=list)
    liveness: TurnDirection | None = None


async def load_inputs(
    resources: TaskResources, capture_id: int
) -> VerdictInputs | Judgement | None:
    """What the analysis needs; None when there is nothing to do (gone or already judged).

    Counts the attempt first, in its own commit, so a capture that keeps killing workers is
    noticed by the sweep. A picture missing from the store is judged at once (kept for review).
    """
    async with transaction(resources.session_factory) as db:
        found = await _pending_capture(db, capture_id)
        if found is None:
            return None
        capture, policy, liveness = found
        references = await reference_embeddings(db=db, user_id=capture.user_id)
        hashes = await _earlier_hashes(db, capture)
        hashes += await enrolment_picture_hashes(db=db, user_id=capture.user_id)
        await db.execute(  # the only write, last: SQLite's write lock is held for one statement
            update(Capture)
            .where(Capture.id == capture_id, Capture.status == CaptureStatus.PENDING)
            .values(attempts=Capture.attempts + 1)
        )
    try:
        if capture.blob_key is None:
            raise BlobNotFound("no key")
        picture = await resources.blobs.get(capture.blob_key)
        frames = [await resources.blobs.get(key) for key in capture.frame_keys or []]
    except BlobNotFound:
        return Judgement(Verdict.NEEDS_REVIEW, [PICTURE_MISSING])
    return VerdictInputs(capture_id, picture, references, hashes, policy, frames, liveness)


async def save_verdict(
    resources: TaskResources, capture_id: int, judgement: Judgement, now: datetime
) -> bool:
    """Write the verdict unless another run already did; True when this run wrote it."""
    async with transaction(resources.session_factory) as db:
        return await write_verdict(db=db, capture_id=capture_id, judgement=judgement, now=now)


async def write_verdict(
    *, db: AsyncSession, capture_id: int, judgement: Judgement, now: datetime
) -> bool:
    result = await db.execute(
        update(Capture)
        .where(Capture.id == capture_id, Capture.status == CaptureStatus.PENDING)
        .values(
            status=CaptureStatus.DONE,
            verdict=judgement.verdict,
            reasons=judgement.reasons,
            similarity=judgement.similarity,
            faces=judgement.faces,
            phash=judgement.phash,
            scores=judgement.scores,
            analyzed_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    written = bool(result.rowcount)  # type: ignore[attr-defined]
    if written:
        await evidence.capture_judged(db, capture_id=capture_id, judgement=judgement, now=now)
        log.info("capture %s judged %s", capture_id, judgement.verdict.value)
    return written


async def _pending_capture(
    db: AsyncSession, capture_id: int
) -> tuple[Capture, AttendancePolicy, TurnDirection | None] | None:
    query = (
        select(Capture, Course.id, Course.policy, Challenge.liveness)
        .join(Challenge, Challenge.id == Capture.challenge_id)
        .join(Lesson, Lesson.id == Capture.lesson_id)
        .join(Term, Term.id == Lesson.term_id)
        .join(Course, Course.id == Term.course_id)
        .where(Capture.id == capture_id)
    )
    row = (await db.execute(query)).first()
    if row is None or row[0].status is not CaptureStatus.PENDING:
        return None
    return row[0], AttendancePolicy.from_stored(row[2], course_id=row[1]), row[3]


async def _earlier_hashes(db: AsyncSession, capture: Capture) -> list[str]:
    query = (
        select(Capture.phash)
        .where(
            Capture.user_id == capture.user_id,
            Capture.id < capture.id,
            Capture.phash.is_not(None),
        )
        .order_by(Capture.id.desc())
        .limit(EARLIER_HASHES)
    )
    return [phash for phash in (await db.execute(query)).scalars() if phash is not None]
