"""The evidence routes: the school's public keys (and, below, the log's checkpoint)."""

from typing import Any

from fastapi import APIRouter

from trust_lesson.deps import RuntimeDep

router = APIRouter(tags=["evidence"])


@router.get("/.well-known/trust-lesson/keys")
async def school_keys(runtime: RuntimeDep) -> dict[str, Any]:
    """The public keys of the school, active first, retired ones still listed (keys.json)."""
    return runtime.school_keys.public.document()
