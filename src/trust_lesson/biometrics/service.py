"""Consent and face templates. Flushes only; the caller owns the transaction.

Choices
- One active consent at a time. Giving consent again for the same text version is refused
  (409); for another version the active consent is closed and the new one recorded, so the
  history shows exactly which text was in force when (templates are kept: consent never lapsed).
- Withdrawing closes the active consent and deletes every face template in the same
  transaction (R24). It is idempotent: withdrawing with nothing active still deletes templates.
- An enrolment replaces the earlier templates: the person's templates are always the selfies
  of their last enrolment, nothing older lingers.
- Selfies are not stored, only their templates and the SHA-256 of each source file.
- Without an active consent there is no biometric processing: enrolment is refused and
  `reference_embeddings` answers [] even if a template were left behind.
- Anchored enrolment (issue 10): once the person's identity is VERIFIED, every selfie must
  show the person of the document's portrait (unless all their courses turned anchoring off).
  Withdrawing consent also deletes the portraits' descriptors; enrolment then waits for a new
  verification, so withdrawing cannot be used to enrol someone else.
"""

from collections.abc import Sequence
from datetime import datetime
from functools import partial

import anyio.to_thread
import numpy as np
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.biometrics.schemas import (
    ConsentGive,
    ConsentRead,
    ConsentState,
    ConsentText,
    FaceEnrolmentRead,
)
from trust_lesson.biometrics.selfies import SelfieFile, examine_selfies, refuse_strangers
from trust_lesson.errors import Conflict, Unprocessable
from trust_lesson.evidence import events as evidence
from trust_lesson.identity.policy import identity_policy
from trust_lesson.models import (
    BiometricConsent,
    FaceTemplate,
    IdentityVerification,
    VerificationStatus,
)

EMBEDDING_DTYPE = np.dtype("<f4")
EMBEDDING_SIZE = 128

CONSENT_TEXT = ConsentText(
    text_version="2026-03",
    purpose=(
        "Check that the person in front of the camera during my online lessons is me, by "
        "comparing the camera pictures with face templates made from my enrolment selfies."
    ),
    text=(
        "I agree that Trust Lesson turns my enrolment selfies into face templates (numbers "
        "describing my face, not pictures) and compares them with the camera checks of the "
        "lessons I attend, only to prove my attendance. The selfies themselves are not kept. "
        "I can withdraw this consent at any time: my face templates are then deleted at once, "
        "and my attendance can still be decided by a person (manual review)."
    ),
)


# Earlier texts a person may still consent to (e.g. a form printed before an update); the
# newest is CONSENT_TEXT. Anything else is refused: consent is to a text that was published.
EARLIER_CONSENT_TEXTS: tuple[ConsentText, ...] = ()


class ConsentRequired(Conflict):
    code = "consent_required"


class AnchorGone(Conflict):
    code = "identity_portrait_gone"


def published_text(data: ConsentGive) -> ConsentText:
    """The published text the person consents to, or 422 (issue 8/4: no invented versions)."""
    version = data.text_version or CONSENT_TEXT.text_version
    texts = {text.text_version: text for text in (CONSENT_TEXT, *EARLIER_CONSENT_TEXTS)}
    text = texts.get(version)
    if text is None:
        raise Unprocessable(
            f"text_version: {version} is not a published consent text; the current one is "
            f"{CONSENT_TEXT.text_version} (GET /api/v1/users/{{id}}/consent shows it)."
        )
    if data.purpose is not None and data.purpose != text.purpose:
        raise Unprocessable(
            f"purpose: it must be the published purpose of text version {version}, word for word."
        )
    return text


# --- consent ------------------------------------------------------------------------------


async def active_consent(
    *, db: AsyncSession, user_id: int, lock: bool = False
) -> BiometricConsent | None:
    """The consent in force; ``lock`` holds its row until commit (a withdrawal then waits)."""
    query = (
        select(BiometricConsent)
        .where(BiometricConsent.user_id == user_id, BiometricConsent.withdrawn_at.is_(None))
        .order_by(BiometricConsent.given_at.desc(), BiometricConsent.id.desc())
        .limit(1)
    )
    if lock:
        query = query.with_for_update()
    return (await db.execute(query)).scalar_one_or_none()


async def require_consent(
    *, db: AsyncSession, user_id: int, lock: bool = False
) -> BiometricConsent:
    consent = await active_consent(db=db, user_id=user_id, lock=lock)
    if consent is None:
        raise ConsentRequired(
            "Give biometric consent (POST /api/v1/users/{id}/consent) before enrolling a "
            "face; without it no face is processed."
        )
    return consent


async def consent_history(*, db: AsyncSession, user_id: int) -> Sequence[BiometricConsent]:
    query = (
        select(BiometricConsent)
        .where(BiometricConsent.user_id == user_id)
        .order_by(BiometricConsent.given_at.desc(), BiometricConsent.id.desc())
    )
    return (await db.execute(query)).scalars().all()


async def give_consent(
    *, db: AsyncSession, user_id: int, data: ConsentGive, now: datetime
) -> BiometricConsent:
    text = published_text(data)
    version = text.text_version
    current = await active_consent(db=db, user_id=user_id)
    if current is not None and current.text_version == version:
        raise Conflict(f"Consent to text version {version} is already given.")
    if current is not None:
        current.withdrawn_at = now
    consent = BiometricConsent(
        user_id=user_id, text_version=version, purpose=text.purpose, given_at=now, withdrawn_at=None
    )
    try:
        async with db.begin_nested():  # the unique index settles parallel requests
            db.add(consent)
            await db.flush()
    except IntegrityError:
        raise Conflict("Consent was just given in another request.") from None
    await evidence.consent_given(db, consent)
    return consent


async def withdraw_consent(*, db: AsyncSession, user_id: int, now: datetime) -> None:
    """Close the active consent and delete every face template of the person, and the
    descriptors of their identity documents' portraits (R24)."""
    consent = await active_consent(db=db, user_id=user_id)
    if consent is not None:
        consent.withdrawn_at = now
    await delete_templates(db=db, user_id=user_id)
    await db.execute(
        update(IdentityVerification)
        .where(IdentityVerification.user_id == user_id)
        .values(portrait_embedding=None)
    )
    await db.flush()
    await evidence.consent_withdrawn(db, user_id=user_id, now=now)


# --- face enrolment ---------------------------------------------------------------------


async def enrol(
    *, db: AsyncSession, user_id: int, selfies: Sequence[SelfieFile], now: datetime
) -> None:
    """Check the selfies (in a worker thread) and make them the person's face templates.

    Consent is checked before any picture is looked at, and again (locking the consent row)
    before the templates are written, so a withdrawal during the analysis wins.
    """
    await require_consent(db=db, user_id=user_id)
    anchor = await identity_anchor(db=db, user_id=user_id)
    accepted = await anyio.to_thread.run_sync(partial(examine_selfies, selfies))
    if anchor is not None:
        refuse_strangers(accepted, anchor)
    await require_consent(db=db, user_id=user_id, lock=True)
    faces = [(selfie.embedding, selfie.sha256) for selfie in accepted]
    hashes = [selfie.phash for selfie in accepted]
    await replace_templates(db=db, user_id=user_id, faces=faces, now=now, picture_hashes=hashes)


async def first_template_from_identity(
    *, db: AsyncSession, user_id: int, selfie: np.ndarray, sha256: str, phash: str, now: datetime
) -> bool:
    """The selfie of a VERIFIED identity becomes the person's first face template (issue 10).

    Only with consent in force (its row locked until the commit, so a withdrawal waits) and
    no template yet: an enrolment is never replaced behind the person's back. The selfie was
    judged like an enrolment selfie (one face, lit, sharp, big enough) and matched the
    document's portrait, so it is what an anchored enrolment would accept.
    """
    if await active_consent(db=db, user_id=user_id, lock=True) is None:
        return False
    if (await template_summary(db=db, user_id=user_id))[0]:
        return False
    faces = [(selfie, sha256)]
    await replace_templates(db=db, user_id=user_id, faces=faces, now=now, picture_hashes=[phash])
    return True


async def identity_anchor(*, db: AsyncSession, user_id: int) -> np.ndarray | None:
    """The portrait of the person's newest VERIFIED identity document, when their courses
    anchor enrolment to it (issue 10); None when there is nothing to anchor to. Its
    descriptor deleted with a consent withdrawal -> 409: verify the identity again first."""
    query = (
        select(IdentityVerification.portrait_embedding, IdentityVerification.portrait_similarity)
        .where(
            IdentityVerification.user_id == user_id,
            IdentityVerification.status == VerificationStatus.VERIFIED,
        )
        .order_by(IdentityVerification.id.desc())
        .limit(1)
    )
    newest = (await db.execute(query)).first()
    if newest is None or not (await identity_policy(db=db, user_id=user_id)).anchored_enrolment:
        return None
    portrait, compared = newest
    if portrait is None and compared is not None:
        raise AnchorGone(
            "Your identity document's portrait was deleted when you withdrew consent: verify "
            "your identity again (POST /api/v1/users/{id}/identity/verifications) to enrol."
        )
    return None if portrait is None else embedding_array(portrait)


# --- face templates -----------------------------------------------------------------------


def embedding_bytes(embedding: np.ndarray) -> bytes:
    vector = np.asarray(embedding, dtype=EMBEDDING_DTYPE).reshape(-1)
    if vector.size != EMBEDDING_SIZE:
        raise ValueError(f"a face embedding has {EMBEDDING_SIZE} values, not {vector.size}")
    return vector.tobytes()


def embedding_array(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype=EMBEDDING_DTYPE).astype(np.float32).reshape(EMBEDDING_SIZE)


async def reference_embeddings(*, db: AsyncSession, user_id: int) -> list[np.ndarray]:
    """The person's face templates as float32 arrays (128,); [] without an active consent."""
    if await active_consent(db=db, user_id=user_id) is None:
        return []
    query = (
        select(FaceTemplate.embedding)
        .where(FaceTemplate.user_id == user_id)
        .order_by(FaceTemplate.id)
    )
    return [embedding_array(data) for data in (await db.execute(query)).scalars()]


async def replace_templates(
    *,
    db: AsyncSession,
    user_id: int,
    faces: Sequence[tuple[np.ndarray, str]],
    now: datetime,
    picture_hashes: Sequence[str | None] = (),
) -> None:
    """Store one template per (embedding, source SHA-256), replacing the earlier ones; with
    each selfie's perceptual hash when given (the replay check compares captures with it)."""
    await delete_templates(db=db, user_id=user_id)
    hashes = list(picture_hashes) + [None] * (len(faces) - len(picture_hashes))
    db.add_all(
        FaceTemplate(
            user_id=user_id,
            embedding=embedding_bytes(vector),
            source_sha256=digest,
            source_phash=phash,
            created_at=now,
        )
        for (vector, digest), phash in zip(faces, hashes, strict=True)
    )
    await db.flush()


async def enrolment_picture_hashes(*, db: AsyncSession, user_id: int) -> list[str]:
    """The perceptual hashes of the person's enrolment selfies: "earlier pictures" too."""
    query = select(FaceTemplate.source_phash).where(
        FaceTemplate.user_id == user_id, FaceTemplate.source_phash.is_not(None)
    )
    return [phash for phash in (await db.execute(query)).scalars() if phash is not None]


async def delete_templates(*, db: AsyncSession, user_id: int) -> int:
    """Delete the person's face templates; how many there were."""
    result = await db.execute(delete(FaceTemplate).where(FaceTemplate.user_id == user_id))
    return int(result.rowcount)  # type: ignore[attr-defined]


async def remove_enrolment(*, db: AsyncSession, user_id: int, actor_id: int, now: datetime) -> None:
    """The templates removed on request (the person, or an administrator): a log entry."""
    removed = await delete_templates(db=db, user_id=user_id)
    if removed:
        why = "removed by the person" if actor_id == user_id else "removed by an administrator"
        what = evidence.Purged.FACE_TEMPLATES
        await evidence.data_purged(
            db, user_id=user_id, what=what, why=why, now=now, actor_id=actor_id, count=removed
        )


async def template_summary(*, db: AsyncSession, user_id: int) -> tuple[int, datetime | None]:
    """How many templates the person has and when the newest was made."""
    query = select(func.count(FaceTemplate.id), func.max(FaceTemplate.created_at)).where(
        FaceTemplate.user_id == user_id
    )
    count, newest = (await db.execute(query)).one()
    return int(count), newest


# --- what the person sees -----------------------------------------------------------------


def consent_state(history: Sequence[BiometricConsent]) -> ConsentState:
    """The consent in force, every consent given (newest first) and the current text."""
    records = [ConsentRead.model_validate(consent) for consent in history]
    active = next((record for record in records if record.active), None)
    return ConsentState(active=active, history=records, current_text=CONSENT_TEXT)


async def enrolment_state(*, db: AsyncSession, user_id: int) -> FaceEnrolmentRead:
    consent = await active_consent(db=db, user_id=user_id)
    count, newest = await template_summary(db=db, user_id=user_id)
    return FaceEnrolmentRead(
        user_id=user_id,
        enrolled=consent is not None and count > 0,
        templates=count,
        enrolled_at=newest,
        consent=None if consent is None else ConsentRead.model_validate(consent),
    )
