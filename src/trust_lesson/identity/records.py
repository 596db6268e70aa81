"""A person's identity record: every change is a new version, the newest is the record.
Saving what the record already says is no change: no version is added.

The person writes their own record while none of their verifications has passed; after
that only an administrator may correct it (a verified identity is what anchors the face
enrolment, so the person cannot rewrite what was checked). Flushes only.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.errors import Conflict, NotFound
from trust_lesson.identity.schemas import IdentityRecordRead, IdentityRecordWrite
from trust_lesson.models import IdentityRecord, IdentityVerification, Role, User, VerificationStatus

RECORD_FIELDS = tuple(IdentityRecordWrite.model_fields)


class IdentityLocked(Conflict):
    code = "identity_verified"


@dataclass(frozen=True)
class SavedRecord:
    record: IdentityRecord
    """the record in force after the save: the new version, or the one that said the same"""
    changed: bool


async def current_record(*, db: AsyncSession, user_id: int) -> IdentityRecord | None:
    query = (
        select(IdentityRecord)
        .where(IdentityRecord.user_id == user_id)
        .order_by(IdentityRecord.id.desc())
        .limit(1)
    )
    return (await db.execute(query)).scalar_one_or_none()


async def require_record(*, db: AsyncSession, user_id: int) -> IdentityRecord:
    record = await current_record(db=db, user_id=user_id)
    if record is None:
        raise NotFound(
            "No identity record yet: PUT /api/v1/users/{id}/identity with your document's data."
        )
    return record


async def is_verified(*, db: AsyncSession, user_id: int) -> bool:
    """Whether a verification of the person stands VERIFIED (by the worker or a reviewer)."""
    passed = exists().where(
        IdentityVerification.user_id == user_id,
        IdentityVerification.status == VerificationStatus.VERIFIED,
    )
    return bool(await db.scalar(select(passed)))


async def write_record(
    *, db: AsyncSession, caller: User, user: User, data: IdentityRecordWrite, now: datetime
) -> SavedRecord:
    """A new version of the record, unless it says what the record says already (verifications
    keep pointing at that version); the person's own save is refused once verified."""
    if caller.role is not Role.ADMIN and await is_verified(db=db, user_id=user.id):
        raise IdentityLocked(
            "Your identity is verified, so your record is locked; "
            "ask an administrator to correct it."
        )
    values = data.model_dump()
    if values["country"]:
        values["country"] = values["country"].upper()
    current = await current_record(db=db, user_id=user.id)
    if current is not None and comparable(current) == values:
        return SavedRecord(current, changed=False)
    record = IdentityRecord(user_id=user.id, changed_by_id=caller.id, changed_at=now, **values)
    db.add(record)
    await db.flush()
    return SavedRecord(record, changed=True)


async def record_state(*, db: AsyncSession, record: IdentityRecord) -> IdentityRecordRead:
    versions = await db.scalar(
        select(func.count(IdentityRecord.id)).where(IdentityRecord.user_id == record.user_id)
    )
    return IdentityRecordRead.model_validate(
        {
            **{name: getattr(record, name) for name in RECORD_FIELDS},
            "user_id": record.user_id,
            "changed_at": record.changed_at,
            "changed_by_id": record.changed_by_id,
            "versions": int(versions or 0),
            "verified": await is_verified(db=db, user_id=record.user_id),
        }
    )


def comparable(record: IdentityRecord) -> dict[str, str | date | None]:
    """The record's fields as the comparison reads them."""
    return {name: getattr(record, name) for name in RECORD_FIELDS}
