"""The evidence rules behind the routes and pages: a caller's certificate (JSON or PDF), and
the public check of a certificate someone holds (flushes only; the request commits)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import anyio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.evidence.certificate_check import CertificateInvalid, check_certificate
from trust_lesson.evidence.certificate_pdf import render_pdf
from trust_lesson.evidence.certificates import credential_address, lesson_certificate
from trust_lesson.evidence.keys import PublishedKeys, SchoolKeys
from trust_lesson.evidence.term_certificates import term_certificate
from trust_lesson.models import IssuedCertificate


async def certificate(
    db: AsyncSession,
    *,
    keys: SchoolKeys,
    public_url: str,
    student_id: int,
    lesson_id: int | None,
    term_id: int | None,
    now: datetime,
) -> dict[str, Any]:
    """The signed certificate of a lesson (lesson_id given) or else of the whole term."""
    if lesson_id is not None:
        return await lesson_certificate(
            db, keys=keys, public_url=public_url, lesson_id=lesson_id, student_id=student_id,
            now=now,
        )  # fmt: skip
    if term_id is None:
        raise ValueError("a certificate is of a lesson or of a term")
    return await term_certificate(
        db, keys=keys, public_url=public_url, term_id=term_id, student_id=student_id, now=now
    )


async def certificate_pdf(document: dict[str, Any], *, public_url: str) -> bytes:
    """The PDF rendering, made in a worker thread (it takes tens of milliseconds of CPU)."""
    address = credential_address(public_url, document["id"])
    return await anyio.to_thread.run_sync(lambda: render_pdf(document, address=address))


def pdf_name(document: dict[str, Any]) -> str:
    return f"certificate-{str(document['id']).rpartition(':')[2]}.pdf"


def json_name(document: dict[str, Any]) -> str:
    return f"certificate-{str(document['id']).rpartition(':')[2]}.json"


@dataclass(frozen=True)
class Verification:
    """What the verify page and route tell an auditor about a certificate file."""

    status: str  # valid, invalid or revoked
    reason: str
    credential_id: str | None = None
    name: str | None = None
    issued: str | None = None
    revoked_at: datetime | None = None


async def verify_document(db: AsyncSession, document: Any, keys: PublishedKeys) -> Verification:
    """Checks the file as `trust-lesson verify` does offline, then this school's revocations."""
    try:
        check_certificate(document, keys)
    except CertificateInvalid as error:
        return Verification(status="invalid", reason=str(error))
    known = await issued_certificate(db, str(document["id"]))
    base = {
        "credential_id": document["id"],
        "name": document["credentialSubject"]["name"],
        "issued": document["validFrom"],
    }
    if known is not None and known.revoked_at is not None:
        reason = f"the school revoked this certificate: {known.revoked_reason}"
        return Verification(status="revoked", reason=reason, revoked_at=known.revoked_at, **base)
    reason = "signed by the school's key; its decisions are in the signed evidence log"
    return Verification(status="valid", reason=reason, **base)


async def issued_certificate(db: AsyncSession, credential_id: str) -> IssuedCertificate | None:
    query = select(IssuedCertificate).where(IssuedCertificate.credential_id == credential_id)
    return (await db.scalars(query)).first()
