import httpx
import pytest
from sqlalchemy import func, select

from tests.support.clock import FakeClock
from tests.support.factories import signed_in
from trust_lesson.db import transaction
from trust_lesson.models import AuthSession
from trust_lesson.runtime import Runtime


async def _sessions(runtime: Runtime) -> int:
    async with transaction(runtime.session_factory) as db:
        return int(await db.scalar(select(func.count(AuthSession.id))) or 0)


async def test_ended_sessions_are_purged_from_the_database(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    if runtime.redis is not None:
        pytest.skip("sessions live in Redis, which expires its own keys")
    await signed_in(client, runtime)
    active = await signed_in(client, runtime)
    clock.advance(minutes=20)
    assert (await client.get("/api/v1/users/me", headers=active.headers)).status_code == 200
    clock.advance(minutes=15)

    purged = runtime.worker.tasks["purge-sessions"].call_local()

    assert purged == 1
    assert await _sessions(runtime) == 1
    assert (await client.get("/api/v1/users/me", headers=active.headers)).status_code == 200
