"""The instructor's roster costs the same number of database statements for any class size."""

import httpx

from tests.support.clock import FakeClock
from tests.support.presence import ALL_VERIFIED, add_timeline, running_lesson
from tests.support.statements import statements
from trust_lesson.runtime import Runtime


async def roster_statements(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock, students: int
) -> tuple[int, int]:
    room = await running_lesson(client, runtime, clock, students=students)
    for person in room.students:
        await add_timeline(
            runtime,
            lesson_id=room.lesson_id,
            user_id=person.id,
            start=room.started_at,
            verdicts=ALL_VERIFIED[:3],
        )
    clock.advance(minutes=11)  # all three checks issued
    counts = []
    for path in (f"/lessons/{room.lesson_id}", f"/lessons/{room.lesson_id}/roster"):
        with statements(runtime.engine.sync_engine) as seen:
            answer = await client.get(path, headers=room.teacher.headers)
        assert answer.status_code == 200
        assert answer.text.count("data-student-id") == students
        assert answer.text.count('data-verdict="VERIFIED"') == 3 * students
        counts.append(len(seen))
    return counts[0], counts[1]


async def test_the_roster_does_not_ask_more_of_the_database_for_a_bigger_class(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    small = await roster_statements(client, runtime, clock, students=2)
    large = await roster_statements(client, runtime, clock, students=12)

    assert small == large
    assert small[0] <= 7  # session, lesson, a page of students, their checks, the class's count
