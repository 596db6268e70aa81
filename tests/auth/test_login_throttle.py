"""R03: at most 100 failed sign-ins per hour per account and 10 per minute per address.

The cool-down stories run a second instance of the service with short windows set through the
settings (`login_failure_limit`, `login_address_limit`), so they wait seconds, not an hour.
"""

import asyncio

import httpx
import pytest
from fastapi import FastAPI

from tests.support.clock import FakeClock
from tests.support.factories import PASSWORD, make_user
from tests.support.http import running_app, service_client
from trust_lesson.models import Role
from trust_lesson.runtime import Runtime
from trust_lesson.settings import Settings

WRONG = "not the right passphrase"


def credentials(email: str, password: str = WRONG) -> dict[str, str]:
    return {"email": email, "password": password}


async def sign_in_from(app: FastAPI, address: str, email: str, password: str) -> httpx.Response:
    async with service_client(app, address=address) as http:
        return await http.post("/api/v1/auth/login", json=credentials(email, password))


def assert_throttled(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert response.json()["code"] == "too_many_requests"
    assert 1 <= int(response.headers["Retry-After"]) <= 3600


async def test_150_wrong_passwords_from_many_addresses_lock_the_account_after_100(
    app: FastAPI, runtime: Runtime
) -> None:
    victim = await make_user(runtime, Role.STUDENT)
    addresses = [f"203.0.113.{n}" for n in range(1, 31)]  # 5 attempts each: under 10/minute

    answers = [
        await sign_in_from(app, addresses[attempt % 30], victim.email, WRONG)
        for attempt in range(150)
    ]

    assert [a.status_code for a in answers[:100]] == [401] * 100
    for refused in answers[100:]:
        assert_throttled(refused)
    even_the_right_password = await sign_in_from(app, "198.51.100.7", victim.email, PASSWORD)
    assert_throttled(even_the_right_password)


async def test_one_address_trying_many_accounts_is_stopped_after_ten(
    app: FastAPI, runtime: Runtime
) -> None:
    people = [await make_user(runtime) for _ in range(12)]

    answers = [await sign_in_from(app, "192.0.2.66", p.email, WRONG) for p in people]

    assert [a.status_code for a in answers[:10]] == [401] * 10
    assert_throttled(answers[10])
    assert_throttled(answers[11])
    from_elsewhere = await sign_in_from(app, "192.0.2.67", people[11].email, PASSWORD)
    assert from_elsewhere.status_code == 200


@pytest.fixture
def short_windows(settings: Settings) -> Settings:
    """Three failures per account in two seconds, five per address in two seconds."""
    return settings.model_copy(
        update={"login_failure_limit": "3 per 2 seconds", "login_address_limit": "5 per 2 seconds"}
    )


async def test_the_right_password_works_again_after_the_account_cool_down(
    short_windows: Settings, clock: FakeClock
) -> None:
    async with running_app(short_windows, clock) as app:
        person = await make_user(app.state.runtime)
        addresses = iter(f"203.0.113.{n}" for n in range(1, 100))
        for _ in range(3):
            failed = await sign_in_from(app, next(addresses), person.email, WRONG)
            assert failed.status_code == 401

        assert_throttled(await sign_in_from(app, next(addresses), person.email, PASSWORD))
        await asyncio.sleep(2.2)

        after_cool_down = await sign_in_from(app, next(addresses), person.email, PASSWORD)
        assert after_cool_down.status_code == 200


async def test_an_address_may_try_again_after_its_cool_down(
    short_windows: Settings, clock: FakeClock
) -> None:
    async with running_app(short_windows, clock) as app:
        people = [await make_user(app.state.runtime) for _ in range(6)]
        for person in people[:5]:
            failed = await sign_in_from(app, "192.0.2.10", person.email, WRONG)
            assert failed.status_code == 401

        assert_throttled(await sign_in_from(app, "192.0.2.10", people[5].email, PASSWORD))
        await asyncio.sleep(2.2)

        after_cool_down = await sign_in_from(app, "192.0.2.10", people[5].email, PASSWORD)
        assert after_cool_down.status_code == 200


async def test_an_unknown_email_is_throttled_exactly_like_a_known_one(
    short_windows: Settings, clock: FakeClock
) -> None:
    async with running_app(short_windows, clock) as app:
        known = await make_user(app.state.runtime)
        answers = {}
        for n, email in enumerate((known.email, "nobody@school.example")):
            for attempt in range(3):
                await sign_in_from(app, f"198.51.{n}.{attempt}", email, WRONG)
            answers[email] = await sign_in_from(app, f"198.51.{n}.9", email, WRONG)

        known_answer, unknown_answer = answers.values()
        assert_throttled(known_answer)
        assert_throttled(unknown_answer)
        assert known_answer.json() == unknown_answer.json()
