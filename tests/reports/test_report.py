"""GET /api/v1/terms/{id}/report: a term's attendance, lesson by lesson and student by student,
counting each student's current decision (the newest) in each lesson."""

import httpx

from tests.reports.stories import school_term, taught_term
from tests.support.clock import FakeClock
from tests.support.factories import signed_in
from tests.support.school import make_lesson
from trust_lesson.models import Role
from trust_lesson.runtime import Runtime

NONE = {"ATTENDED": 0, "PARTIAL": 0, "ABSENT": 0, "PENDING_REVIEW": 0}


def counts(**given: int) -> dict[str, int]:
    return {**NONE, **{name.upper(): number for name, number in given.items()}}


async def test_the_report_counts_each_lessons_current_decisions(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    school = await taught_term(client, runtime, clock)

    answer = await client.get(school.api, headers=await school.teacher_headers(client))

    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["term"]["id"] == school.term["id"]
    assert report["course"] == {"id": school.course["id"], "name": "Learn Python"}
    assert [(lesson["title"], lesson["status"]) for lesson in report["lessons"]] == [
        ("Variables", "FINISHED"), ("Loops", "FINISHED"), ("Functions", "WAITING"),
    ]  # fmt: skip
    assert [lesson["counts"] for lesson in report["lessons"]] == [
        counts(attended=2, partial=1),  # carla's ABSENT was marked ATTENDED since
        counts(attended=1, absent=1, pending_review=1),
        NONE,
    ]
    assert report["lessons"][0]["start_date"] == "2026-03-02T12:00:00Z"
    assert report["lessons_finished"] == 2
    assert report["counts"] == counts(attended=3, partial=1, absent=1, pending_review=1)


async def test_each_student_has_counts_a_rate_and_the_decision_of_each_lesson(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    school = await taught_term(client, runtime, clock)
    variables, loops, _ = (lesson["id"] for lesson in school.lessons)

    report = (await client.get(school.api, headers=await school.teacher_headers(client))).json()

    students = {student["username"]: student for student in report["students"]}
    assert list(students) == ["ana", "bruno", "carla"]  # bruno left, his decisions stay
    assert report["students_total"] == 3
    ana, bruno, carla = students.values()
    assert ana["user_id"] == school.students["ana"].id
    assert ana["full_name"] == school.students["ana"].user.full_name
    assert (ana["counts"], ana["decided"], ana["attendance_rate"]) == (counts(attended=2), 2, 1)
    assert bruno["counts"] == counts(partial=1, pending_review=1)
    assert bruno["attendance_rate"] == 0
    assert carla["counts"] == counts(attended=1, absent=1) and carla["attendance_rate"] == 0.5
    assert carla["decisions"] == [
        {"lesson_id": variables, "decision": "ATTENDED"},
        {"lesson_id": loops, "decision": "ABSENT"},
    ]


async def test_students_come_a_page_at_a_time_under_the_total(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    school = await taught_term(client, runtime, clock)
    headers = await school.teacher_headers(client)

    pages = [
        (await client.get(school.api, params=query, headers=headers)).json()
        for query in ({"limit": 2}, {"limit": 2, "offset": 2}, {"offset": 3})
    ]

    assert [[s["username"] for s in page["students"]] for page in pages] == [
        ["ana", "bruno"], ["carla"], [],
    ]  # fmt: skip
    assert {page["students_total"] for page in pages} == {3}
    assert all(len(page["lessons"]) == 3 for page in pages)  # every page counts every lesson


async def test_a_term_without_decisions_reports_its_students_undecided(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    school = await school_term(client, runtime, ["ana"])
    await make_lesson(client, school.teacher, school.term["id"], start=clock(), title="Soon")

    report = (await client.get(school.api, headers=school.teacher.headers)).json()

    assert report["lessons_finished"] == 0 and report["counts"] == NONE
    [ana] = report["students"]
    assert (ana["decided"], ana["attendance_rate"], ana["decisions"]) == (0, None, [])


async def test_only_the_courses_staff_see_the_report(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    """Its student is refused (403), anybody outside the course finds nothing (404, no data);
    the page refuses every student at once (403), as every staff page does."""
    school = await school_term(client, runtime, ["ana"])
    other = await school_term(client, runtime, ["zoe"], course="Another course")
    admin = await signed_in(client, runtime, Role.ADMIN)
    callers = {
        "the course's instructor": (school.teacher, 200),
        "an administrator": (admin, 200),
        "the term's student": (school.students["ana"], 403),
        "another course's instructor": (other.teacher, 404),
        "another course's student": (other.students["zoe"], 404),
    }

    for who, (person, expected) in callers.items():
        for url in (school.api, f"{school.api}?format=csv", school.page):
            answer = await client.get(url, headers=person.headers)
            student = person.user.role is Role.STUDENT
            wanted = 403 if student and url == school.page else expected
            assert answer.status_code == wanted, (who, url)
            if expected != 200:
                assert "Learn Python" not in answer.text and "user_id" not in answer.text
