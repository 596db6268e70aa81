"""A big class on the lesson page and its decision history: a page of students at a time,
every student on exactly one page, and the count of the whole class said."""

import re

import httpx
from sqlalchemy import delete

from tests.support.clock import FakeClock
from tests.support.presence import Classroom, again, running_lesson
from trust_lesson.db import transaction
from trust_lesson.models import MemberRole, Role, TermMember, User
from trust_lesson.runtime import Runtime
from trust_lesson.web.paging import ROWS_PER_PAGE

CLASS_SIZE = ROWS_PER_PAGE + 1


async def big_class(client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock) -> Classroom:
    """A running lesson whose term has one student more than a page shows."""
    room = await running_lesson(client, runtime, clock, students=1)
    async with transaction(runtime.session_factory) as db:
        now = runtime.clock()
        pupils = [
            User(email=f"pupil{n}@school.example", username=f"pupil{n:03d}",
                 full_name=f"Pupil {n}", role=Role.STUDENT,
                 password_hash=room.students[0].user.password_hash,
                 created_at=now, updated_at=now)
            for n in range(CLASS_SIZE - 1)
        ]  # fmt: skip
        db.add_all(pupils)
        await db.flush()
        db.add_all(
            TermMember(term_id=room.term["id"], user_id=pupil.id, role=MemberRole.STUDENT)
            for pupil in pupils
        )
    return room


def students_on(page: str) -> list[str]:
    return re.findall(r'data-student-id="(\d+)"', page)


async def test_the_roster_of_a_big_class_comes_a_page_of_students_at_a_time(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    room = await big_class(client, runtime, clock)
    lesson = f"/lessons/{room.lesson_id}"
    headers = room.teacher.headers

    first = (await client.get(lesson, headers=headers)).text
    second = (await client.get(f"{lesson}?roster_page=2", headers=headers)).text
    refreshed = (await client.get(f"{lesson}/roster?roster_page=2", headers=headers)).text
    beyond = (await client.get(f"{lesson}?roster_page=9", headers=headers)).text

    assert len(students_on(first)) == ROWS_PER_PAGE
    assert len(students_on(second)) == 1
    assert len(set(students_on(first) + students_on(second))) == CLASS_SIZE
    assert f"{CLASS_SIZE} students" in first and f"{CLASS_SIZE} students" in second
    assert f'href="{lesson}?roster_page=2#roster-title">Next page</a>' in first
    assert f'href="{lesson}?roster_page=1#roster-title">Previous page</a>' in second
    assert f'data-src="{lesson}/roster?roster_page=2"' in second  # the refresh keeps the page
    assert students_on(refreshed) == students_on(second)
    assert students_on(beyond) == [] and "No students on this page" in beyond


async def test_every_students_decisions_are_on_one_page_of_the_history(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    room = await big_class(client, runtime, clock)
    lesson = f"/lessons/{room.lesson_id}"
    clock.advance(minutes=30)
    headers = await again(client, room.teacher)
    stopped = await client.post(f"/api/v1{lesson}/stop", headers=headers)

    first = (await client.get(f"{lesson}/history", headers=headers)).text
    second = (await client.get(f"{lesson}/history?roster_page=2", headers=headers)).text

    assert stopped.status_code == 200, stopped.text
    assert len(students_on(first)) == ROWS_PER_PAGE
    assert len(students_on(second)) == 1
    assert len(set(students_on(first) + students_on(second))) == CLASS_SIZE
    assert f'href="{lesson}/history?roster_page=2">Next page</a>' in first


async def test_a_class_of_one_is_one_student(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    room = await running_lesson(client, runtime, clock, students=1)

    page = (await client.get(f"/lessons/{room.lesson_id}", headers=room.teacher.headers)).text

    assert '<span data-students-total="1">1 student</span>' in page


async def test_a_student_unenrolled_after_the_lesson_keeps_their_decision_in_the_history(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    room = await running_lesson(client, runtime, clock, students=2)
    stays, leaves = room.students
    lesson = f"/lessons/{room.lesson_id}"
    clock.advance(minutes=30)
    headers = await again(client, room.teacher)
    stopped = await client.post(f"/api/v1{lesson}/stop", headers=headers)
    await unenrol(runtime, term_id=room.term["id"], user_id=leaves.id)

    history = (await client.get(f"{lesson}/history", headers=headers)).text
    page = (await client.get(lesson, headers=headers)).text

    assert stopped.status_code == 200, stopped.text
    assert sorted(students_on(history)) == sorted([str(stays.id), str(leaves.id)])
    assert str(leaves.id) in students_on(page)
    assert '<span data-students-total="2">2 students</span>' in page


async def unenrol(runtime: Runtime, *, term_id: int, user_id: int) -> None:
    async with transaction(runtime.session_factory) as db:
        await db.execute(
            delete(TermMember).where(TermMember.term_id == term_id, TermMember.user_id == user_id)
        )
