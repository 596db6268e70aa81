import asyncio

import httpx

from tests.support.factories import signed_in
from tests.support.school import enrol, make_course, make_lesson, make_term
from trust_lesson.models import Role
from trust_lesson.runtime import Runtime


async def test_an_instructor_creates_a_course_and_its_terms_are_numbered(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    course = await make_course(client, teacher, "Direção defensiva…")

    numbers = [(await make_term(client, teacher, course["id"]))["term_number"] for _ in range(3)]

    assert numbers == [0, 1, 2]
    read = await client.get(f"/api/v1/courses/{course['id']}", headers=teacher.headers)
    assert read.json() == {
        "id": course["id"],
        "name": "Direção defensiva…",
        "description": "",
        "terms_count": 3,
        "created_by_id": teacher.id,
    }


async def test_terms_created_at_the_same_time_get_distinct_numbers(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    course = await make_course(client, teacher)

    responses = await asyncio.gather(
        *(
            client.post(f"/api/v1/courses/{course['id']}/terms", json={}, headers=teacher.headers)
            for _ in range(5)
        )
    )

    assert {r.status_code for r in responses} == {201}
    assert sorted(r.json()["term_number"] for r in responses) == [0, 1, 2, 3, 4]


async def test_each_course_numbers_its_own_terms_from_zero(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await signed_in(client, runtime, Role.ADMIN)
    first = await make_course(client, admin, "First")
    second = await make_course(client, admin, "Second")
    await make_term(client, admin, first["id"])

    term = await make_term(client, admin, second["id"])

    assert term["term_number"] == 0
    assert term["status"] == "WAITING"


async def test_a_student_cannot_create_a_course(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    student = await signed_in(client, runtime, Role.STUDENT)

    response = await client.post("/api/v1/courses", json={"name": "Mine"}, headers=student.headers)

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


async def test_course_names_are_unique(client: httpx.AsyncClient, runtime: Runtime) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    await make_course(client, teacher, "Learn Python")

    again = await client.post(
        "/api/v1/courses", json={"name": "learn python"}, headers=teacher.headers
    )

    assert again.status_code == 409


async def test_an_instructor_renames_and_deletes_their_course(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    course = await make_course(client, teacher)
    await make_term(client, teacher, course["id"])
    url = f"/api/v1/courses/{course['id']}"

    renamed = await client.patch(
        url, json={"name": "Python", "description": "From zero"}, headers=teacher.headers
    )
    deleted = await client.delete(url, headers=teacher.headers)

    assert renamed.json()["name"] == "Python"
    assert renamed.json()["description"] == "From zero"
    assert deleted.status_code == 204
    assert (await client.get(url, headers=teacher.headers)).status_code == 404


async def test_extra_fields_are_refused(client: httpx.AsyncClient, runtime: Runtime) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    course = await make_course(client, teacher)

    response = await client.patch(
        f"/api/v1/courses/{course['id']}", json={"created_by_id": 1}, headers=teacher.headers
    )

    assert response.status_code == 422


async def test_a_term_is_changed_and_deleted_by_its_course_instructor(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    course = await make_course(client, teacher)
    term = await make_term(client, teacher, course["id"])
    url = f"/api/v1/terms/{term['id']}"

    changed = await client.patch(
        url,
        json={"status": "RUNNING", "start_date": "2026-03-01", "end_date": "2026-06-30"},
        headers=teacher.headers,
    )
    backwards = await client.patch(url, json={"end_date": "2026-02-01"}, headers=teacher.headers)
    deleted = await client.delete(url, headers=teacher.headers)

    assert changed.json()["status"] == "RUNNING"
    assert changed.json()["end_date"] == "2026-06-30"
    assert backwards.status_code == 422
    assert deleted.status_code == 204
    assert (await client.get(url, headers=teacher.headers)).status_code == 404


async def test_the_course_list_is_paginated(client: httpx.AsyncClient, runtime: Runtime) -> None:
    admin = await signed_in(client, runtime, Role.ADMIN)
    for number in range(5):
        await make_course(client, admin, f"Course {number}")

    page = await client.get("/api/v1/courses?limit=2&offset=2", headers=admin.headers)
    too_big = await client.get("/api/v1/courses?limit=1000000", headers=admin.headers)

    assert [c["name"] for c in page.json()] == ["Course 2", "Course 3"]
    assert too_big.status_code == 422


async def test_members_are_enrolled_listed_and_removed(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    student = await signed_in(client, runtime, Role.STUDENT)
    course = await make_course(client, teacher)
    term = await make_term(client, teacher, course["id"])
    url = f"/api/v1/terms/{term['id']}/members"

    await enrol(client, teacher, term["id"], student)
    twice = await client.post(url, json={"user_id": student.id}, headers=teacher.headers)
    listed = await client.get(url, headers=teacher.headers)
    removed = await client.delete(f"{url}/{student.id}", headers=teacher.headers)
    again = await client.delete(f"{url}/{student.id}", headers=teacher.headers)

    assert twice.status_code == 409
    assert listed.json() == [
        {
            "term_id": term["id"],
            "user_id": student.id,
            "role": "STUDENT",
            "username": student.user.username,
            "full_name": student.user.full_name,
        }
    ]
    assert removed.status_code == 204
    assert again.status_code == 404


async def test_a_student_account_cannot_be_enrolled_as_instructor(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await signed_in(client, runtime, Role.ADMIN)
    student = await signed_in(client, runtime, Role.STUDENT)
    course = await make_course(client, admin)
    term = await make_term(client, admin, course["id"])

    response = await client.post(
        f"/api/v1/terms/{term['id']}/members",
        json={"user_id": student.id, "role": "INSTRUCTOR"},
        headers=admin.headers,
    )
    unknown = await client.post(
        f"/api/v1/terms/{term['id']}/members", json={"user_id": 999999}, headers=admin.headers
    )

    assert response.status_code == 422
    assert unknown.status_code == 404


async def test_terms_and_courses_with_given_lessons_are_kept(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    course = await make_course(client, teacher)
    term = await make_term(client, teacher, course["id"])
    lesson = await make_lesson(client, teacher, term["id"])
    await client.post(f"/api/v1/lessons/{lesson['id']}/start", headers=teacher.headers)
    await client.post(f"/api/v1/lessons/{lesson['id']}/stop", headers=teacher.headers)

    responses = [
        await client.delete(f"/api/v1/lessons/{lesson['id']}", headers=teacher.headers),
        await client.delete(f"/api/v1/terms/{term['id']}", headers=teacher.headers),
        await client.delete(f"/api/v1/courses/{course['id']}", headers=teacher.headers),
    ]

    assert [r.status_code for r in responses] == [409, 409, 409]
    assert (
        await client.get(f"/api/v1/lessons/{lesson['id']}", headers=teacher.headers)
    ).status_code == 200


async def test_a_student_lists_only_their_terms_of_a_course(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    student = await signed_in(client, runtime, Role.STUDENT)
    course = await make_course(client, teacher)
    await make_term(client, teacher, course["id"])
    mine = await make_term(client, teacher, course["id"])
    await enrol(client, teacher, mine["id"], student)

    terms = await client.get(f"/api/v1/courses/{course['id']}/terms", headers=student.headers)

    assert [t["term_number"] for t in terms.json()] == [1]


async def test_text_the_database_cannot_hold_is_refused(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)

    response = await client.post(
        "/api/v1/courses", json={"name": "Learn\u0000Python"}, headers=teacher.headers
    )

    assert response.status_code == 422
