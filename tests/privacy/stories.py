"""Arrange privacy stories: a student with a stored picture, a face template, a consent, a
decision and a certificate, in a lesson that has stopped."""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import numpy as np
import sqlalchemy as sa
from sqlalchemy import func, select

from tests.identity.stories import ANNA, put_record
from tests.presence.live import (
    LiveLesson,
    join,
    live_lesson,
    load_capture,
    small_jpeg,
    stored_blobs,
    upload,
)
from tests.support.clock import FakeClock
from trust_lesson.biometrics import service as biometrics
from trust_lesson.db import transaction
from trust_lesson.evidence import certificates
from trust_lesson.evidence.certificate_check import check_certificate
from trust_lesson.evidence.verify import verify_log
from trust_lesson.identity.records import current_record
from trust_lesson.models import (
    BiometricConsent,
    BlobDeletion,
    EvidenceEntry,
    FaceTemplate,
    IdentityVerification,
    IssuedCertificate,
    User,
    VerificationStatus,
)
from trust_lesson.presence.judging import Judgement
from trust_lesson.presence.verdict_job import write_verdict
from trust_lesson.presence.verdicts import Verdict
from trust_lesson.runtime import Runtime
from trust_lesson.settings import Settings


@dataclass
class AttendedLesson:
    live: LiveLesson
    capture_id: int
    certificate: dict[str, Any]


async def consent_and_template(client: httpx.AsyncClient, runtime: Runtime, person: Any) -> None:
    """Consent through the API; one face template as an enrolment would leave it."""
    given = await client.post(f"/api/v1/users/{person.id}/consent", headers=person.headers)
    assert given.status_code == 201, given.text
    vector = np.random.default_rng(person.id).normal(size=128).astype(np.float32)
    async with transaction(runtime.session_factory) as db:
        await biometrics.replace_templates(
            db=db, user_id=person.id, faces=[(vector, "ab" * 32)], now=runtime.clock()
        )


async def verified_identity(
    client: httpx.AsyncClient, runtime: Runtime, person: Any, *, decided_at: datetime
) -> int:
    """The person's identity record through the API, and a verification of it that passed with
    its document photo and selfie stored, as the identity worker leaves it; its id."""
    assert (await put_record(client, person, ANNA)).status_code == 200
    document = await runtime.blobs.put(
        small_jpeg((200, 180, 160)), kind="identity", now=decided_at, suffix=".jpg"
    )
    selfie = await runtime.blobs.put(
        small_jpeg((60, 50, 40)), kind="identity", now=decided_at, suffix=".jpg"
    )
    async with transaction(runtime.session_factory) as db:
        record = await current_record(db=db, user_id=person.id)
        assert record is not None
        verification = IdentityVerification(
            user_id=person.id, record_id=record.id, status=VerificationStatus.VERIFIED,
            machine_status=VerificationStatus.VERIFIED, reasons=[], fields=[],
            not_match_fields=[], not_found_fields=[], portrait_similarity=93.0,
            portrait_embedding=b"\x00" * 512, document_key=document.key, selfie_key=selfie.key,
            attempts=1, created_at=decided_at, analyzed_at=decided_at, decided_at=decided_at,
        )  # fmt: skip
        db.add(verification)
        await db.flush()
        return verification.id


async def attended_lesson(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock, *, students: int = 2
) -> AttendedLesson:
    """Each student consented and enrolled; the first one answered the entry check (VERIFIED),
    the lesson stopped, and that student's certificate was issued."""
    live = await live_lesson(client, runtime, clock, students=students)
    for person in live.students:
        await consent_and_template(client, runtime, person)
    first = live.student
    challenge = (await join(client, live, first))["challenge"]
    answer = await upload(client, live, first, challenge, small_jpeg())
    assert answer.status_code == 202, answer.text
    capture_id = int(answer.json()["capture_id"])
    async with transaction(runtime.session_factory) as db:
        seen = Judgement(Verdict.VERIFIED, [], similarity=96.5)
        await write_verdict(db=db, capture_id=capture_id, judgement=seen, now=clock.now)
    assert (await client.post(live.url("stop"), headers=live.instructor.headers)).is_success
    async with transaction(runtime.session_factory) as db:
        certificate = await certificates.issue(
            db, keys=runtime.school_keys, public_url=runtime.settings.public_url,
            lesson_id=live.lesson_id, student_id=first.id, now=clock.now,
        )  # fmt: skip
    return AttendedLesson(live, capture_id, certificate)


async def log_entries(runtime: Runtime, kind: str) -> list[dict[str, Any]]:
    async with transaction(runtime.session_factory) as db:
        query = select(EvidenceEntry.entry).where(EvidenceEntry.kind == kind)
        return [json.loads(text) for text in (await db.execute(query)).scalars()]


async def log_holds(runtime: Runtime) -> bool:
    async with transaction(runtime.session_factory) as db:
        report = await verify_log(db, runtime.school_keys.public)
    assert report.valid, [str(problem) for problem in report.problems]
    return report.valid


async def templates_of(runtime: Runtime, user_id: int) -> int:
    async with transaction(runtime.session_factory) as db:
        query = select(func.count(FaceTemplate.id)).where(FaceTemplate.user_id == user_id)
        return int(await db.scalar(query) or 0)


async def queued_deletions(runtime: Runtime) -> int:
    async with transaction(runtime.session_factory) as db:
        return int(await db.scalar(select(func.count()).select_from(BlobDeletion)) or 0)


async def check_person_gone_evidence_kept(
    client: httpx.AsyncClient, runtime: Runtime, settings: Settings, story: AttendedLesson
) -> None:
    """What a deleted account leaves of `story`'s student, whoever deleted it: the decision,
    the capture's hash and verdict, the certificate and the log under a pseudonym; no picture,
    template, identity record or verification, and the consent withdrawn."""
    student = story.live.student
    attendance = await client.get(
        story.live.url("attendance"), headers=story.live.instructor.headers
    )
    kept = {row["user_id"]: row["decision"] for row in attendance.json()}
    assert kept[student.id] == "ATTENDED"
    capture = await load_capture(runtime, story.capture_id)
    assert (capture.verdict, len(capture.sha256), capture.blob_key) == ("VERIFIED", 64, None)
    assert stored_blobs(settings.data_dir) == [] and await queued_deletions(runtime) == 0
    assert await templates_of(runtime, student.id) == 0
    check_certificate(story.certificate, runtime.school_keys.public)
    assert await log_holds(runtime)
    async with transaction(runtime.session_factory) as db:
        person = await db.get_one(User, student.id)
        certificates = await db.scalar(sa.select(sa.func.count(IssuedCertificate.id)))
        consents = (await db.execute(sa.select(BiometricConsent))).scalars().all()
        identity = await db.scalar(sa.select(sa.func.count(IdentityVerification.id)))
        records = await current_record(db=db, user_id=student.id)
    assert student.user.email not in person.email and person.full_name == "Deleted account"
    assert student.user.username not in person.username and not person.is_active
    assert certificates == 1 and identity == 0 and records is None
    assert [c.withdrawn_at is not None for c in consents if c.user_id == student.id] == [True]
