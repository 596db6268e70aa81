"""What each kind of evidence entry holds: one function per event, called (one line) by the
service that makes the event, inside its transaction. Facts and hashes only: never a
picture, a face template or a password."""

import hashlib
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.evidence.log import EvidenceKind, append
from trust_lesson.models import (
    AttendanceAppeal,
    AttendanceDecision,
    BiometricConsent,
    Capture,
    CaptureReview,
    IdentityReview,
)


class Purged(StrEnum):
    """What a `data.purged` entry says went."""

    CAPTURE_PICTURES = "capture pictures"
    FACE_TEMPLATES = "face templates"
    IDENTITY_DOCUMENTS = "identity document pictures"
    IDENTITY_RECORDS = "identity records"
    APPEALS = "attendance appeals"


class JudgementFacts(Protocol):
    """What the verdict worker decided about a picture (presence's Judgement)."""

    @property
    def verdict(self) -> StrEnum: ...
    @property
    def reasons(self) -> list[str]: ...
    @property
    def similarity(self) -> float | None: ...


async def capture_received(db: AsyncSession, capture: Capture) -> None:
    await append(
        db,
        EvidenceKind.CAPTURE_RECEIVED,
        now=capture.created_at,
        actor_id=capture.user_id,
        data={
            "capture": capture.id,
            "lesson": capture.lesson_id,
            "student": capture.user_id,
            "challenge": capture.challenge_id,
            "sha256": capture.sha256,
            "bytes": capture.size,
        },
    )


async def capture_judged(
    db: AsyncSession, *, capture_id: int, judgement: JudgementFacts, now: datetime
) -> None:
    similarity = None if judgement.similarity is None else round(float(judgement.similarity), 2)
    await append(
        db,
        EvidenceKind.CAPTURE_JUDGED,
        now=now,
        actor_id=None,
        data={
            "capture": capture_id,
            "verdict": judgement.verdict.value,
            "reasons": [str(reason) for reason in judgement.reasons],
            "similarity": similarity,
        },
    )


async def capture_reviewed(db: AsyncSession, review: CaptureReview) -> None:
    await append(
        db,
        EvidenceKind.CAPTURE_REVIEWED,
        now=review.created_at,
        actor_id=review.reviewer_id,
        data={
            "capture": review.capture_id,
            "review": review.id,
            "verdict": str(review.verdict),
            "reason": review.reason,
        },
    )


class IdentityOutcomeFacts(Protocol):
    """What the identity worker decided (identity's Outcome)."""

    @property
    def status(self) -> StrEnum: ...
    @property
    def reasons(self) -> list[str]: ...


async def identity_judged(
    db: AsyncSession,
    *,
    verification_id: int,
    user_id: int,
    outcome: IdentityOutcomeFacts,
    not_match_fields: Sequence[str] = (),
    not_found_fields: Sequence[str] = (),
    portrait_similarity: float | None = None,
    now: datetime,
) -> None:
    """The worker's outcome: which fields, never their values (the document's data stays in
    the verification, which the retention schedule and account deletion reach)."""
    similarity = None if portrait_similarity is None else round(float(portrait_similarity), 2)
    await append(
        db,
        EvidenceKind.IDENTITY_JUDGED,
        now=now,
        actor_id=None,
        data={
            "verification": verification_id,
            "user": user_id,
            "status": outcome.status.value,
            "reasons": [str(reason) for reason in outcome.reasons],
            "not_match_fields": list(not_match_fields),
            "not_found_fields": list(not_found_fields),
            "portrait_similarity": similarity,
        },
    )


async def identity_reviewed(db: AsyncSession, review: IdentityReview, *, user_id: int) -> None:
    await append(
        db,
        EvidenceKind.IDENTITY_REVIEWED,
        now=review.created_at,
        actor_id=review.reviewer_id,
        data={
            "verification": review.verification_id,
            "user": user_id,
            "review": review.id,
            "decision": str(review.decision),
            "reason": review.reason,
        },
    )


async def attendance_decided(db: AsyncSession, decisions: Sequence[AttendanceDecision]) -> None:
    for decision in decisions:
        await append(
            db,
            EvidenceKind.ATTENDANCE_DECIDED,
            now=decision.decided_at,
            actor_id=decision.decided_by,
            data={
                "decision": decision.id,
                "lesson": decision.lesson_id,
                "student": decision.user_id,
                "outcome": str(decision.decision),
                "reasons": [str(reason) for reason in decision.reasons],
                "checks_total": decision.checks_total,
                "checks_verified": decision.checks_verified,
                "reason": decision.reason,
                "path": str(decision.path),
            },
        )


def _text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


async def appeal_filed(db: AsyncSession, appeal: AttendanceAppeal) -> None:
    """The student's reason is personal text that account deletion removes: the log keeps
    its SHA-256, which commits to the words without holding them."""
    await append(
        db,
        EvidenceKind.APPEAL_FILED,
        now=appeal.filed_at,
        actor_id=appeal.user_id,
        data={
            "appeal": appeal.id,
            "decision": appeal.decision_id,
            "lesson": appeal.lesson_id,
            "student": appeal.user_id,
            "reason_sha256": _text_sha256(appeal.reason),
        },
    )


async def appeal_answered(db: AsyncSession, appeal: AttendanceAppeal) -> None:
    """The answered appeal's outcome; the reply (about the student, removed with their
    account) by its hash."""
    assert appeal.outcome is not None and appeal.reply is not None
    assert appeal.answered_at is not None
    await append(
        db,
        EvidenceKind.APPEAL_ANSWERED,
        now=appeal.answered_at,
        actor_id=appeal.answered_by,
        data={
            "appeal": appeal.id,
            "decision": appeal.decision_id,
            "lesson": appeal.lesson_id,
            "student": appeal.user_id,
            "outcome": appeal.outcome.value,
            "reply_sha256": _text_sha256(appeal.reply),
        },
    )


async def consent_given(db: AsyncSession, consent: BiometricConsent) -> None:
    await append(
        db,
        EvidenceKind.CONSENT_GIVEN,
        now=consent.given_at,
        actor_id=consent.user_id,
        data={"consent": consent.id, "user": consent.user_id, "text_version": consent.text_version},
    )


async def consent_withdrawn(db: AsyncSession, *, user_id: int, now: datetime) -> None:
    await append(
        db, EvidenceKind.CONSENT_WITHDRAWN, now=now, actor_id=user_id, data={"user": user_id}
    )


async def account_deleted(
    db: AsyncSession, *, user_id: int, actor_id: int | None, now: datetime
) -> None:
    """The person's account became a pseudonym; their attendance evidence stays."""
    await append(
        db, EvidenceKind.ACCOUNT_DELETED, now=now, actor_id=actor_id, data={"user": user_id}
    )


async def data_purged(
    db: AsyncSession,
    *,
    user_id: int,
    what: Purged,
    why: str,
    now: datetime,
    actor_id: int | None = None,
    captures: Sequence[int] = (),
    verifications: Sequence[int] = (),
    count: int | None = None,
) -> None:
    """Personal data deleted (pictures, templates, documents): what, whose, why, how many.

    The purged pictures' hashes stay in their own `capture.received` entries."""
    data: dict[str, object] = {"user": user_id, "what": what.value, "why": why}
    if captures:
        data["captures"] = sorted(captures)
    if verifications:
        data["verifications"] = sorted(verifications)
    data["count"] = len(captures) if count is None else count
    await append(db, EvidenceKind.DATA_PURGED, now=now, actor_id=actor_id, data=data)
