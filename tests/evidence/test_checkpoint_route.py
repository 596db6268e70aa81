"""GET /api/v1/evidence/checkpoint and the worker's periodic checkpoint."""

from datetime import UTC, datetime

import httpx

from trust_lesson.db import transaction
from trust_lesson.evidence import checkpoint, log
from trust_lesson.evidence.log import EvidenceKind
from trust_lesson.evidence.tasks import CHECKPOINT
from trust_lesson.runtime import Runtime

NOW = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)


async def test_nothing_signed_yet_is_a_clear_404(client: httpx.AsyncClient) -> None:
    answer = await client.get("/api/v1/evidence/checkpoint")
    assert answer.status_code == 404
    assert answer.json()["detail"] == "The evidence log has no signed checkpoint yet."


async def test_the_worker_signs_a_grown_log_and_the_route_serves_it(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    for number in range(3):
        async with transaction(runtime.session_factory) as db:
            await log.append(db, EvidenceKind.CONSENT_GIVEN, now=NOW, actor_id=number, data={})

    assert runtime.worker.tasks[CHECKPOINT].call_local() == 3
    assert runtime.worker.tasks[CHECKPOINT].call_local() == 0  # nothing new

    answer = await client.get("/api/v1/evidence/checkpoint")
    assert answer.status_code == 200
    body = answer.json()
    keys = runtime.school_keys
    head = checkpoint.open_checkpoint(body["note"], keys.public.trusted())
    assert (body["size"], head.size, body["key_id"]) == (3, 3, keys.current.key_id)
