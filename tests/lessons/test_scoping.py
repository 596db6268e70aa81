"""Who sees and changes what (R11/R12): out of scope is 404 with no data; visible is 403."""

import httpx

from tests.support.factories import signed_in
from tests.support.school import enrol, make_course, make_lesson, make_term
from trust_lesson.models import Role
from trust_lesson.runtime import Runtime


async def test_a_student_sees_only_their_own_terms_and_lessons(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    alice = await signed_in(client, runtime, Role.STUDENT)
    bob = await signed_in(client, runtime, Role.STUDENT)
    course = await make_course(client, teacher, "Secret course of Bob")
    alices_term = await make_term(
        client, teacher, (await make_course(client, teacher, "Alice's"))["id"]
    )
    bobs_term = await make_term(client, teacher, course["id"])
    await enrol(client, teacher, alices_term["id"], alice)
    await enrol(client, teacher, bobs_term["id"], bob)
    await make_lesson(client, teacher, alices_term["id"], title="Alice's lesson")
    bobs_lesson = await make_lesson(client, teacher, bobs_term["id"], title="Bob's lesson")

    courses = await client.get("/api/v1/courses", headers=alice.headers)
    lessons = await client.get("/api/v1/lessons", headers=alice.headers)
    filtered = await client.get(f"/api/v1/lessons?term_id={bobs_term['id']}", headers=alice.headers)

    assert [c["name"] for c in courses.json()] == ["Alice's"]
    assert [lesson["title"] for lesson in lessons.json()] == ["Alice's lesson"]
    assert filtered.json() == []
    for url in (
        f"/api/v1/courses/{course['id']}",
        f"/api/v1/courses/{course['id']}/terms",
        f"/api/v1/terms/{bobs_term['id']}",
        f"/api/v1/lessons/{bobs_lesson['id']}",
    ):
        response = await client.get(url, headers=alice.headers)
        assert response.status_code == 404, url
        assert "Bob" not in response.text


async def test_a_student_sees_their_term_but_may_not_change_it(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    student = await signed_in(client, runtime, Role.STUDENT)
    course = await make_course(client, teacher)
    term = await make_term(client, teacher, course["id"])
    await enrol(client, teacher, term["id"], student)
    lesson = await make_lesson(client, teacher, term["id"])

    assert (
        await client.get(f"/api/v1/terms/{term['id']}", headers=student.headers)
    ).status_code == 200
    assert (
        await client.get(f"/api/v1/lessons/{lesson['id']}", headers=student.headers)
    ).status_code == 200
    refused = [
        await client.patch(
            f"/api/v1/courses/{course['id']}", json={"name": "x"}, headers=student.headers
        ),
        await client.delete(f"/api/v1/terms/{term['id']}", headers=student.headers),
        await client.get(f"/api/v1/terms/{term['id']}/members", headers=student.headers),
        await client.post(
            f"/api/v1/courses/{course['id']}/terms", json={}, headers=student.headers
        ),
        await client.patch(
            f"/api/v1/lessons/{lesson['id']}", json={"title": "x"}, headers=student.headers
        ),
        await client.delete(f"/api/v1/lessons/{lesson['id']}", headers=student.headers),
        await client.post(
            "/api/v1/lessons",
            json={
                "term_id": term["id"],
                "title": "x",
                "start_date": "2026-03-02T10:00:00Z",
                "duration_min": 5,
            },
            headers=student.headers,
        ),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)


async def test_an_instructor_of_course_x_cannot_touch_course_y(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    x_teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    y_teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    student = await signed_in(client, runtime, Role.STUDENT)
    await make_course(client, x_teacher, "Course X")
    course_y = await make_course(client, y_teacher, "Course Y")
    term_y = await make_term(client, y_teacher, course_y["id"])
    lesson_y = await make_lesson(client, y_teacher, term_y["id"])
    headers = x_teacher.headers

    attempts = [
        await client.get(f"/api/v1/courses/{course_y['id']}", headers=headers),
        await client.patch(
            f"/api/v1/courses/{course_y['id']}", json={"name": "Mine"}, headers=headers
        ),
        await client.delete(f"/api/v1/courses/{course_y['id']}", headers=headers),
        await client.post(f"/api/v1/courses/{course_y['id']}/terms", json={}, headers=headers),
        await client.patch(
            f"/api/v1/terms/{term_y['id']}", json={"status": "FINISHED"}, headers=headers
        ),
        await client.post(
            f"/api/v1/terms/{term_y['id']}/members", json={"user_id": student.id}, headers=headers
        ),
        await client.delete(
            f"/api/v1/terms/{term_y['id']}/members/{y_teacher.id}", headers=headers
        ),
        await client.patch(
            f"/api/v1/lessons/{lesson_y['id']}", json={"title": "x"}, headers=headers
        ),
        await client.post(f"/api/v1/lessons/{lesson_y['id']}/start", headers=headers),
        await client.post(
            "/api/v1/lessons",
            json={
                "term_id": term_y["id"],
                "title": "x",
                "start_date": "2026-03-02T10:00:00Z",
                "duration_min": 5,
            },
            headers=headers,
        ),
    ]

    assert [r.status_code for r in attempts] == [404] * len(attempts)
    assert all("Course Y" not in r.text for r in attempts)
    assert [c["name"] for c in (await client.get("/api/v1/courses", headers=headers)).json()] == [
        "Course X"
    ]
    assert (await client.get("/api/v1/lessons", headers=headers)).json() == []
    assert (
        await client.get(f"/api/v1/courses/{course_y['id']}", headers=y_teacher.headers)
    ).json()["name"] == "Course Y"


async def test_an_instructor_enrolled_to_teach_manages_the_whole_course(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await signed_in(client, runtime, Role.ADMIN)
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    course = await make_course(client, admin)
    first = await make_term(client, admin, course["id"])
    await enrol(client, admin, first["id"], teacher, "INSTRUCTOR")

    second = await client.post(
        f"/api/v1/courses/{course['id']}/terms", json={}, headers=teacher.headers
    )
    lesson = await make_lesson(client, teacher, second.json()["id"])

    assert second.status_code == 201
    assert lesson["instructor_id"] == teacher.id
    assert len((await client.get("/api/v1/lessons", headers=teacher.headers)).json()) == 1


async def test_a_lesson_is_given_only_to_an_instructor_of_its_term(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    outsider = await signed_in(client, runtime, Role.INSTRUCTOR)
    term = await make_term(client, teacher, (await make_course(client, teacher))["id"])
    lesson = await make_lesson(client, teacher, term["id"])

    response = await client.patch(
        f"/api/v1/lessons/{lesson['id']}",
        json={"instructor_id": outsider.id},
        headers=teacher.headers,
    )

    assert response.status_code == 422
    assert "instructor_id" in response.json()["detail"]


async def test_admins_see_and_manage_everything(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    admin = await signed_in(client, runtime, Role.ADMIN)
    course = await make_course(client, teacher)
    term = await make_term(client, teacher, course["id"])
    lesson = await make_lesson(client, teacher, term["id"])

    renamed = await client.patch(
        f"/api/v1/lessons/{lesson['id']}", json={"title": "By the admin"}, headers=admin.headers
    )
    members = await client.get(f"/api/v1/terms/{term['id']}/members", headers=admin.headers)

    assert renamed.json()["title"] == "By the admin"
    assert members.status_code == 200
    assert len((await client.get("/api/v1/courses", headers=admin.headers)).json()) == 1
