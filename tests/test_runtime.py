"""What the running service holds, under a crowd: Redis connections are shared, not refused."""

import asyncio

from tests.support.clock import FakeClock
from tests.support.http import running_app
from tests.support.redis_server import RedisServer
from trust_lesson.db import transaction
from trust_lesson.runtime import REDIS_CONNECTIONS
from trust_lesson.settings import Settings


async def test_a_crowd_of_requests_waits_for_a_redis_connection_instead_of_a_503(
    settings: Settings, clock: FakeClock, redis_server: RedisServer
) -> None:
    """Three times as many sessions resolved at once as the process opens Redis connections
    (waiting students asking at the same moment): every one resolves. redis-py's default pool
    refused those beyond its 100 connections with "Too many connections" (a 503)."""
    scaled = settings.model_copy(update={"redis_url": redis_server.url})
    async with running_app(scaled, clock) as app:
        store = app.state.runtime.session_store
        async with transaction(app.state.runtime.session_factory) as db:
            opened = await store.open(db, user_id=7, now=clock())
            crowd = 3 * max(REDIS_CONNECTIONS, 100)

            resolved = await asyncio.gather(
                *(store.resolve(db, token=opened.token, now=clock()) for _ in range(crowd))
            )

        assert resolved == [7] * crowd
        assert app.state.runtime.redis.connection_pool.max_connections == REDIS_CONNECTIONS
