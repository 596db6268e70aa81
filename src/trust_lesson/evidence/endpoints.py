"""The evidence routes: the school's public keys, the log's latest signed checkpoint, the
revocation list, students' certificates (lesson or term, JSON or PDF) and the public check."""

import base64
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Response
from fastapi.responses import JSONResponse

from trust_lesson.deps import DbDep, NowDep, RuntimeDep
from trust_lesson.errors import NotFound
from trust_lesson.evidence import log, revocation, service
from trust_lesson.evidence.dependencies import (
    CertificateOf,
    LessonCertificateOf,
    SchoolKeysDep,
    TermCertificateOf,
)
from trust_lesson.evidence.schemas import CheckpointRead, VerificationRead
from trust_lesson.schemas import VALIDATION_RESPONSES

router = APIRouter(tags=["evidence"])


@router.get("/.well-known/trust-lesson/keys")
async def school_keys(runtime: RuntimeDep) -> dict[str, Any]:
    """The public keys of the school, active first, retired ones still listed (keys.json)."""
    return runtime.school_keys.public.document()


@router.get("/api/v1/evidence/status-list")
async def status_list(
    db: DbDep, runtime: RuntimeDep, keys: SchoolKeysDep, now: NowDep
) -> dict[str, Any]:
    """The signed revocation list of the school's certificates (W3C Bitstring Status List)."""
    return await revocation.status_list_credential(
        db, keys=keys, public_url=runtime.settings.public_url, now=now
    )


@router.get(
    "/api/v1/evidence/checkpoint",
    response_model=CheckpointRead,
    responses={404: {"description": "nothing signed yet"}},
)
async def latest_checkpoint(db: DbDep) -> CheckpointRead:
    """The newest signed tree head of the evidence log (public: it reveals no entry)."""
    row = await log.latest_checkpoint(db)
    if row is None:
        raise NotFound("The evidence log has no signed checkpoint yet.")
    return CheckpointRead(
        size=row.size,
        root=base64.b64encode(row.root).decode(),
        key_id=row.key_id,
        signed_at=row.signed_at,
        note=row.note,
    )


# This router has no /api prefix (the keys live under /.well-known): the routes below that
# validate input document our 422 body themselves.
CERTIFICATE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **VALIDATION_RESPONSES,
    200: {
        "description": "the signed certificate (W3C VC 2.0 JSON), or its PDF with format=pdf",
        "content": {"application/pdf": {}},
    },
    404: {"description": "no decision to certify yet, or out of the caller's sight"},
}
Format = Annotated[Literal["json", "pdf"], Query(description="json (default) or pdf")]
Download = Annotated[
    bool,
    Query(description="the JSON as a file to save (Content-Disposition: attachment); same body"),
]


@router.get(
    "/api/v1/lessons/{lesson_id}/attendance/{user_id}/certificate",
    responses=CERTIFICATE_RESPONSES,
)
async def lesson_certificate(
    of: LessonCertificateOf,
    db: DbDep,
    runtime: RuntimeDep,
    now: NowDep,
    format: Format = "json",
    download: Download = False,
) -> Any:
    """The student's attendance certificate of the lesson (their current decision)."""
    return await _certificate(of, db, runtime, now, format, download=download)


@router.get(
    "/api/v1/terms/{term_id}/attendance/{user_id}/certificate", responses=CERTIFICATE_RESPONSES
)
async def term_certificate(
    of: TermCertificateOf,
    db: DbDep,
    runtime: RuntimeDep,
    now: NowDep,
    format: Format = "json",
    download: Download = False,
) -> Any:
    """The student's certificate of the whole term: every lesson decided so far."""
    return await _certificate(of, db, runtime, now, format, download=download)


async def _certificate(
    of: CertificateOf, db: DbDep, runtime: RuntimeDep, now: NowDep, format: str, *, download: bool
) -> Any:
    public_url = runtime.settings.public_url
    document = await service.certificate(
        db, keys=runtime.school_keys, public_url=public_url, student_id=of.student_id,
        lesson_id=of.lesson_id, term_id=of.term_id, now=now,
    )  # fmt: skip
    if format == "json" and download:
        disposition = f'attachment; filename="{service.json_name(document)}"'
        return JSONResponse(document, headers={"Content-Disposition": disposition})
    if format == "json":
        return document
    pdf = await service.certificate_pdf(document, public_url=public_url)
    disposition = f'attachment; filename="{service.pdf_name(document)}"'
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})


@router.post(
    "/api/v1/evidence/verify", response_model=VerificationRead, responses=VALIDATION_RESPONSES
)
async def verify_certificate(
    document: Annotated[Any, Body(description="a certificate file's JSON, as issued")],
    db: DbDep,
    runtime: RuntimeDep,
) -> service.Verification:
    """Checks a certificate as `trust-lesson verify` does, then whether the school revoked it:
    valid, invalid or revoked, with the reason (anyone; nothing is stored)."""
    return await service.verify_document(db, document, runtime.school_keys.public)
