"""A class for the student-side browser stories: an instructor, students, a lesson, via the API."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, BrowserContext, Page

from tests.support.factories import Person, login, make_user
from tests.support.live_server import LiveService
from tests.support.pages import PageAudit, new_context, sign_in
from tests.support.school import enrol, make_course, make_lesson, make_term
from trust_lesson.models import Role

FACES = Path("face_verification/face_recognition")


@dataclass
class Classroom:
    live: LiveService
    http: httpx.AsyncClient
    instructor: Person
    students: list[Person]
    lesson_id: int

    @property
    def room(self) -> str:
        return f"/lessons/{self.lesson_id}/room"

    async def start(self) -> None:
        url = f"/api/v1/lessons/{self.lesson_id}/start"
        started = await self.http.post(url, headers=self.instructor.headers)
        assert started.status_code == 200, started.text


ORDINARY_CHECKS = {"liveness_checks": "NONE"}


async def classroom(
    live: LiveService,
    http: httpx.AsyncClient,
    students: int,
    policy: dict[str, Any] = ORDINARY_CHECKS,
) -> Classroom:
    """A lesson planned now (not started) with `students` enrolled students; by default its
    course's checks are ordinary ones (one picture each), no head turn."""
    instructor = await _person(live, http, Role.INSTRUCTOR)
    course = await make_course(http, instructor, name=f"Driving theory {instructor.id}")
    stored = await http.put(
        f"/api/v1/courses/{course['id']}/policy", json=policy, headers=instructor.headers
    )
    assert stored.status_code == 200, stored.text
    term = await make_term(http, instructor, course["id"])
    people = [await _person(live, http, Role.STUDENT) for _ in range(students)]
    for person in people:
        await enrol(http, instructor, term["id"], person)
    lesson = await make_lesson(
        http, instructor, term["id"], start=live.clock.now, title="Right of way"
    )
    return Classroom(live, http, instructor, people, lesson["id"])


async def _person(live: LiveService, http: httpx.AsyncClient, role: Role) -> Person:
    user = await live.call(make_user(live.runtime, role))
    return Person(user=user, headers=await login(http, user.email))


@dataclass
class Browsers:
    """The contexts a story opened: closed at its end, so no held request outlives it."""

    live: LiveService
    audit: PageAudit
    contexts: list[BrowserContext] = field(default_factory=list)

    async def student_page(self, browser: Browser, student: Person) -> Page:
        """A page of its own browser context, signed in as the student."""
        return await self.page_of(browser, student)

    async def page_of(self, browser: Browser, person: Person) -> Page:
        """A page of its own browser context, signed in as the person (any role)."""
        context = await new_context(browser, self.live, self.audit)
        self.contexts.append(context)
        page = await context.new_page()
        await sign_in(page, person.user.email)
        return page

    async def close(self) -> None:
        for context in self.contexts:
            await context.close()
