"""Attendance certificates: W3C Verifiable Credentials 2.0 signed with eddsa-jcs-2022.

A certificate states a student's attendance decision for a lesson with the checks behind it
(times, verdicts, the pictures' SHA-256; never a picture or a template), and carries its own
evidence: the decision's entry of the evidence log, its RFC 6962 inclusion proof and the
signed checkpoint the proof leads to. With the school's keys.json alone, anyone can check it
offline, years later (`certificate_check.py`).
"""

import base64
import json
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.errors import NotFound
from trust_lesson.evidence import cryptosuite, log, merkle, revocation
from trust_lesson.evidence.keys import SchoolKeys
from trust_lesson.evidence.log import EvidenceKind, utc_text
from trust_lesson.models import (
    AttendanceDecision,
    Capture,
    CaptureReview,
    Challenge,
    ChallengeStatus,
    Course,
    EvidenceCheckpoint,
    EvidenceEntry,
    IssuedCertificate,
    Lesson,
    Term,
    User,
)

CONTEXT = ["https://www.w3.org/ns/credentials/v2"]
CREDENTIAL_TYPE = "AttendanceCertificate"
TERM_CREDENTIAL_TYPE = "TermAttendanceCertificate"
EVIDENCE_TYPE = "TrustLessonLogInclusion"
VERIFY_PATH = "/verify"


def issuer_id(keys: SchoolKeys) -> str:
    return f"https://{keys.public.origin}"


def verification_method(keys: SchoolKeys) -> str:
    return f"{issuer_id(keys)}/.well-known/trust-lesson/keys#{keys.current.key_id}"


def credential_address(public_url: str, credential_id: str) -> str:
    """Where a person holding the paper finds the credential: the school's verify page."""
    return f"{public_url.rstrip('/')}{VERIFY_PATH}?credential={quote(credential_id, safe=':')}"


async def lesson_certificate(
    db: AsyncSession,
    *,
    keys: SchoolKeys,
    public_url: str,
    lesson_id: int,
    student_id: int,
    now: datetime,
) -> dict[str, Any]:
    """The certificate of the student's current decision: the one issued for it already
    (revoked or not: the status list says so), else a new one."""
    decision = await _current_decision(db, lesson_id, student_id)
    kept = await stored_certificate(
        db, student_id=student_id, lesson_id=lesson_id, term_id=None, decisions=[decision.id]
    )
    if kept is not None:
        return kept
    return await issue(
        db, keys=keys, public_url=public_url, lesson_id=lesson_id, student_id=student_id, now=now
    )


async def stored_certificate(
    db: AsyncSession,
    *,
    student_id: int,
    lesson_id: int | None,
    term_id: int | None,
    decisions: list[int],
) -> dict[str, Any] | None:
    """The newest certificate of the lesson (or the term) issued for exactly these decisions,
    if its document was kept. A term with one decided lesson states the same decision as that
    lesson's certificate: the kind tells them apart, not the decisions."""
    query = (
        select(IssuedCertificate.document)
        .where(
            IssuedCertificate.user_id == student_id,
            IssuedCertificate.lesson_id.is_not_distinct_from(lesson_id),
            IssuedCertificate.term_id.is_not_distinct_from(term_id),
            IssuedCertificate.decisions == decision_list(decisions),
            IssuedCertificate.document.is_not(None),
        )
        .order_by(IssuedCertificate.id.desc())
    )
    document = (await db.scalars(query.limit(1))).first()
    return json.loads(document) if document is not None else None


def decision_list(decisions: list[int]) -> str:
    return ",".join(str(decision) for decision in sorted(decisions))


async def issue(
    db: AsyncSession,
    *,
    keys: SchoolKeys,
    public_url: str,
    lesson_id: int,
    student_id: int,
    now: datetime,
) -> dict[str, Any]:
    """A newly signed certificate of the student's current decision for the lesson."""
    decision = await _current_decision(db, lesson_id, student_id)
    entry = await decision_entry(db, decision.id)
    head = await covering_checkpoint(db, keys, entry.index, now)
    lesson, course, student = await _names(db, lesson_id, student_id)
    issued = await record(
        db, lesson_id=lesson_id, term_id=None, student_id=student_id,
        decisions=[decision.id], now=now,
    )  # fmt: skip
    credential = {
        "@context": CONTEXT,
        "id": issued.credential_id,
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": {"id": issuer_id(keys), "name": keys.public.origin},
        "validFrom": utc_text(now),
        "credentialSubject": {
            "id": subject_id(keys, student),
            "name": student.full_name,
            "lesson": lesson_summary(lesson, course),
            "attendance": attendance_summary(decision),
            "checks": await _checks(db, lesson_id, student_id),
        },
        "evidence": [await inclusion_evidence(db, entry, head)],
        "credentialStatus": revocation.credential_status(public_url, issued.id),
    }
    return sign_and_keep(credential, issued, keys, now)


def subject_id(keys: SchoolKeys, student: User) -> str:
    return f"urn:trust-lesson:{keys.public.origin}:student:{student.id}"


def lesson_summary(lesson: Lesson, course: Course) -> dict[str, Any]:
    return {
        "id": lesson.id,
        "title": lesson.title,
        "course": course.name,
        "start": utc_text(lesson.effective_start_date or lesson.start_date),
        "minutes": lesson.effective_duration_min or lesson.duration_min,
    }


def attendance_summary(decision: AttendanceDecision) -> dict[str, Any]:
    return {
        "decision": decision.id,
        "outcome": str(decision.decision),
        "reasons": [str(reason) for reason in decision.reasons],
        "checksTotal": decision.checks_total,
        "checksVerified": decision.checks_verified,
        "decidedAt": utc_text(decision.decided_at),
    }


async def inclusion_evidence(
    db: AsyncSession, entry: EvidenceEntry, head: EvidenceCheckpoint
) -> dict[str, Any]:
    """The entry, its place, its RFC 6962 inclusion proof and the signed checkpoint it leads to."""
    proof = await log.inclusion_proof(db, entry.index, head.size)
    if not merkle.verify_inclusion(entry.index, head.size, entry.leaf_hash, proof, head.root):
        raise log.LogBrokenError(f"entry {entry.index} does not lead to the signed root")
    return {
        "type": [EVIDENCE_TYPE],
        "entry": entry.entry,
        "leafIndex": entry.index,
        "treeSize": head.size,
        "inclusionProof": [base64.b64encode(node).decode() for node in proof],
        "checkpoint": head.note,
    }


def sign_and_keep(
    credential: dict[str, Any], issued: IssuedCertificate, keys: SchoolKeys, now: datetime
) -> dict[str, Any]:
    """Signs the credential (eddsa-jcs-2022) and keeps the signed document with its row."""
    signed = cryptosuite.add_proof(
        credential, keys.signing_key, verification_method=verification_method(keys),
        created=utc_text(now),
    )  # fmt: skip
    issued.document = json.dumps(signed, ensure_ascii=False)
    return signed


async def record(
    db: AsyncSession,
    *,
    lesson_id: int | None,
    term_id: int | None,
    student_id: int,
    decisions: list[int],
    now: datetime,
) -> IssuedCertificate:
    """The certificate's row (its id is its status list index) and its log entry."""
    issued = IssuedCertificate(
        credential_id=f"urn:uuid:{uuid.uuid4()}",
        lesson_id=lesson_id,
        term_id=term_id,
        user_id=student_id,
        decision_id=decisions[0] if lesson_id is not None else None,
        decisions=decision_list(decisions),
        issued_at=now,
    )
    db.add(issued)
    await db.flush()
    data = {"certificate": issued.id, "credential": issued.credential_id, "decisions": decisions}
    await log.append(db, EvidenceKind.CERTIFICATE_ISSUED, now=now, actor_id=None, data=data)
    return issued


async def forget_documents(db: AsyncSession, *, user_id: int) -> None:
    """At account deletion: the kept signed documents go (they hold the person's name); the
    rows stay, so a certificate the person holds keeps its place in the revocation list."""
    await db.execute(
        update(IssuedCertificate)
        .where(IssuedCertificate.user_id == user_id)
        .values(document=None)
        .execution_options(synchronize_session=False)
    )


async def _current_decision(
    db: AsyncSession, lesson_id: int, student_id: int
) -> AttendanceDecision:
    query = (
        select(AttendanceDecision)
        .where(AttendanceDecision.lesson_id == lesson_id, AttendanceDecision.user_id == student_id)
        .order_by(AttendanceDecision.id.desc())
    )
    decision = (await db.scalars(query.limit(1))).first()
    if decision is None:
        raise NotFound("This student has no attendance decision for this lesson yet.")
    return decision


async def decision_entry(db: AsyncSession, decision_id: int) -> EvidenceEntry:
    """The log entry of the decision (canonical JSON: its data starts with the decision id)."""
    query = select(EvidenceEntry).where(
        EvidenceEntry.kind == EvidenceKind.ATTENDANCE_DECIDED,
        EvidenceEntry.entry.contains(f'"decision":{decision_id},"lesson":'),
    )
    for entry in await db.scalars(query.order_by(EvidenceEntry.index.desc())):
        if json.loads(entry.entry)["data"]["decision"] == decision_id:
            return entry
    raise NotFound("The decision is not in the evidence log.")


async def covering_checkpoint(
    db: AsyncSession, keys: SchoolKeys, index: int, now: datetime
) -> EvidenceCheckpoint:
    """The newest checkpoint holding the entry; one is signed now if none does yet."""
    head = await log.latest_checkpoint(db)
    if head is None or head.size <= index:
        head = await log.write_checkpoint(db, keys=keys, now=now)
    if head is None or head.size <= index:
        raise NotFound("No checkpoint covers the decision.")
    return head


async def _names(db: AsyncSession, lesson_id: int, student_id: int) -> tuple[Lesson, Course, User]:
    row = (
        await db.execute(
            select(Lesson, Course, User)
            .join(Term, Term.id == Lesson.term_id)
            .join(Course, Course.id == Term.course_id)
            .join(User, User.id == student_id)
            .where(Lesson.id == lesson_id)
        )
    ).one()
    return row[0], row[1], row[2]


async def _checks(db: AsyncSession, lesson_id: int, student_id: int) -> list[dict[str, Any]]:
    """Each check asked: when, when answered, the verdict that counts, the picture's hash."""
    rows = await db.execute(
        select(Challenge, Capture)
        .outerjoin(Capture, Capture.challenge_id == Challenge.id)
        .where(
            Challenge.lesson_id == lesson_id,
            Challenge.user_id == student_id,
            Challenge.status != ChallengeStatus.CANCELLED,  # never asked: the lesson ended first
        )
        .order_by(Challenge.issued_at)
    )
    reviews = {
        review.capture_id: review
        for review in await db.scalars(
            select(CaptureReview)
            .join(Capture, Capture.id == CaptureReview.capture_id)
            .where(Capture.lesson_id == lesson_id, Capture.user_id == student_id)
            .order_by(CaptureReview.id)
        )
    }
    checks = []
    for challenge, capture in rows:
        review = reviews.get(capture.id) if capture is not None else None
        verdict = review.verdict if review else (capture.verdict if capture else None)
        checks.append(
            {
                "kind": str(challenge.kind),
                "askedAt": utc_text(challenge.issued_at),
                "status": str(challenge.status),
                "answeredAt": utc_text(capture.created_at) if capture else None,
                "verdict": str(verdict) if verdict else None,
                "reviewed": review is not None,
                "pictureSha256": capture.sha256 if capture else None,
            }
        )
    return checks
