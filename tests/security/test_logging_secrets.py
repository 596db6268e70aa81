"""Issue 8/3 (R20): a database error logs no values; security events say who, whom, from where."""

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from tests.security.test_logging import LogCapture, capture
from tests.support.factories import PASSWORD, make_user, signed_in
from tests.support.http import service_client
from trust_lesson.db import transaction
from trust_lesson.logs import JsonFormatter, PlainFormatter
from trust_lesson.models import Role, User
from trust_lesson.runtime import Runtime


@pytest.fixture(params=["json", "plain"])
def any_log(request: pytest.FixtureRequest) -> Iterator[LogCapture]:
    yield from capture(JsonFormatter() if request.param == "json" else PlainFormatter())


async def test_a_failing_insert_logs_neither_its_hash_nor_its_email(
    app: FastAPI, runtime: Runtime, any_log: LogCapture
) -> None:
    victim = await make_user(runtime)

    async def duplicate_the_victim() -> None:
        """An unexpected database error whose statement carries a hash and an email."""
        async with transaction(runtime.session_factory) as db:
            db.add(
                User(
                    email=victim.email,
                    username="someone-else",
                    full_name="Someone Else",
                    role=Role.STUDENT,
                    is_active=True,
                    password_hash=victim.password_hash,
                    created_at=runtime.clock(),
                    updated_at=runtime.clock(),
                )
            )

    app.add_api_route("/test-only/duplicate", duplicate_the_victim, methods=["POST"])
    async with service_client(app) as client:
        response = await client.post("/test-only/duplicate")

    assert response.status_code == 500
    assert "IntegrityError" in any_log.text  # the operator still learns what failed
    for secret in (victim.password_hash, victim.email, "$argon2id$"):
        assert secret not in any_log.text


async def test_a_failed_sign_in_says_whose_account_and_from_where_in_both_formats(
    client: httpx.AsyncClient, runtime: Runtime, any_log: LogCapture
) -> None:
    person = await make_user(runtime)

    await client.post("/api/v1/auth/login", json={"email": person.email, "password": "nope" * 4})

    [line] = [line for line in any_log.text.splitlines() if "login failed" in line]
    assert "login_failed" in line and str(person.id) in line and "127.0.0.1" in line
    assert person.email not in line


async def test_an_administrators_security_changes_are_logged_with_actor_and_account(
    client: httpx.AsyncClient, runtime: Runtime, any_log: LogCapture
) -> None:
    admin = await signed_in(client, runtime, Role.ADMIN)
    person = await make_user(runtime)
    changes = [
        {"password": "a freshly reset passphrase"},
        {"role": "INSTRUCTOR"},
        {"is_active": False},
    ]

    for change in changes:
        answer = await client.patch(
            f"/api/v1/users/{person.id}", json=change, headers=admin.headers
        )
        assert answer.status_code == 200, answer.text
    await client.delete(f"/api/v1/users/{person.id}", headers=admin.headers)

    lines = [line for line in any_log.text.splitlines() if "admin_account_change" in line]
    assert len(lines) == 3
    for line, field in zip(lines, ("password", "role", "is_active"), strict=True):
        assert field in line and str(admin.id) in line and str(person.id) in line
    assert any("account_deleted" in line for line in any_log.text.splitlines())
    assert "a freshly reset passphrase" not in any_log.text and PASSWORD not in any_log.text
