"""A course that requires a verified identity refuses `join` before it, saying why."""

import httpx

from tests.identity.test_records import mark_verified
from tests.presence.live import live_lesson
from tests.support.clock import FakeClock
from trust_lesson.runtime import Runtime


async def test_join_is_refused_until_the_identity_is_verified(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(client, runtime, clock, policy={"identity_required": True})

    refused = await client.post(live.url("join"), headers=live.student.headers)
    await mark_verified(runtime, live.student)
    joined = await client.post(live.url("join"), headers=live.student.headers)

    assert refused.status_code == 403 and refused.json()["code"] == "identity_required"
    assert "requires a verified identity" in refused.json()["detail"]
    assert joined.status_code == 200, joined.text


async def test_a_course_that_does_not_require_it_lets_students_join(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(client, runtime, clock)

    joined = await client.post(live.url("join"), headers=live.student.headers)

    assert joined.status_code == 200, joined.text
