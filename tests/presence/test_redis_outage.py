"""Redis down in the scaled setup: protected routes fail closed, no capture is accepted while it
is down, and none accepted before is lost (its queued job vanished with Redis; the sweep
resubmits it from the database row).

The story runs its own throw-away redis-server, so it can really be killed and restarted.
"""

import asyncio

import pytest

from tests.presence.live import capture_count, join, live_lesson, small_jpeg, stored_blobs, upload
from tests.presence.verdict_support import judge_now, send
from tests.support.clock import FakeClock
from tests.support.factories import login
from tests.support.http import running_app, service_client
from tests.support.redis_server import RedisServer
from trust_lesson.presence.sweeps import STUCK_AFTER
from trust_lesson.presence.verdicts import Verdict
from trust_lesson.settings import Settings


async def test_redis_down_refuses_captures_and_loses_none(
    settings: Settings,
    clock: FakeClock,
    redis_server: RedisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    scaled = settings.model_copy(update={"redis_url": redis_server.url})
    async with running_app(scaled, clock) as app, service_client(app) as client:
        runtime = app.state.runtime
        live = await live_lesson(client, runtime, clock, students=2)
        first, second = live.students
        accepted = await send(
            client,
            live,
            first,
            (await join(client, live, first))["challenge"],
            small_jpeg(size=200),
        )
        waiting = (await join(client, live, second))["challenge"]
        assert runtime.worker.huey.pending_count() == 1

        redis_server.kill()
        refused = await upload(client, live, second, waiting, small_jpeg(size=200))
        profile = await client.get("/api/v1/users/me", headers=second.headers)

        assert refused.status_code == 503
        assert profile.status_code == 503 and profile.headers["Retry-After"] == "5"
        said = [r.getMessage() for r in caplog.records if r.name == "trust_lesson.auth"]
        assert said and all(m.startswith("session store unreachable: ") for m in said), said
        assert await capture_count(runtime) == 1
        assert len(stored_blobs(scaled.data_dir)) == 1

        redis_server.start()
        stale = await client.get("/api/v1/users/me", headers=first.headers)
        assert stale.status_code == 401
        assert runtime.worker.huey.pending_count() == 0
        first.headers = await login(client, first.user.email)

        clock.advance(seconds=STUCK_AFTER.total_seconds() + 1)
        resubmitted = await asyncio.to_thread(runtime.worker.tasks["resubmit-captures"].call_local)
        verdicts = [await judge_now(runtime, accepted) for _ in range(2)]

        assert resubmitted == 1
        assert verdicts == [Verdict.NEEDS_REVIEW, None]
        answer = await client.get(f"/api/v1/captures/{accepted}", headers=first.headers)
        assert answer.json()["verdict"] == "NEEDS_REVIEW"
