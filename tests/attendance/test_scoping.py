"""Who sees and changes what (R11, R12): students are refused staff routes (403), other
courses' instructors find nothing (404, no data), students read only their own attendance."""

import httpx

from tests.support.clock import FakeClock
from tests.support.factories import Person, signed_in
from tests.support.presence import Classroom, add_timeline, running_lesson
from tests.support.school import enrol
from trust_lesson.models import Role
from trust_lesson.presence.verdicts import Verdict
from trust_lesson.runtime import Runtime

REVIEW = {"decision": "VERIFIED", "reason": "checked by hand"}


async def _given_lesson(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> tuple[Classroom, int]:
    room = await running_lesson(client, runtime, clock, students=2, course_name="Secret Course")
    checks = await add_timeline(
        runtime,
        lesson_id=room.lesson_id,
        user_id=room.students[0].id,
        start=clock(),
        verdicts=(Verdict.VERIFIED, Verdict.NEEDS_REVIEW),
    )
    clock.advance(minutes=6)
    await client.post(f"{room.url}/stop", headers=room.teacher.headers)
    assert checks[1].capture_id is not None
    return room, checks[1].capture_id


async def _calls(
    client: httpx.AsyncClient, room: Classroom, capture_id: int, who: Person
) -> dict[str, httpx.Response]:
    policy = f"/api/v1/courses/{room.course['id']}/policy"
    headers = who.headers
    return {
        "roster": await client.get(f"{room.url}/roster", headers=headers),
        "attendance": await client.get(f"{room.url}/attendance", headers=headers),
        "history": await client.get(f"{room.url}/attendance?history=true", headers=headers),
        "reviews": await client.get("/api/v1/reviews", headers=headers),
        "review": await client.post(
            f"/api/v1/captures/{capture_id}/review", json=REVIEW, headers=headers
        ),
        "read policy": await client.get(policy, headers=headers),
        "set policy": await client.put(policy, json={}, headers=headers),
        "reset policy": await client.delete(policy, headers=headers),
    }


async def test_a_student_of_the_course_reads_only_their_own_attendance_and_the_policy(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    room, capture_id = await _given_lesson(client, runtime, clock)
    first, second = room.students

    answers = await _calls(client, room, capture_id, first)
    others = await _calls(client, room, capture_id, second)

    assert {name: answer.status_code for name, answer in answers.items()} == {
        "roster": 403,
        "attendance": 200,
        "history": 200,
        "reviews": 403,
        "review": 403,
        "read policy": 200,
        "set policy": 403,
        "reset policy": 403,
    }
    assert {row["user_id"] for row in answers["attendance"].json()} == {first.id}
    assert {row["user_id"] for row in answers["history"].json()} == {first.id}
    assert {row["user_id"] for row in others["attendance"].json()} == {second.id}


async def test_an_instructor_of_another_course_finds_nothing(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    room, capture_id = await _given_lesson(client, runtime, clock)
    stranger = await signed_in(client, runtime, Role.INSTRUCTOR)

    answers = await _calls(client, room, capture_id, stranger)

    assert {name: answer.status_code for name, answer in answers.items()} == {
        "roster": 404,
        "attendance": 404,
        "history": 404,
        "reviews": 200,
        "review": 404,
        "read policy": 404,
        "set policy": 404,
        "reset policy": 404,
    }
    assert answers["reviews"].json() == []
    for name, answer in answers.items():
        assert "Secret Course" not in answer.text, name
        assert room.lesson["title"] not in answer.text or name == "reviews", name


async def test_a_student_of_another_course_is_refused_or_finds_nothing(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    room, capture_id = await _given_lesson(client, runtime, clock)
    outsider = await signed_in(client, runtime, Role.STUDENT)

    answers = await _calls(client, room, capture_id, outsider)

    assert {name: answer.status_code for name, answer in answers.items()} == {
        "roster": 403,
        "attendance": 404,
        "history": 404,
        "reviews": 403,
        "review": 403,
        "read policy": 404,
        "set policy": 403,
        "reset policy": 403,
    }


async def test_the_lessons_instructor_a_co_instructor_and_an_admin_see_everything(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    room, capture_id = await _given_lesson(client, runtime, clock)
    colleague = await signed_in(client, runtime, Role.INSTRUCTOR)
    await enrol(client, room.teacher, room.term["id"], colleague, role="INSTRUCTOR")
    admin = await signed_in(client, runtime, Role.ADMIN)

    for person in (room.teacher, colleague, admin):
        answers = await _calls(client, room, capture_id, person)
        statuses = {name: answer.status_code for name, answer in answers.items()}
        assert statuses == {
            "roster": 200,
            "attendance": 200,
            "history": 200,
            "reviews": 200,
            "review": 201,
            "read policy": 200,
            "set policy": 200,
            "reset policy": 200,
        }, person.user.username
        assert len(answers["roster"].json()) == 2
        assert {row["user_id"] for row in answers["attendance"].json()} == {
            student.id for student in room.students
        }
