"""Attendance certificates: W3C Verifiable Credentials 2.0 signed with eddsa-jcs-2022.

A certificate states a student's attendance decision for a lesson with the checks behind it
(times, verdicts, the pictures' SHA-256; never a picture or a template), and carries its own
evidence: the decision's entry of the evidence log, its RFC 6962 inclusion proof and the
signed checkpoint the proof leads to. With the school's keys.json alone, anyone can check it
offline, years later (`certificate_check.py`).
"""

import asyncio
import base64
import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.clock import utc_now
from trust_lesson.db import create_engine, create_session_factory, transaction
from trust_lesson.errors import NotFound
from trust_lesson.evidence import cryptosuite, log, merkle, revocation
from trust_lesson.evidence.keys import SchoolKeys, load_school_keys
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
from trust_lesson.settings import Settings

CONTEXT = ["https://www.w3.org/ns/credentials/v2"]
CREDENTIAL_TYPE = "AttendanceCertificate"
EVIDENCE_TYPE = "TrustLessonLogInclusion"


def issuer_id(keys: SchoolKeys) -> str:
    return f"https://{keys.public.origin}"


def verification_method(keys: SchoolKeys) -> str:
    return f"{issuer_id(keys)}/.well-known/trust-lesson/keys#{keys.current.key_id}"


async def issue(
    db: AsyncSession,
    *,
    keys: SchoolKeys,
    public_url: str,
    lesson_id: int,
    student_id: int,
    now: datetime,
) -> dict[str, Any]:
    """The signed certificate of the student's current decision for the lesson."""
    decision = await _current_decision(db, lesson_id, student_id)
    entry = await _decision_entry(db, decision.id)
    head = await _covering_checkpoint(db, keys, entry.index, now)
    hashes = await log.leaf_hashes(db)
    lesson, course, student = await _names(db, lesson_id, student_id)
    issued = await _record(db, decision, now)
    credential = {
        "@context": CONTEXT,
        "id": issued.credential_id,
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": {"id": issuer_id(keys), "name": keys.public.origin},
        "validFrom": utc_text(now),
        "credentialSubject": {
            "id": f"urn:trust-lesson:{keys.public.origin}:student:{student.id}",
            "name": student.full_name,
            "lesson": {
                "id": lesson.id,
                "title": lesson.title,
                "course": course.name,
                "start": utc_text(lesson.effective_start_date or lesson.start_date),
                "minutes": lesson.effective_duration_min or lesson.duration_min,
            },
            "attendance": {
                "decision": decision.id,
                "outcome": str(decision.decision),
                "reasons": [str(reason) for reason in decision.reasons],
                "checksTotal": decision.checks_total,
                "checksVerified": decision.checks_verified,
                "decidedAt": utc_text(decision.decided_at),
            },
            "checks": await _checks(db, lesson_id, student_id),
        },
        "evidence": [
            {
                "type": [EVIDENCE_TYPE],
                "entry": entry.entry,
                "leafIndex": entry.index,
                "treeSize": head.size,
                "inclusionProof": [
                    base64.b64encode(node).decode()
                    for node in merkle.inclusion_proof(hashes[: head.size], entry.index)
                ],
                "checkpoint": head.note,
            }
        ],
        "credentialStatus": revocation.credential_status(public_url, issued.id),
    }
    return cryptosuite.add_proof(
        credential, keys.signing_key, verification_method=verification_method(keys),
        created=utc_text(now),
    )  # fmt: skip


async def _record(
    db: AsyncSession, decision: AttendanceDecision, now: datetime
) -> IssuedCertificate:
    """The certificate's row (its id is its status list index) and its log entry."""
    issued = IssuedCertificate(
        credential_id=f"urn:uuid:{uuid.uuid4()}",
        lesson_id=decision.lesson_id,
        user_id=decision.user_id,
        decision_id=decision.id,
        issued_at=now,
    )
    db.add(issued)
    await db.flush()
    data = {"certificate": issued.id, "credential": issued.credential_id, "decision": decision.id}
    await log.append(db, EvidenceKind.CERTIFICATE_ISSUED, now=now, actor_id=None, data=data)
    return issued


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


async def _decision_entry(db: AsyncSession, decision_id: int) -> EvidenceEntry:
    query = select(EvidenceEntry).where(EvidenceEntry.kind == EvidenceKind.ATTENDANCE_DECIDED)
    for entry in await db.scalars(query.order_by(EvidenceEntry.index.desc())):
        if json.loads(entry.entry)["data"]["decision"] == decision_id:
            return entry
    raise NotFound("The decision is not in the evidence log.")


async def _covering_checkpoint(
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


async def run_issue(
    settings: Settings, keys: SchoolKeys, *, lesson_id: int, student_id: int
) -> dict[str, Any]:
    """One certificate in a transaction of its own, for the command line."""
    engine = create_engine(settings.resolved_database_url)
    try:
        async with transaction(create_session_factory(engine)) as db:
            return await issue(
                db, keys=keys, public_url=settings.public_url, lesson_id=lesson_id,
                student_id=student_id, now=utc_now(),
            )  # fmt: skip
    finally:
        await engine.dispose()


def write_lesson_certificates(settings: Settings, *, lesson_id: int, out: Path) -> list[Path]:
    """Every decided student's certificate of the lesson, and the school's keys.json, in `out`."""
    keys = load_school_keys(settings, now=utc_now())
    documents = asyncio.run(_lesson_certificates(settings, keys, lesson_id))
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for student_id, document in documents:
        path = out / f"certificate-lesson{lesson_id}-student{student_id}.json"
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        written.append(path)
    (out / "keys.json").write_text(json.dumps(keys.public.document(), indent=2) + "\n")
    return written


async def _lesson_certificates(
    settings: Settings, keys: SchoolKeys, lesson_id: int
) -> list[tuple[int, dict[str, Any]]]:
    engine = create_engine(settings.resolved_database_url)
    try:
        async with transaction(create_session_factory(engine)) as db:
            query = select(AttendanceDecision.user_id).where(
                AttendanceDecision.lesson_id == lesson_id
            )
            return [
                (student_id, await issue(
                    db, keys=keys, public_url=settings.public_url, lesson_id=lesson_id,
                    student_id=student_id, now=utc_now(),
                ))
                for student_id in sorted(set(await db.scalars(query)))
            ]  # fmt: skip
    finally:
        await engine.dispose()
