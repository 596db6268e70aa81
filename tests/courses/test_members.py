"""A term's members through the API: a role changed by enrolment's own rule, and an
instructor who teaches the term's lessons to come kept in it as one."""

import httpx

from tests.support.factories import signed_in
from tests.support.school import enrol, make_course, make_lesson, make_term
from trust_lesson.models import Role
from trust_lesson.runtime import Runtime


async def test_a_members_role_changes_by_enrolments_rule(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    colleague = await signed_in(client, runtime, Role.INSTRUCTOR)
    student = await signed_in(client, runtime, Role.STUDENT)
    course = await make_course(client, teacher)
    term = await make_term(client, teacher, course["id"])
    url = f"/api/v1/terms/{term['id']}/members"
    await enrol(client, teacher, term["id"], colleague)
    await enrol(client, teacher, term["id"], student)

    promoted = await client.patch(
        f"{url}/{colleague.id}", json={"role": "INSTRUCTOR"}, headers=teacher.headers
    )
    again = await client.patch(
        f"{url}/{colleague.id}", json={"role": "INSTRUCTOR"}, headers=teacher.headers
    )
    refused = await client.patch(
        f"{url}/{student.id}", json={"role": "INSTRUCTOR"}, headers=teacher.headers
    )
    stranger = await client.patch(
        f"{url}/{teacher.id}", json={"role": "STUDENT"}, headers=teacher.headers
    )
    extra = await client.patch(
        f"{url}/{student.id}", json={"role": "STUDENT", "term_id": 1}, headers=teacher.headers
    )

    assert (promoted.status_code, promoted.json()["role"]) == (200, "INSTRUCTOR")
    assert (again.status_code, again.json()["role"]) == (200, "INSTRUCTOR")
    assert refused.status_code == 422
    assert "a student account cannot teach a term" in refused.json()["detail"]
    assert stranger.status_code == 404
    assert extra.status_code == 422
    listed = await client.get(url, headers=teacher.headers)
    assert {m["user_id"]: m["role"] for m in listed.json()} == {
        colleague.id: "INSTRUCTOR", student.id: "STUDENT",
    }  # fmt: skip


async def test_an_instructor_with_lessons_to_come_stays_until_they_are_given_away(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    colleague = await signed_in(client, runtime, Role.INSTRUCTOR)
    course = await make_course(client, teacher)
    term = await make_term(client, teacher, course["id"])
    url = f"/api/v1/terms/{term['id']}/members/{colleague.id}"
    await enrol(client, teacher, term["id"], colleague, role="INSTRUCTOR")
    lesson = await make_lesson(client, teacher, term["id"], given_to=colleague)

    removed = await client.delete(url, headers=teacher.headers)
    demoted = await client.patch(url, json={"role": "STUDENT"}, headers=teacher.headers)
    await client.patch(
        f"/api/v1/lessons/{lesson['id']}", json={"instructor_id": teacher.id},
        headers=teacher.headers,
    )  # fmt: skip
    removed_after = await client.delete(url, headers=teacher.headers)

    assert removed.status_code == demoted.status_code == 409
    assert "teaches lessons of the term still to come" in removed.json()["detail"]
    assert "before they are made a student of the term" in demoted.json()["detail"]
    assert removed_after.status_code == 204


async def test_a_term_that_would_end_before_it_starts_is_refused_beside_end_date(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    course = await make_course(client, teacher)
    term = await make_term(client, teacher, course["id"])
    url = f"/api/v1/terms/{term['id']}"
    await client.patch(url, json={"start_date": "2026-03-01"}, headers=teacher.headers)

    both = await client.patch(
        url, json={"start_date": "2026-03-10", "end_date": "2026-03-09"}, headers=teacher.headers
    )
    end_only = await client.patch(url, json={"end_date": "2026-02-28"}, headers=teacher.headers)
    kept = await client.get(url, headers=teacher.headers)

    assert both.status_code == end_only.status_code == 422
    assert "end_date" in both.text and "must not be before the start date" in both.text
    assert end_only.json()["detail"] == "end_date: must not be before the start date."
    assert (kept.json()["start_date"], kept.json()["end_date"]) == ("2026-03-01", None)
