"""R07: sessions end after 30 idle minutes and 12 hours in all, both configurable."""

import httpx

from tests.support.clock import FakeClock
from tests.support.factories import login, make_user, signed_in
from tests.support.http import running_app, service_client
from trust_lesson.runtime import Runtime
from trust_lesson.settings import Settings


async def me(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    return (await client.get("/api/v1/users/me", headers=headers)).status_code


async def test_an_active_session_still_ends_twelve_hours_after_login(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    person = await signed_in(client, runtime)

    for _ in range(28):  # busy all day: a request every 25 minutes, 11 h 40 min in all
        clock.advance(minutes=25)
        assert await me(client, person.headers) == 200
    clock.advance(minutes=20)

    assert await me(client, person.headers) == 401


async def test_the_login_answer_says_when_the_session_ends_at_the_latest(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    person = await make_user(runtime)
    credentials = {"email": person.email, "password": "correct horse battery staple"}

    answer = (await client.post("/api/v1/auth/login", json=credentials)).json()

    assert answer["expires_at"].startswith("2026-03-03T00:00:00")  # clock starts at 12:00


async def test_an_idle_session_ends_at_thirty_minutes_and_stays_ended(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    person = await signed_in(client, runtime)
    clock.advance(minutes=30)

    assert await me(client, person.headers) == 401
    clock.advance(minutes=1)
    assert await me(client, person.headers) == 401


async def test_idle_and_absolute_lifetimes_come_from_the_settings(
    settings: Settings, clock: FakeClock
) -> None:
    short = settings.model_copy(update={"session_idle_minutes": 5, "session_absolute_hours": 1})
    async with running_app(short, clock) as app, service_client(app) as client:
        person = await make_user(app.state.runtime)
        idle = await login(client, person.email)
        busy = await login(client, person.email)

        clock.advance(minutes=4)
        assert await me(client, busy) == 200
        clock.advance(minutes=2)  # 6 minutes after login, 2 after busy's last request
        assert await me(client, busy) == 200
        assert await me(client, idle) == 401
        for _ in range(13):  # a request every 4 minutes up to 58 minutes after login
            clock.advance(minutes=4)
            assert await me(client, busy) == 200
        clock.advance(minutes=2)

        assert await me(client, busy) == 401


async def test_a_session_in_use_outlives_a_one_minute_idle_time(
    settings: Settings, clock: FakeClock
) -> None:
    """Issue 8/14: with a 60 s touch, every 1-minute session died a minute after sign-in."""
    one_minute = settings.model_copy(update={"session_idle_minutes": 1})
    async with running_app(one_minute, clock) as app, service_client(app) as client:
        person = await make_user(app.state.runtime)
        headers = await login(client, person.email)

        answers = []
        for _ in range(12):  # three minutes of use, a request every 15 s
            clock.advance(seconds=15)
            answers.append(await me(client, headers))
        clock.advance(seconds=55)  # then unused for most of a minute: still alive
        alive_after_a_pause = await me(client, headers)
        clock.advance(seconds=60)  # a full idle minute
        ended = await me(client, headers)

    assert answers == [200] * 12
    assert alive_after_a_pause == 200
    assert ended == 401
