import httpx

from tests.support.clock import FakeClock
from tests.support.factories import PASSWORD, login, make_user, signed_in
from trust_lesson.models import Role
from trust_lesson.runtime import Runtime


async def test_a_student_signs_in_and_sees_their_profile(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    student = await make_user(runtime, Role.STUDENT)

    response = await client.post(
        "/api/v1/auth/login", json={"email": student.email, "password": PASSWORD}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    me = await client.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert me.json()["email"] == student.email


async def test_logout_revokes_the_token_on_the_server(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    person = await signed_in(client, runtime)

    assert (await client.post("/api/v1/auth/logout", headers=person.headers)).status_code == 204

    replay = await client.get("/api/v1/users/me", headers=person.headers)
    assert replay.status_code == 401


async def test_an_idle_session_expires_after_thirty_minutes(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    person = await signed_in(client, runtime)
    clock.advance(minutes=29)
    assert (await client.get("/api/v1/users/me", headers=person.headers)).status_code == 200

    clock.advance(minutes=31)

    assert (await client.get("/api/v1/users/me", headers=person.headers)).status_code == 401


async def test_wrong_password_and_unknown_email_look_the_same(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    known = await make_user(runtime)

    wrong = await client.post(
        "/api/v1/auth/login", json={"email": known.email, "password": "not the password!"}
    )
    unknown = await client.post(
        "/api/v1/auth/login",
        json={"email": "nobody@school.example", "password": "not the password!"},
    )

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert (await login(client, known.email))["Authorization"].startswith("Bearer ")
