"""The database side of the verification task: what it reads before the examination, and
the outcome it writes (a conditional UPDATE while PENDING: one outcome per verification)."""

import logging
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.biometrics.service import embedding_bytes, first_template_from_identity
from trust_lesson.db import transaction
from trust_lesson.evidence import events as evidence
from trust_lesson.identity.comparison import FieldComparison
from trust_lesson.identity.examination import Examination
from trust_lesson.identity.outcome import Outcome
from trust_lesson.identity.policy import identity_policy
from trust_lesson.identity.records import comparable
from trust_lesson.models import IdentityRecord, IdentityVerification, VerificationStatus
from trust_lesson.presence.policy import AttendancePolicy
from trust_lesson.storage.blobs import BlobNotFound
from trust_lesson.worker.worker import TaskResources

PICTURES_MISSING = "the stored pictures are missing: send them again"
log = logging.getLogger("trust_lesson.identity")


@dataclass(frozen=True)
class VerificationInputs:
    document: bytes
    document_back: bytes | None
    selfie: bytes
    record: dict[str, str | date | None]
    policy: AttendancePolicy


async def load_inputs(
    resources: TaskResources, verification_id: int
) -> VerificationInputs | Outcome | None:
    """What the examination needs; None when there is nothing to do (gone or decided)."""
    async with transaction(resources.session_factory) as db:
        query = (
            select(IdentityVerification, IdentityRecord)
            .join(IdentityRecord, IdentityRecord.id == IdentityVerification.record_id)
            .where(IdentityVerification.id == verification_id)
        )
        row = (await db.execute(query)).first()
        if row is None or row[0].status is not VerificationStatus.PENDING:
            return None
        verification, record = row
        verification.attempts += 1
        policy = await identity_policy(db=db, user_id=verification.user_id)
        keys = (verification.document_key, verification.document_back_key, verification.selfie_key)
        values = comparable(record)
    try:
        front, back, selfie = [await _get(resources, key) for key in keys]
    except BlobNotFound:
        return Outcome(VerificationStatus.REJECTED, [PICTURES_MISSING])
    if front is None or selfie is None:
        return Outcome(VerificationStatus.REJECTED, [PICTURES_MISSING])
    return VerificationInputs(front, back, selfie, values, policy)


async def _get(resources: TaskResources, key: str | None) -> bytes | None:
    return None if key is None else await resources.blobs.get(key)


async def save_outcome(
    resources: TaskResources,
    verification_id: int,
    outcome: Outcome,
    examination: Examination | None,
    now: datetime,
) -> bool:
    """Write the outcome unless another run already did; True when this run wrote it."""
    values: dict[str, object] = {
        "status": outcome.status,
        "machine_status": outcome.status,
        "reasons": outcome.reasons,
        "analyzed_at": now,
        "decided_at": None if outcome.status is VerificationStatus.NEEDS_REVIEW else now,
    }
    if examination is not None:
        comparison = examination.comparison
        embedding = examination.portrait_embedding
        values |= {
            "fields": [_field_json(f) for f in comparison.fields],
            "not_match_fields": list(comparison.not_match_fields),
            "not_found_fields": list(comparison.not_found_fields),
            "portrait_similarity": examination.portrait.similarity,
            "portrait_embedding": None if embedding is None else embedding_bytes(embedding),
        }
    async with transaction(resources.session_factory) as db:
        user_id = await db.scalar(
            update(IdentityVerification)
            .where(
                IdentityVerification.id == verification_id,
                IdentityVerification.status == VerificationStatus.PENDING,
            )
            .values(**values)
            .returning(IdentityVerification.user_id)
            .execution_options(synchronize_session=False)
        )
        written = user_id is not None
        if user_id is not None:
            await _first_template(db, user_id, outcome, examination, now)
            await _judged(db, verification_id, user_id, outcome, examination, now)
    if written:
        log.info("identity verification %s: %s", verification_id, outcome.status.value)
    return written


async def _first_template(
    db: AsyncSession,
    user_id: int,
    outcome: Outcome,
    examination: Examination | None,
    now: datetime,
) -> None:
    """A VERIFIED selfie may become the first face template (``biometrics.service``)."""
    face = None if examination is None else examination.portrait.selfie
    if outcome.status is VerificationStatus.VERIFIED and face is not None:
        await first_template_from_identity(
            db=db, user_id=user_id, selfie=face.embedding, sha256=face.sha256, phash=face.phash,
            now=now,
        )  # fmt: skip


async def _judged(
    db: AsyncSession,
    verification_id: int,
    user_id: int,
    outcome: Outcome,
    examination: Examination | None,
    now: datetime,
) -> None:
    """The outcome's evidence entry, the last write of the outcome's transaction."""
    comparison = None if examination is None else examination.comparison
    await evidence.identity_judged(
        db,
        verification_id=verification_id,
        user_id=user_id,
        outcome=outcome,
        not_match_fields=comparison.not_match_fields if comparison else (),
        not_found_fields=comparison.not_found_fields if comparison else (),
        portrait_similarity=None if examination is None else examination.portrait.similarity,
        now=now,
    )


def _field_json(field: FieldComparison) -> dict[str, object]:
    return {
        "field": field.field,
        "record_value": field.record_value,
        "document_value": field.document_value,
        "source": None if field.source is None else field.source.value,
        "confidence": round(field.confidence, 3),
        "status": field.status.value,
    }
