"""R13: no password hashes, tokens, embeddings or storage keys in any response.

Every client of the security and auth stories scans each answer at run time (tests/support/
leaks.py); here the contract itself is checked: no response schema of any route has a property
named like a secret, except the login answer's `access_token`.
"""

import re
from collections.abc import Iterator
from typing import Any

import httpx
from fastapi import FastAPI

from tests.support.factories import signed_in
from tests.support.leaks import leak_guard
from trust_lesson.models import Role
from trust_lesson.runtime import Runtime

SECRET_NAME = re.compile(
    r"password|hash|token|secret|embedding|descriptor|template|storage_key|blob_key|salt", re.I
)
ALLOWED = {("post", "/api/v1/auth/login"): {"access_token", "token_type"}}


def resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def property_names(
    schema: dict[str, Any], document: dict[str, Any], seen: frozenset[str] = frozenset()
) -> Iterator[str]:
    """Names of properties that can hold text; counts and flags cannot carry a secret."""
    if "$ref" in schema:
        if schema["$ref"] in seen:
            return
        seen = seen | {schema["$ref"]}
    schema = resolve(schema, document)
    for name, inner in schema.get("properties", {}).items():
        if resolve(inner, document).get("type") not in ("integer", "boolean"):
            yield name
        yield from property_names(inner, document, seen)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from property_names(schema[key], document, seen)
    for key in ("anyOf", "oneOf", "allOf"):
        for inner in schema.get(key, []):
            yield from property_names(inner, document, seen)


def response_schemas(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for answer in operation.get("responses", {}).values():
                for media in answer.get("content", {}).values():
                    yield method, path, media.get("schema", {})


def test_no_response_schema_names_a_secret(app: FastAPI) -> None:
    document = app.openapi()
    offending = []

    for method, path, schema in response_schemas(document):
        allowed = ALLOWED.get((method, path), set())
        names = set(property_names(schema, document))
        offending += [(method, path, n) for n in names - allowed if SECRET_NAME.search(n)]

    assert offending == []
    assert sum(1 for _ in response_schemas(document)) > 10


def test_the_schema_walk_does_see_a_secret_when_one_is_there() -> None:
    leaky = {"properties": {"password_hash": {}, "templates": {"type": "integer"}}}
    document = {"components": {"schemas": {"Leaky": leaky}}, "paths": {}}
    schema = {"type": "array", "items": {"$ref": "#/components/schemas/Leaky"}}

    assert list(property_names(schema, document)) == ["password_hash"]


async def test_the_guard_refuses_a_foreign_token_and_a_hash() -> None:
    async def leaky(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/auth/login":
            return httpx.Response(200, json={"access_token": "tok-" + "a" * 40})
        return httpx.Response(200, json={"note": "tok-" + "a" * 40, "h": "$argon2id$v=19"})

    async with httpx.AsyncClient(
        transport=httpx.MockTransport(leaky),
        base_url="http://leaky",
        event_hooks={"response": [leak_guard().check]},
    ) as client:
        await client.post("/api/v1/auth/login", json={"email": "a@b.c", "password": "x" * 12})
        try:
            await client.get("/api/v1/users/me")
        except AssertionError as refused:
            assert "session token" in str(refused) or "$argon2" in str(refused)
        else:
            raise AssertionError("the leak guard let a token and a hash through")


async def test_profiles_and_lists_hold_no_secret_fields(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await signed_in(client, runtime, Role.ADMIN)
    student = await signed_in(client, runtime)

    answers = [
        await client.get("/api/v1/users/me", headers=student.headers),
        await client.get("/api/v1/users", headers=admin.headers),
        await client.get(f"/api/v1/users/{student.id}", headers=admin.headers),
    ]

    for answer in answers:
        assert answer.status_code == 200
        assert "$argon2" not in answer.text
        assert student.headers["Authorization"].removeprefix("Bearer ") not in answer.text
