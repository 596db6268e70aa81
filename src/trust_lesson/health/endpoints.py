"""Liveness and readiness: each dependency that exists reports its own state."""

import anyio
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from trust_lesson.deps import RuntimeDep
from trust_lesson.runtime import Runtime

router = APIRouter(tags=["health"])


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/health/ready")
async def ready(runtime: RuntimeDep) -> JSONResponse:
    parts = {
        "database": await _database_ok(runtime),
        "session_store": await runtime.session_store.ping(),
        "blob_store": await runtime.blobs.ping(),
        "queue": await anyio.to_thread.run_sync(runtime.worker.ping),
    }
    ok = all(parts.values())
    body = {
        "status": "ok" if ok else "unavailable",
        "parts": {name: "ok" if up else "unavailable" for name, up in parts.items()},
    }
    return JSONResponse(body, status_code=200 if ok else 503)


async def _database_ok(runtime: Runtime) -> bool:
    try:
        async with runtime.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True
