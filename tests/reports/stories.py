"""Arrange a term to report on: students, lessons given and stopped through the API, decisions.

`taught_term` is the story most report tests tell: ana, bruno and carla enrolled (and a
co-instructor, who is no student), three lessons:
- Monday: ana ATTENDED, bruno PARTIAL, carla ABSENT, then marked ATTENDED by the instructor
  (two decisions kept: the newer one is current);
- Tuesday: ana ATTENDED, bruno PENDING_REVIEW (a check waits for a reviewer), carla ABSENT;
  then bruno leaves the term (his decisions keep him in the report);
- Wednesday: planned for next week, not given yet.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

from tests.support.clock import FakeClock
from tests.support.factories import Person, signed_in
from tests.support.presence import ALL_VERIFIED, add_timeline, again
from tests.support.school import enrol, make_course, make_lesson, make_term
from trust_lesson.models import Role
from trust_lesson.presence.verdicts import Verdict
from trust_lesson.runtime import Runtime

V, W, M, R = Verdict.VERIFIED, Verdict.WRONG_PERSON, Verdict.MISSED, Verdict.NEEDS_REVIEW
SEVEN_OF_TEN = (V, V, W, V, V, M, V, W, V, V)
ONE_TO_REVIEW = (V, V, V, V, R, V, V, V, V, V)


@dataclass
class ReportedTerm:
    teacher: Person
    students: dict[str, Person]
    course: dict[str, Any]
    term: dict[str, Any]
    lessons: list[dict[str, Any]]

    @property
    def api(self) -> str:
        return f"/api/v1/terms/{self.term['id']}/report"

    @property
    def page(self) -> str:
        return f"/admin/terms/{self.term['id']}/report"

    async def teacher_headers(self, client: httpx.AsyncClient) -> dict[str, str]:
        """Fresh ones, kept: the teacher's session went idle while the clock moved on."""
        self.teacher.headers = await again(client, self.teacher)
        return self.teacher.headers


async def school_term(
    client: httpx.AsyncClient, runtime: Runtime, names: list[str], course: str = "Learn Python"
) -> ReportedTerm:
    """A course with one term and a student enrolled for each name (its username)."""
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    made = await make_course(client, teacher, course)
    term = await make_term(client, teacher, made["id"])
    students = {name: await signed_in(client, runtime, name=name) for name in names}
    for person in students.values():
        await enrol(client, teacher, term["id"], person)
    return ReportedTerm(teacher, students, made, term, [])


async def give_lesson(
    client: httpx.AsyncClient,
    runtime: Runtime,
    clock: FakeClock,
    school: ReportedTerm,
    title: str,
    checks: dict[str, tuple[Verdict, ...]],
) -> dict[str, Any]:
    """A lesson planned now, started, the students' checks as given, stopped 50 minutes later
    (which decides every enrolled student); the clock then moves to the next day."""
    headers = await school.teacher_headers(client)
    lesson = await make_lesson(
        client, school.teacher, school.term["id"], start=clock(), title=title
    )
    started = await client.post(f"/api/v1/lessons/{lesson['id']}/start", headers=headers)
    assert started.status_code == 200, started.text
    for name, verdicts in checks.items():
        await add_timeline(
            runtime, lesson_id=lesson["id"], user_id=school.students[name].id, start=clock(),
            verdicts=verdicts,
        )  # fmt: skip
    clock.advance(minutes=50)
    headers = await school.teacher_headers(client)
    stopped = await client.post(f"/api/v1/lessons/{lesson['id']}/stop", headers=headers)
    assert stopped.status_code == 200, stopped.text
    clock.advance(days=1, minutes=-50)
    school.lessons.append(lesson)
    return lesson


async def mark(
    client: httpx.AsyncClient, school: ReportedTerm, lesson: dict[str, Any], name: str, how: str
) -> None:
    url = f"/api/v1/lessons/{lesson['id']}/attendance/{school.students[name].id}"
    marked = await client.post(
        url,
        json={"decision": how, "reason": "seen in the video call"},
        headers=await school.teacher_headers(client),
    )
    assert marked.status_code == 201, marked.text


async def taught_term(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> ReportedTerm:
    school = await school_term(client, runtime, ["ana", "bruno", "carla"])
    colleague = await signed_in(client, runtime, Role.INSTRUCTOR)
    await enrol(client, school.teacher, school.term["id"], colleague, "INSTRUCTOR")
    monday = await give_lesson(
        client, runtime, clock, school, "Variables", {"ana": ALL_VERIFIED, "bruno": SEVEN_OF_TEN}
    )
    await mark(client, school, monday, "carla", "ATTENDED")
    await give_lesson(
        client, runtime, clock, school, "Loops", {"ana": ALL_VERIFIED, "bruno": ONE_TO_REVIEW}
    )
    headers = await school.teacher_headers(client)
    left = await client.delete(
        f"/api/v1/terms/{school.term['id']}/members/{school.students['bruno'].id}",
        headers=headers,
    )
    assert left.status_code == 204, left.text
    school.lessons.append(
        await make_lesson(
            client, school.teacher, school.term["id"], start=clock() + timedelta(days=7),
            title="Functions",
        )
    )  # fmt: skip
    return school
