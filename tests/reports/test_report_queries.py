"""The report costs the same number of database statements for any term: its JSON, its CSV
and its page, with one lesson and two students or three lessons and six."""

import httpx

from tests.reports.stories import give_lesson, school_term
from tests.support.clock import FakeClock
from tests.support.presence import ALL_VERIFIED
from tests.web.test_roster_queries import statements
from trust_lesson.runtime import Runtime


async def report_statements(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock, students: int, lessons: int
) -> list[int]:
    names = [f"s{runtime.clock():%d%H}{n:02d}" for n in range(students)]
    school = await school_term(client, runtime, names, course=f"Course of {names[0]}")
    for number in range(lessons):
        await give_lesson(client, runtime, clock, school, f"Lesson {number}",
                          {name: ALL_VERIFIED for name in names[::2]})  # fmt: skip
    headers = await school.teacher_headers(client)
    counts = []
    for url in (school.api, f"{school.api}?format=csv", school.page):
        with statements(runtime.engine.sync_engine) as seen:
            answer = await client.get(url, headers=headers)
        assert answer.status_code == 200, answer.text
        assert all(name in answer.text for name in names)
        counts.append(len(seen))
    return counts


async def test_the_report_does_not_ask_more_of_the_database_for_a_bigger_term(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    small = await report_statements(client, runtime, clock, students=2, lessons=1)
    large = await report_statements(client, runtime, clock, students=6, lessons=3)

    assert small == large
    # the session (two), the term, then the course, lessons, their counts, a page of
    # students, their decisions, the count of students
    assert max(small) <= 9
