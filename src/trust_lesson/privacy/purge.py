"""Deleting personal data while its evidence stays: the one home of "what a purge does".

Each purge is a conditional statement (only rows that still hold the data), so two sweeps, or
a sweep and an account deletion, never purge or log the same thing twice; the rows keep their
hashes, verdicts and decisions. Every purge is an evidence log entry per person, appended
last. Flushes only: the request or task owns the transaction.
"""

from collections import defaultdict
from datetime import datetime

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.evidence import events as evidence
from trust_lesson.evidence.events import Purged
from trust_lesson.models import Capture, FaceTemplate, IdentityVerification
from trust_lesson.privacy.pictures import let_go
from trust_lesson.storage.blobs import BlobStore


async def capture_pictures(
    db: AsyncSession,
    *,
    which: ColumnElement[bool],
    now: datetime,
    blobs: BlobStore,
    limit: int | None = None,
) -> dict[int, list[int]]:
    """Let go of the pictures of the captures `which` selects (every frame of a liveness
    burst): {student: [capture ids]}.

    The pictures are deleted from the store after the commit (``pictures.let_go``). The log
    entries are not written here: ``log_purges`` writes them, last in the transaction."""
    query = (
        select(Capture.id, Capture.user_id, Capture.blob_key, Capture.frame_keys)
        .where(which, Capture.blob_key.is_not(None))
        .order_by(Capture.id)
        .limit(limit)
        .with_for_update()
    )
    candidates = {row.id: row for row in await db.execute(query)}
    if not candidates:
        return {}
    cleared = await db.execute(
        update(Capture)
        .where(Capture.id.in_(candidates), Capture.blob_key.is_not(None))
        .values(blob_key=None, frame_keys=None)
        .returning(Capture.id)
        .execution_options(synchronize_session=False)
    )
    purged: dict[int, list[int]] = defaultdict(list)
    keys = []
    for capture_id in cleared.scalars():
        row = candidates[capture_id]
        purged[row.user_id].append(capture_id)
        keys.append(row.blob_key)
        keys += [key for key in row.frame_keys or [] if key != row.blob_key]
    await let_go(db, keys=keys, now=now, blobs=blobs)
    return dict(purged)


async def identity_documents(
    db: AsyncSession,
    *,
    which: ColumnElement[bool],
    now: datetime,
    blobs: BlobStore,
    limit: int | None = None,
) -> dict[int, list[int]]:
    """Let go of the document photos and selfies of the verifications `which` selects:
    {person: [verification ids]}. The outcome (status, reasons, field comparison) stays, and
    so does the portrait's descriptor: the enrolment anchor, a face template whose retention
    is the templates' (``face_templates``)."""
    verification = IdentityVerification
    keys_of = (verification.document_key, verification.document_back_key, verification.selfie_key)
    holds = or_(*(key.is_not(None) for key in keys_of))
    query = (
        select(verification.id, verification.user_id, *keys_of)
        .where(which, holds)
        .order_by(verification.id)
        .limit(limit)
        .with_for_update()
    )
    candidates = {row.id: row for row in await db.execute(query)}
    if not candidates:
        return {}
    cleared = await db.execute(
        update(verification)
        .where(verification.id.in_(candidates), holds)
        .values(document_key=None, document_back_key=None, selfie_key=None)
        .returning(verification.id)
        .execution_options(synchronize_session=False)
    )
    purged: dict[int, list[int]] = defaultdict(list)
    keys: list[str] = []
    for verification_id in cleared.scalars():
        row = candidates[verification_id]
        purged[row.user_id].append(verification_id)
        keys += [key for key in row[2:] if key is not None]
    await let_go(db, keys=keys, now=now, blobs=blobs)
    return dict(purged)


async def face_templates(db: AsyncSession, *, which: ColumnElement[bool]) -> dict[int, int]:
    """Delete the face templates `which` selects, and the identity portraits' descriptors of
    the same people: {person: how many templates}."""
    deleted = await db.execute(
        delete(FaceTemplate)
        .where(which)
        .returning(FaceTemplate.user_id)
        .execution_options(synchronize_session=False)
    )
    counts: dict[int, int] = defaultdict(int)
    for user_id in deleted.scalars():
        counts[user_id] += 1
    if counts:
        await db.execute(
            update(IdentityVerification)
            .where(IdentityVerification.user_id.in_(counts))
            .values(portrait_embedding=None)
            .execution_options(synchronize_session=False)
        )
    return dict(counts)


async def log_pictures(
    db: AsyncSession, purged: dict[int, list[int]], *, why: str, now: datetime
) -> None:
    for user_id, captures in sorted(purged.items()):
        await evidence.data_purged(
            db, user_id=user_id, what=Purged.CAPTURE_PICTURES, why=why, now=now, captures=captures
        )


async def log_identity_documents(
    db: AsyncSession, purged: dict[int, list[int]], *, why: str, now: datetime
) -> None:
    for user_id, verifications in sorted(purged.items()):
        await evidence.data_purged(
            db, user_id=user_id, what=Purged.IDENTITY_DOCUMENTS, why=why, now=now,
            count=len(verifications), verifications=verifications,
        )  # fmt: skip


async def log_templates(
    db: AsyncSession, deleted: dict[int, int], *, why: str, now: datetime
) -> None:
    for user_id, count in sorted(deleted.items()):
        await evidence.data_purged(
            db, user_id=user_id, what=Purged.FACE_TEMPLATES, why=why, now=now, count=count
        )
