"""The evidence routes: the school's public keys and the log's latest signed checkpoint."""

import base64
from typing import Any

from fastapi import APIRouter

from trust_lesson.deps import DbDep, NowDep, RuntimeDep
from trust_lesson.errors import NotFound
from trust_lesson.evidence import log, revocation
from trust_lesson.evidence.dependencies import SchoolKeysDep
from trust_lesson.evidence.schemas import CheckpointRead

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
