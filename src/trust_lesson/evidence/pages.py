"""The evidence pages: the public verify page (an auditor drops a certificate file), the
student's certificates (JSON and PDF downloads) and the administrator's key and log status."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from trust_lesson.courses.schemas import NO_NUL
from trust_lesson.deps import DbDep, RuntimeDep
from trust_lesson.evidence import status
from trust_lesson.models import Role
from trust_lesson.web.dependencies import AdminViewer, PageViewer
from trust_lesson.web.templating import render

router = APIRouter(include_in_schema=False)
CredentialId = Annotated[str | None, Query(max_length=200, pattern=NO_NUL)]


@router.get("/verify")
async def verify_page(request: Request, db: DbDep, credential: CredentialId = None) -> Response:
    """Anyone: drop a certificate file to check it; `credential` (the QR code's address) also
    says whether the school issued that credential and whether it revoked it."""
    state = await status.credential_state(db, credential) if credential else None
    return render(request, "evidence/verify.html", state=state)


@router.get("/certificates")
async def certificates_page(request: Request, viewer: PageViewer, db: DbDep) -> Response:
    user = viewer.user
    if user.role is not Role.STUDENT:
        return RedirectResponse("/lessons", status_code=303)
    terms = await status.own_certificates(db, student_id=user.id)
    return render(request, "evidence/certificates.html", user=user, csrf=viewer.csrf, terms=terms)


@router.get("/admin/evidence")
async def evidence_status_page(
    request: Request, viewer: AdminViewer, db: DbDep, runtime: RuntimeDep
) -> Response:
    return render(
        request,
        "evidence/status.html",
        user=viewer.user,
        csrf=viewer.csrf,
        keys=runtime.school_keys.public,
        current_key=runtime.school_keys.current.key_id,
        log=await status.log_status(db),
    )
