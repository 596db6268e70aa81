"""R01: passwords are stored as Argon2id hashes (>= 19 MiB, t >= 2, p = 1) with unique salts."""

import argon2
import httpx
from sqlalchemy import select

from tests.support.factories import PASSWORD, make_user, signed_in
from trust_lesson.models import Role, User
from trust_lesson.runtime import Runtime

OWASP_MEMORY_KIB = 19 * 1024


async def stored_hashes(runtime: Runtime) -> dict[str, str]:
    async with runtime.session_factory() as db:
        rows = (await db.execute(select(User.email, User.password_hash))).all()
    return {email: password_hash for email, password_hash in rows}


async def test_two_people_with_the_same_password_get_different_argon2id_hashes(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await signed_in(client, runtime, Role.ADMIN)
    registered = await client.post(
        "/api/v1/auth/register",
        json={
            "email": "ana@school.example",
            "password": PASSWORD,
            "full_name": "Ana",
            "username": "ana",
        },
    )
    created = await client.post(
        "/api/v1/users",
        headers=admin.headers,
        json={
            "email": "bob@school.example",
            "password": PASSWORD,
            "full_name": "Bob",
            "username": "bob",
            "role": "INSTRUCTOR",
        },
    )
    assert registered.status_code == created.status_code == 201

    hashes = await stored_hashes(runtime)

    ana, bob = hashes["ana@school.example"], hashes["bob@school.example"]
    assert ana != bob
    for stored in (ana, bob, hashes[admin.user.email]):
        assert stored.startswith("$argon2id$")
        assert PASSWORD not in stored
        parameters = argon2.extract_parameters(stored)
        assert parameters.type is argon2.Type.ID
        assert parameters.memory_cost >= OWASP_MEMORY_KIB
        assert parameters.time_cost >= 2
        assert parameters.parallelism == 1
        assert parameters.salt_len >= 16


async def test_the_salt_differs_for_every_hash(runtime: Runtime) -> None:
    for _ in range(3):
        await make_user(runtime)

    hashes = list((await stored_hashes(runtime)).values())

    salts = {stored.split("$")[4] for stored in hashes}
    assert len(salts) == len(hashes) == 3


async def test_a_changed_password_is_hashed_afresh(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    person = await signed_in(client, runtime)
    before = (await stored_hashes(runtime))[person.user.email]

    changed = await client.patch(
        "/api/v1/users/me",
        headers=person.headers,
        json={"password": "a whole new passphrase", "current_password": PASSWORD},
    )

    assert changed.status_code == 200
    after = (await stored_hashes(runtime))[person.user.email]
    assert after != before and after.startswith("$argon2id$")
