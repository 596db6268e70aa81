"""Issue 8/9: instructors enrol people by email; an id tells nothing about accounts out of sight."""

import httpx
import pytest

from tests.support.factories import Person, make_user, signed_in
from tests.support.school import make_course, make_term
from trust_lesson.models import Role
from trust_lesson.runtime import Runtime


@pytest.fixture
async def teacher(client: httpx.AsyncClient, runtime: Runtime) -> Person:
    return await signed_in(client, runtime, Role.INSTRUCTOR)


async def own_term(client: httpx.AsyncClient, teacher: Person, name: str = "Learn Python") -> str:
    course = await make_course(client, teacher, name)
    term = await make_term(client, teacher, course["id"])
    return f"/api/v1/terms/{term['id']}/members"


async def test_an_instructor_enrols_a_student_by_email(
    client: httpx.AsyncClient, runtime: Runtime, teacher: Person
) -> None:
    student = await make_user(runtime)
    url = await own_term(client, teacher)

    response = await client.post(
        url, json={"email": student.email.upper()}, headers=teacher.headers
    )

    assert response.status_code == 201
    assert response.json()["user_id"] == student.id and response.json()["role"] == "STUDENT"


async def test_ids_out_of_sight_answer_like_unknown_ids_and_disclose_no_name(
    client: httpx.AsyncClient, runtime: Runtime, teacher: Person
) -> None:
    admin = await make_user(runtime, Role.ADMIN)
    stranger = await make_user(runtime)
    url = await own_term(client, teacher)

    answers = [
        await client.post(url, json={"user_id": someone}, headers=teacher.headers)
        for someone in (admin.id, stranger.id, 999_999)
    ]

    assert {a.status_code for a in answers} == {404}
    assert len({a.text for a in answers}) == 1  # the same answer: nothing to tell them apart
    for person in (admin, stranger):
        assert person.username not in answers[0].text and person.full_name not in answers[0].text


async def test_an_id_is_accepted_for_a_person_of_the_instructors_own_courses(
    client: httpx.AsyncClient, runtime: Runtime, teacher: Person
) -> None:
    student = await signed_in(client, runtime)
    first = await own_term(client, teacher)
    await client.post(first, json={"email": student.user.email}, headers=teacher.headers)
    second = await own_term(client, teacher, "Learn more Python")

    response = await client.post(second, json={"user_id": student.id}, headers=teacher.headers)

    assert response.status_code == 201


async def test_roles_that_make_no_sense_are_refused(
    client: httpx.AsyncClient, runtime: Runtime, teacher: Person
) -> None:
    admin = await signed_in(client, runtime, Role.ADMIN)
    other_admin = await make_user(runtime, Role.ADMIN)
    student = await make_user(runtime)
    url = await own_term(client, teacher)

    admin_as_student = await client.post(
        url, json={"email": other_admin.email}, headers=teacher.headers
    )
    by_admin = await client.post(url, json={"user_id": other_admin.id}, headers=admin.headers)
    student_teaching = await client.post(
        url, json={"email": student.email, "role": "INSTRUCTOR"}, headers=teacher.headers
    )

    assert admin_as_student.status_code == by_admin.status_code == 422
    assert "administrator account cannot be enrolled as a student" in by_admin.json()["detail"]
    assert student_teaching.status_code == 422


@pytest.mark.parametrize(
    "body",
    [{}, {"email": "a@school.example", "user_id": 1}, {"email": "not an email"}],
    ids=["neither", "both", "bad email"],
)
async def test_exactly_one_way_of_naming_the_person(
    client: httpx.AsyncClient, teacher: Person, body: dict[str, object]
) -> None:
    url = await own_term(client, teacher)

    response = await client.post(url, json=body, headers=teacher.headers)

    assert response.status_code == 422


async def test_an_unknown_email_says_the_person_registers_first(
    client: httpx.AsyncClient, teacher: Person
) -> None:
    url = await own_term(client, teacher)

    response = await client.post(url, json={"email": "new@school.example"}, headers=teacher.headers)

    assert response.status_code == 404
    assert "registers first" in response.json()["detail"]
