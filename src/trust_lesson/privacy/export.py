"""Export of one's own data (R26): one ZIP archive, machine-readable, nothing of anyone else.

`data.json` holds the profile, consent history, face enrolment (when and how many templates,
never the templates), identity record versions and verification outcomes, the lessons the
person attended or was enrolled in, every check with its capture (hash, verdict, reasons,
reviews' verdicts and reasons), every attendance decision, the appeals with their answers,
the certificates issued, and the
evidence log entries about the person. `pictures/` holds their own capture pictures and
identity photos (document, its back, selfie) still stored. Other people appear by nothing
but what the person's own records say of them: no reviewer's or instructor's id, name or
email.
"""

import io
import json
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.models import (
    AttendanceAppeal,
    AttendanceDecision,
    BiometricConsent,
    Capture,
    CaptureReview,
    Challenge,
    Course,
    EvidenceEntry,
    FaceTemplate,
    IdentityRecord,
    IdentityVerification,
    IssuedCertificate,
    Lesson,
    PresenceSession,
    Term,
    TermMember,
    User,
)
from trust_lesson.storage.blobs import BlobNotFound, BlobStore

FORMAT = "trust-lesson-export/1"
RECORD_FIELDS = (
    "document_number", "document_type", "full_name", "parent_full_name", "birth_date",
    "issue_date", "expiry_date", "issuing_authority", "country", "region", "changed_at",
)  # fmt: skip
OUTCOME_FIELDS = (
    "id", "status", "machine_status", "reasons", "fields", "not_match_fields",
    "not_found_fields", "portrait_similarity", "created_at", "analyzed_at", "decided_at",
)  # fmt: skip


def _pick(row: Any, names: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


def _json(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not exported: {type(value).__name__}")


async def archive(*, db: AsyncSession, user: User, blobs: BlobStore, now: datetime) -> bytes:
    """The person's archive as ZIP bytes."""
    data, pictures = await collect(db=db, user=user, now=now)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive_file:
        text = json.dumps(data, default=_json, ensure_ascii=False, indent=2, sort_keys=True)
        archive_file.writestr("data.json", text)
        for name, key in pictures.items():
            try:
                archive_file.writestr(name, await blobs.get(key))
            except BlobNotFound:
                continue  # purged meanwhile: the hash in data.json stays
    return buffer.getvalue()


async def collect(
    *, db: AsyncSession, user: User, now: datetime
) -> tuple[dict[str, Any], dict[str, str]]:
    """The document and the pictures to add ({archive name: blob key})."""
    checks, pictures = await _checks(db, user.id)
    identity, identity_pictures = await _identity(db, user.id)
    pictures |= identity_pictures
    data = {
        "format": FORMAT,
        "exported_at": now,
        "profile": _pick(user, ("id", "email", "username", "full_name", "role", "created_at")),
        "consents": [
            _pick(c, ("text_version", "purpose", "given_at", "withdrawn_at"))
            for c in await _own(db, BiometricConsent, user.id)
        ],
        "face_enrolment": await _enrolment(db, user.id),
        "identity": identity,
        "lessons": await _lessons(db, user.id),
        "checks": checks,
        "decisions": [
            _pick(d, ("lesson_id", "decision", "reasons", "checks_total", "checks_verified",
                      "decided_at", "reason", "path")) | {"by_staff": d.decided_by is not None}
            for d in await _own(db, AttendanceDecision, user.id)
        ],
        "appeals": [
            _pick(a, ("lesson_id", "reason", "filed_at", "outcome", "reply", "answered_at"))
            | {"decision": decision}
            for a, decision in await _appeals(db, user.id)
        ],
        "certificates": [
            _pick(c, ("credential_id", "lesson_id", "issued_at", "revoked_at", "revoked_reason"))
            for c in await _own(db, IssuedCertificate, user.id)
        ],
        "evidence_log": await _log_entries(db, user.id),
    }  # fmt: skip
    return data, pictures


async def _rows(db: AsyncSession, query: Any) -> list[Any]:
    return list((await db.execute(query)).scalars())


async def _own(db: AsyncSession, model: Any, user_id: int) -> list[Any]:
    """The person's rows of a table with a `user_id`, oldest first."""
    return await _rows(db, select(model).where(model.user_id == user_id).order_by(model.id))


async def _appeals(db: AsyncSession, user_id: int) -> list[Any]:
    """The person's appeals with the decision each appealed, oldest first."""
    query = (
        select(AttendanceAppeal, AttendanceDecision.decision)
        .join(AttendanceDecision, AttendanceDecision.id == AttendanceAppeal.decision_id)
        .where(AttendanceAppeal.user_id == user_id)
        .order_by(AttendanceAppeal.id)
    )
    return list((await db.execute(query)).all())


async def _enrolment(db: AsyncSession, user_id: int) -> dict[str, Any]:
    count, newest = (
        await db.execute(
            select(func.count(FaceTemplate.id), func.max(FaceTemplate.created_at)).where(
                FaceTemplate.user_id == user_id
            )
        )
    ).one()
    return {"templates": int(count), "enrolled_at": newest, "note": "templates are never exported"}


async def _identity(db: AsyncSession, user_id: int) -> tuple[dict[str, Any], dict[str, str]]:
    """The record versions and the verifications, each naming its photos still stored; and
    those photos ({archive name: blob key})."""
    records = select(IdentityRecord).where(IdentityRecord.user_id == user_id)
    verifications = select(IdentityVerification).where(IdentityVerification.user_id == user_id)
    outcomes: list[dict[str, Any]] = []
    pictures: dict[str, str] = {}
    for verification in await _rows(db, verifications.order_by(IdentityVerification.id)):
        kept = _identity_pictures(verification)
        pictures |= kept
        outcomes.append(_pick(verification, OUTCOME_FIELDS) | {"pictures": sorted(kept)})
    identity = {
        "records": [
            _pick(r, RECORD_FIELDS) for r in await _rows(db, records.order_by(IdentityRecord.id))
        ],
        "verifications": outcomes,
    }
    return identity, pictures


IDENTITY_PICTURES = {"document": "document_key", "document_back": "document_back_key",
                     "selfie": "selfie_key"}  # fmt: skip


def _identity_pictures(verification: IdentityVerification) -> dict[str, str]:
    """A verification's photos not yet deleted by retention (stored re-encoded as JPEG)."""
    keys = {kind: getattr(verification, column) for kind, column in IDENTITY_PICTURES.items()}
    return {
        f"pictures/identity-{verification.id}-{kind}.jpg": key for kind, key in keys.items() if key
    }


async def _lessons(db: AsyncSession, user_id: int) -> list[dict[str, Any]]:
    """Lessons of the terms the person is a student of, and any lesson they joined."""
    enrolled = select(TermMember.term_id).where(TermMember.user_id == user_id)
    joined = select(PresenceSession.lesson_id).where(PresenceSession.user_id == user_id)
    query = (
        select(Lesson, Course.name)
        .join(Term, Term.id == Lesson.term_id)
        .join(Course, Course.id == Term.course_id)
        .where(or_(Lesson.term_id.in_(enrolled), Lesson.id.in_(joined)))
        .order_by(Lesson.start_date, Lesson.id)
    )
    return [
        _pick(lesson, ("id", "title", "start_date", "duration_min", "status",
                       "effective_start_date", "effective_duration_min")) | {"course": course}
        for lesson, course in (await db.execute(query)).all()
    ]  # fmt: skip


async def _checks(db: AsyncSession, user_id: int) -> tuple[list[dict[str, Any]], dict[str, str]]:
    query = (
        select(Challenge, Capture)
        .outerjoin(Capture, Capture.challenge_id == Challenge.id)
        .where(Challenge.user_id == user_id)
        .order_by(Challenge.issued_at, Challenge.id)
    )
    reviews: dict[int, list[dict[str, Any]]] = {}
    review_query = (
        select(CaptureReview)
        .join(Capture, Capture.id == CaptureReview.capture_id)
        .where(Capture.user_id == user_id)
        .order_by(CaptureReview.id)
    )
    for review in await _rows(db, review_query):
        reviews.setdefault(review.capture_id, []).append(
            _pick(review, ("verdict", "reason", "created_at"))
        )
    checks, pictures = [], {}
    for challenge, capture in (await db.execute(query)).all():
        check = _pick(challenge, ("lesson_id", "kind", "issued_at", "deadline", "status"))
        if capture is not None:
            picture = f"pictures/capture-{capture.id}.jpg" if capture.blob_key else None
            if capture.blob_key:
                pictures[picture or ""] = capture.blob_key
            check["capture"] = _pick(
                capture, ("id", "sha256", "size", "verdict", "reasons", "similarity", "faces",
                          "created_at", "analyzed_at")
            ) | {"picture": picture, "reviews": reviews.get(capture.id, [])}  # fmt: skip
        checks.append(check)
    return checks, pictures


async def _log_entries(db: AsyncSession, user_id: int) -> list[Any]:
    """Entries whose subject is the person (as student or account), in log order. When
    someone else acted (a reviewer deciding again, answering an appeal), who and from which
    address is left out: the log itself keeps them."""
    entries = []
    rows = await db.stream(select(EvidenceEntry.entry).order_by(EvidenceEntry.index))
    async for text in rows.scalars():
        entry = json.loads(text)
        subject = entry["data"].get("student", entry["data"].get("user"))
        if subject == user_id:
            if entry.get("actor") not in (None, user_id):
                entry["actor"], entry["address"] = None, None
            entries.append(entry)
    return entries
