"""Issue 8/7: password guesses through a password change or an account deletion, and mass
registration, are throttled."""

import pytest

from tests.support.clock import FakeClock
from tests.support.factories import PASSWORD, login, make_user
from tests.support.http import running_app, service_client
from trust_lesson.settings import Settings

NEW_PASSWORD = "a whole new passphrase"


@pytest.fixture
def tight(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "login_failure_limit": "5 per 10 minutes",
            "login_address_limit": "100 per 10 minutes",
            "registration_address_limit": "3 per 10 minutes",
        }
    )


async def test_current_password_guesses_are_throttled_like_sign_ins(
    tight: Settings, clock: FakeClock
) -> None:
    async with running_app(tight, clock) as app, service_client(app) as client:
        person = await make_user(app.state.runtime)
        headers = await login(client, person.email)

        guesses = [
            await client.patch(
                "/api/v1/users/me",
                json={"password": NEW_PASSWORD, "current_password": f"guess number {n:04d}"},
                headers=headers,
            )
            for n in range(7)
        ]
        right_now = await client.patch(
            "/api/v1/users/me",
            json={"password": NEW_PASSWORD, "current_password": PASSWORD},
            headers=headers,
        )
        sign_in = await client.post(
            "/api/v1/auth/login", json={"email": person.email, "password": PASSWORD}
        )

    assert [g.status_code for g in guesses] == [403] * 5 + [429] * 2
    assert int(guesses[-1].headers["retry-after"]) > 0
    assert right_now.status_code == 429  # even the right password waits: guessing is paused
    assert sign_in.status_code == 429  # one count per account, whichever route guessed


async def test_password_guesses_to_delete_an_account_are_throttled_like_sign_ins(
    tight: Settings, clock: FakeClock
) -> None:
    async with running_app(tight, clock) as app, service_client(app) as client:
        person = await make_user(app.state.runtime)
        headers = await login(client, person.email)

        async def delete_me(password: str) -> int:
            body = {"current_password": password}
            answer = await client.request("DELETE", "/api/v1/users/me", json=body, headers=headers)
            return answer.status_code

        guesses = [await delete_me(f"guess number {n:04d}") for n in range(6)]
        right_now = await delete_me(PASSWORD)

    assert guesses == [403] * 5 + [429]
    assert right_now == 429  # nothing deleted while guessing is paused


async def test_one_address_cannot_register_accounts_in_bulk(
    tight: Settings, clock: FakeClock
) -> None:
    async with running_app(tight, clock) as app:
        async with service_client(app, address="192.0.2.50") as bulk:
            answers = [
                await bulk.post(
                    "/api/v1/auth/register",
                    json={
                        "email": f"bulk{n}@school.example",
                        "password": PASSWORD,
                        "full_name": f"Bulk {n}",
                        "username": f"bulk{n}",
                    },
                )
                for n in range(5)
            ]
        async with service_client(app, address="192.0.2.51") as other:
            elsewhere = await other.post(
                "/api/v1/auth/register",
                json={
                    "email": "single@school.example",
                    "password": PASSWORD,
                    "full_name": "Single",
                    "username": "single",
                },
            )

    assert [a.status_code for a in answers] == [201, 201, 201, 429, 429]
    assert "Too many accounts" in answers[3].json()["detail"]
    assert int(answers[3].headers["retry-after"]) > 0
    assert elsewhere.status_code == 201
