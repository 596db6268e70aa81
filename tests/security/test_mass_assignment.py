"""R14: fields a caller may not set are refused, and nothing changes."""

import httpx

from tests.support.factories import make_user, signed_in
from trust_lesson.db import transaction
from trust_lesson.models import Role, User
from trust_lesson.runtime import Runtime


async def _stored(runtime: Runtime, user_id: int) -> User:
    async with transaction(runtime.session_factory) as db:
        user = await db.get(User, user_id)
        assert user is not None
        return user


async def test_a_student_cannot_make_themselves_admin(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    student = await signed_in(client, runtime, Role.STUDENT)

    response = await client.patch(
        "/api/v1/users/me", json={"role": "ADMIN"}, headers=student.headers
    )

    assert response.status_code == 422
    assert "role" in response.json()["detail"]
    assert (await _stored(runtime, student.id)).role is Role.STUDENT


async def test_unknown_or_forbidden_fields_on_the_own_account_change_nothing(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    student = await signed_in(client, runtime, Role.STUDENT)

    for body in (
        {"full_name": "New Name", "is_active": False},
        {"full_name": "New Name", "created_at": "2020-01-01T00:00:00Z"},
        {"full_name": "New Name", "id": 1},
    ):
        response = await client.patch("/api/v1/users/me", json=body, headers=student.headers)
        assert response.status_code == 422, body

    stored = await _stored(runtime, student.id)
    assert stored.full_name == student.user.full_name
    assert stored.is_active


async def test_a_student_cannot_change_role_through_the_account_route(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    student = await signed_in(client, runtime, Role.STUDENT)

    response = await client.patch(
        f"/api/v1/users/{student.id}", json={"role": "ADMIN"}, headers=student.headers
    )

    assert response.status_code == 422
    assert (await _stored(runtime, student.id)).role is Role.STUDENT


async def test_an_admin_may_change_a_role(client: httpx.AsyncClient, runtime: Runtime) -> None:
    admin = await signed_in(client, runtime, Role.ADMIN)
    student = await make_user(runtime, Role.STUDENT)

    response = await client.patch(
        f"/api/v1/users/{student.id}", json={"role": "INSTRUCTOR"}, headers=admin.headers
    )

    assert response.status_code == 200
    assert (await _stored(runtime, student.id)).role is Role.INSTRUCTOR
