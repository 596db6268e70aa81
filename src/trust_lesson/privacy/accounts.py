"""Deleting an account (issue 8/11, R25): the person goes, the evidence of attendance stays.

The users row stays as a pseudonym: no name, no email, no password, `deleted_at` set; the
attendance decisions, captures (hashes and verdicts), reviews, certificates and log entries
that name its id keep pointing at it (the foreign keys restrict, so a stray DELETE of the row
fails instead of cascading evidence away). What is personal goes in the same transaction:
the capture pictures (deleted from the store after the commit), the identity record with its
verifications (document photos and selfies let go of the same way), the face templates, the
consent in force (withdrawn; the history of what was consented to stays), the appeals (the
person's own words and the replies to them; the log keeps that each was filed and answered,
with the texts' hashes only), the enrolments and the sessions. One log entry per purge and one
for the deletion.

An administrator deletes other people's accounts; a person deletes their own (GDPR 17) with
their password, unless they are an administrator (the school's last one must not vanish:
another administrator can) or still teach lessons.
"""

import logging
import uuid
from datetime import datetime

from sqlalchemy import delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.auth.session_store import SessionStore
from trust_lesson.auth.throttle import LoginThrottle
from trust_lesson.errors import Conflict
from trust_lesson.evidence import certificates
from trust_lesson.evidence import events as evidence
from trust_lesson.evidence.events import Purged
from trust_lesson.models import (
    AttendanceAppeal,
    BiometricConsent,
    Capture,
    FaceTemplate,
    IdentityRecord,
    IdentityVerification,
    Lesson,
    Role,
    TermMember,
    User,
)
from trust_lesson.privacy import purge
from trust_lesson.storage.blobs import BlobStore
from trust_lesson.users import service as users

DELETED_NAME = "Deleted account"
UNUSABLE_HASH = "!deleted"  # not an Argon2 hash: no password ever verifies against it
WHY = "account deleted"
log = logging.getLogger("trust_lesson.security")


OWN_ADMIN_ACCOUNT = "You cannot delete your own account; another administrator can."
STILL_TEACHES = "This user still teaches lessons; give them to another instructor first."
STILL_TEACH = (
    "You still teach lessons, so your account cannot be deleted yet; "
    "ask an administrator to give your lessons to another instructor first."
)


async def delete_account(
    *,
    db: AsyncSession,
    store: SessionStore,
    blobs: BlobStore,
    user: User,
    now: datetime,
    actor: User | None = None,
) -> None:
    """An administrator's deletion of someone else's account (their own: `delete_own_account`
    refuses it too), never of someone who still teaches."""
    if actor is not None and actor.id == user.id:
        raise Conflict(OWN_ADMIN_ACCOUNT)
    if await _teaches(db, user):
        raise Conflict(STILL_TEACHES)
    await _erase(db=db, store=store, blobs=blobs, user=user, now=now, actor=actor)


async def own_deletion_refusal(*, db: AsyncSession, user: User) -> str | None:
    """Why the person may not delete their own account, in words; None when they may (GDPR
    17). An administrator never may: the school's last one must not vanish with a click."""
    if user.role is Role.ADMIN:
        return OWN_ADMIN_ACCOUNT
    if await _teaches(db, user):
        return STILL_TEACH
    return None


async def delete_own_account(
    *,
    db: AsyncSession,
    store: SessionStore,
    blobs: BlobStore,
    throttle: LoginThrottle,
    address: str,
    user: User,
    password: str,
    now: datetime,
) -> None:
    """The person erases themselves, their password typed again (counted like a sign-in's);
    what goes and what stays is the administrator's deletion's, and every session ends."""
    refusal = await own_deletion_refusal(db=db, user=user)
    if refusal is not None:
        raise Conflict(refusal)
    await users.confirm_password(
        throttle=throttle, address=address, user=user, password=password,
        event="account_deletion_failed",
    )  # fmt: skip
    await _erase(db=db, store=store, blobs=blobs, user=user, now=now, actor=user)


async def _teaches(db: AsyncSession, user: User) -> bool:
    return bool(await db.scalar(select(exists().where(Lesson.instructor_id == user.id))))


async def _erase(
    *,
    db: AsyncSession,
    store: SessionStore,
    blobs: BlobStore,
    user: User,
    now: datetime,
    actor: User | None,
) -> None:
    actor_id = None if actor is None else actor.id
    pictures = await purge.capture_pictures(
        db, which=Capture.user_id == user.id, now=now, blobs=blobs
    )
    documents = await purge.identity_documents(
        db, which=IdentityVerification.user_id == user.id, now=now, blobs=blobs
    )
    records = await _delete_identity(db, user.id)
    templates = await purge.face_templates(db, which=FaceTemplate.user_id == user.id)
    withdrawn = await _withdraw_consent(db, user.id, now)
    appeals = await _delete_appeals(db, user.id)
    await db.execute(delete(TermMember).where(TermMember.user_id == user.id))
    await store.close_all(db, user_id=user.id)
    _pseudonymise(user, now)
    await certificates.forget_documents(db, user_id=user.id)
    await db.flush()
    await purge.log_pictures(db, pictures, why=WHY, now=now)
    await purge.log_identity_documents(db, documents, why=WHY, now=now)
    if records:
        await evidence.data_purged(
            db, user_id=user.id, what=Purged.IDENTITY_RECORDS, why=WHY, now=now, count=records
        )
    await purge.log_templates(db, templates, why=WHY, now=now)
    if appeals:
        await evidence.data_purged(
            db, user_id=user.id, what=Purged.APPEALS, why=WHY, now=now, count=appeals
        )
    if withdrawn:
        await evidence.consent_withdrawn(db, user_id=user.id, now=now)
    await evidence.account_deleted(db, user_id=user.id, actor_id=actor_id, now=now)
    log.warning(
        "account deleted",
        extra={"event": "account_deleted", "actor_id": actor_id, "user_id": user.id},
    )


async def _delete_identity(db: AsyncSession, user_id: int) -> int:
    """The identity record's versions, with the verifications and reviews made against them
    (their pictures were let go of first); how many versions. Outcomes stay in the log."""
    result = await db.execute(
        delete(IdentityRecord)
        .where(IdentityRecord.user_id == user_id)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def _delete_appeals(db: AsyncSession, user_id: int) -> int:
    """The person's appeals, open or answered: their reasons are their own words. The
    decisions they appealed stay, like every decision; how many appeals went."""
    result = await db.execute(
        delete(AttendanceAppeal)
        .where(AttendanceAppeal.user_id == user_id)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def _withdraw_consent(db: AsyncSession, user_id: int, now: datetime) -> bool:
    """The consent in force ends now; whether there was one."""
    result = await db.execute(
        update(BiometricConsent)
        .where(BiometricConsent.user_id == user_id, BiometricConsent.withdrawn_at.is_(None))
        .values(withdrawn_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _pseudonymise(user: User, now: datetime) -> None:
    """Nothing left that names the person; the random handle cannot be registered (the
    username pattern refuses '#', and .invalid is no mail domain)."""
    handle = uuid.uuid4().hex
    user.email = f"deleted-{handle}@deleted.invalid"
    user.username = f"#deleted-{handle}"
    user.full_name = DELETED_NAME
    user.password_hash = UNUSABLE_HASH
    user.is_active = False
    user.deleted_at = now
    user.updated_at = now
