"""R08: logout, a password change and disabling an account end sessions on the server."""

import httpx

from tests.support.factories import PASSWORD, login, make_user, signed_in
from trust_lesson.models import Role
from trust_lesson.runtime import Runtime

NEW_PASSWORD = "a brand new passphrase"


async def me(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    return (await client.get("/api/v1/users/me", headers=headers)).status_code


async def devices(client: httpx.AsyncClient, email: str, count: int = 3) -> list[dict[str, str]]:
    return [await login(client, email) for _ in range(count)]


async def test_a_logged_out_token_cannot_be_replayed_anywhere(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    person = await signed_in(client, runtime)

    assert (await client.post("/api/v1/auth/logout", headers=person.headers)).status_code == 204

    assert await me(client, person.headers) == 401
    again = await client.post("/api/v1/auth/logout", headers=person.headers)
    assert again.status_code == 401
    patch = await client.patch("/api/v1/users/me", headers=person.headers, json={"full_name": "X"})
    assert patch.status_code == 401


async def test_changing_ones_password_ends_every_session(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    person = await make_user(runtime)
    laptop, phone, tablet = await devices(client, person.email)

    changed = await client.patch(
        "/api/v1/users/me",
        headers=laptop,
        json={"password": NEW_PASSWORD, "current_password": PASSWORD},
    )

    assert changed.status_code == 200
    assert [await me(client, h) for h in (laptop, phone, tablet)] == [401, 401, 401]
    assert (await login(client, person.email, NEW_PASSWORD))["Authorization"]


async def test_a_wrong_current_password_changes_nothing(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    person = await signed_in(client, runtime)

    refused = await client.patch(
        "/api/v1/users/me",
        headers=person.headers,
        json={"password": NEW_PASSWORD, "current_password": "a guessed passphrase"},
    )

    assert refused.status_code == 403
    assert await me(client, person.headers) == 200
    assert await login(client, person.user.email, PASSWORD)


async def test_an_administrator_resetting_a_password_ends_every_session(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await signed_in(client, runtime, Role.ADMIN)
    person = await make_user(runtime)
    sessions = await devices(client, person.email)

    reset = await client.patch(
        f"/api/v1/users/{person.id}", headers=admin.headers, json={"password": NEW_PASSWORD}
    )

    assert reset.status_code == 200
    assert [await me(client, h) for h in sessions] == [401, 401, 401]
    assert await me(client, admin.headers) == 200


async def test_disabling_an_account_ends_every_session_and_blocks_login(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await signed_in(client, runtime, Role.ADMIN)
    person = await make_user(runtime)
    sessions = await devices(client, person.email)

    disabled = await client.patch(
        f"/api/v1/users/{person.id}", headers=admin.headers, json={"is_active": False}
    )
    enabled = await client.patch(
        f"/api/v1/users/{person.id}", headers=admin.headers, json={"is_active": True}
    )

    assert disabled.status_code == enabled.status_code == 200
    assert [await me(client, h) for h in sessions] == [401, 401, 401]


async def test_a_disabled_account_cannot_sign_in(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await signed_in(client, runtime, Role.ADMIN)
    person = await make_user(runtime)
    await client.patch(
        f"/api/v1/users/{person.id}", headers=admin.headers, json={"is_active": False}
    )

    answer = await client.post(
        "/api/v1/auth/login", json={"email": person.email, "password": PASSWORD}
    )

    assert answer.status_code == 401


async def test_deleting_an_account_ends_its_sessions(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await signed_in(client, runtime, Role.ADMIN)
    person = await signed_in(client, runtime)

    deleted = await client.delete(f"/api/v1/users/{person.id}", headers=admin.headers)

    assert deleted.status_code == 204
    assert await me(client, person.headers) == 401
