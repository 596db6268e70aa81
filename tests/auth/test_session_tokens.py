"""R05, R06: session tokens are random, long, opaque, new at every login, and kept only hashed."""

import base64
import secrets
from typing import Any

import httpx
from sqlalchemy import select

from tests.support.factories import login, make_user, signed_in
from trust_lesson.auth.tokens import new_token, token_digest
from trust_lesson.models import AuthSession, Base
from trust_lesson.runtime import Runtime


def token_bits(token: str) -> int:
    return len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def everything_stored(runtime: Runtime) -> str:
    """Every row of every table and every Redis key and value, as one text."""
    parts: list[Any] = []
    async with runtime.session_factory() as db:
        for table in Base.metadata.sorted_tables:
            parts.extend((await db.execute(select(table))).all())
    if runtime.redis is not None:
        parts.extend([await redis_entry(runtime, key) async for key in runtime.redis.scan_iter()])
    return "\n".join(map(str, parts))


async def redis_entry(runtime: Runtime, key: bytes) -> tuple[bytes, Any]:
    redis = runtime.redis
    assert redis is not None
    kind = (await redis.type(key)).decode()
    readers = {
        "string": lambda: redis.get(key),
        "hash": lambda: redis.hgetall(key),
        "set": lambda: redis.smembers(key),
        "list": lambda: redis.lrange(key, 0, -1),
        "zset": lambda: redis.zrange(key, 0, -1, withscores=True),
    }
    return key, await readers[kind]()


def test_ten_thousand_tokens_are_distinct_and_carry_at_least_128_bits() -> None:
    tokens = [new_token() for _ in range(10_000)]

    assert len(set(tokens)) == 10_000
    assert min(token_bits(t) for t in tokens) >= 128
    assert all(t.isascii() and "." not in t for t in tokens)  # opaque: no JWT-like structure


async def test_the_server_keeps_only_a_hash_of_each_token(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    people = [await make_user(runtime) for _ in range(3)]
    tokens = [
        (await login(client, p.email))["Authorization"].removeprefix("Bearer ") for p in people
    ]
    for token in tokens:
        assert (await client.get("/api/v1/users/me", headers=bearer(token))).status_code == 200

    stored = await everything_stored(runtime)

    for token in tokens:
        assert token not in stored
        assert token_digest(token) in stored
    if runtime.redis is None:
        async with runtime.session_factory() as db:
            hashes = set((await db.execute(select(AuthSession.token_hash))).scalars())
        assert hashes == {token_digest(t) for t in tokens}


async def test_every_login_opens_a_new_session_with_a_new_token(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    person = await make_user(runtime)

    laptop = await login(client, person.email)
    phone = await login(client, person.email)

    assert laptop != phone
    assert (await client.get("/api/v1/users/me", headers=laptop)).status_code == 200
    assert (await client.post("/api/v1/auth/logout", headers=laptop)).status_code == 204
    assert (await client.get("/api/v1/users/me", headers=laptop)).status_code == 401
    assert (await client.get("/api/v1/users/me", headers=phone)).status_code == 200


async def test_a_token_the_server_did_not_issue_is_never_accepted(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    person = await signed_in(client, runtime)
    real = person.headers["Authorization"].removeprefix("Bearer ")
    made_up = [
        secrets.token_urlsafe(32),
        token_digest(real),  # what the server stores is not a key to the session
        real[:-1] + ("A" if real[-1] != "A" else "B"),
        real + "x",
        "A" * 43,
        str(person.id),
    ]

    for token in made_up:
        response = await client.get("/api/v1/users/me", headers=bearer(token))
        assert response.status_code == 401, token
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert response.json()["code"] == "not_authenticated"


async def test_a_token_only_works_in_the_bearer_header(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    person = await signed_in(client, runtime)
    token = person.headers["Authorization"].removeprefix("Bearer ")

    for headers in ({"Authorization": token}, {"Authorization": f"Basic {token}"}, {}):
        assert (await client.get("/api/v1/users/me", headers=headers)).status_code == 401
    by_query = await client.get("/api/v1/users/me", params={"access_token": token})
    assert by_query.status_code == 401
