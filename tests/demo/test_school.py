"""The demo's school set-up through the API: a data dir holds every earlier run's school."""

import httpx

from tests.support.factories import signed_in
from trust_lesson.demo.school import Account, make_course
from trust_lesson.models import Role
from trust_lesson.runtime import Runtime


async def test_each_demo_run_gets_a_course_of_its_own_in_the_same_school(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """Course names are unique; a second `trust-lesson demo` in the same data dir stopped with
    409 "A course with this name already exists" before the course took the run's tag."""
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    token = teacher.headers["Authorization"].removeprefix("Bearer ")
    instructor = Account(teacher.user.id, teacher.user.email, teacher.user.full_name, token)

    first = await make_course(client, instructor, 3, "a1b2c3")
    second = await make_course(client, instructor, 3, "d4e5f6")

    assert first != second
    courses = (await client.get("/api/v1/courses", headers=teacher.headers)).json()
    names = sorted(course["name"] for course in courses)
    assert names == ["Defensive driving (demo a1b2c3)", "Defensive driving (demo d4e5f6)"]
