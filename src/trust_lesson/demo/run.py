"""`trust-lesson demo`: a whole lesson, played in a few minutes through the real API and worker.

1. Starts the service on the embedded default in its own data dir (SQLite, local pictures, the
   worker in-process) on a free 127.0.0.1 port, and creates the first administrator.
2. Through the HTTP API: an instructor, three students with real faces (consent and face
   enrolment with their selfies), a course whose policy is PRODUCT.md's compressed to the
   lesson's length, a term, the enrolments, and a lesson that the instructor starts.
3. Plays the lesson (``play.py``): one student present throughout, one replaced by another
   person halfway, one who never answers; a line per event.
4. Stops the lesson and prints the attendance table with the reasons.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx

from trust_lesson.demo import school as api
from trust_lesson.demo.pictures import Person, demo_people
from trust_lesson.demo.play import Stage, play_lesson
from trust_lesson.demo.report import Row, attendance_rows, table
from trust_lesson.demo.server import prepare, running_service
from trust_lesson.settings import Environment, Settings

ROLES = ("present", "replaced", "silent")
Say = Callable[[str], None]


@dataclass(frozen=True)
class DemoOutcome:
    rows: list[Row]
    lesson_id: int
    data_dir: Path

    @property
    def as_expected(self) -> bool:
        return len(self.rows) == len(ROLES) and all(row.as_expected for row in self.rows)


def demo_settings(data_dir: Path) -> Settings:
    """The embedded default, whatever TL_ variables say: this data dir, SQLite, no Redis."""
    return Settings(
        env=Environment.LOCAL,
        data_dir=data_dir,
        database_url=None,
        redis_url=None,
        blob_url=None,
        embedded_worker=True,
    )


def run_demo(data_dir: Path, minutes: int, say: Say = print) -> DemoOutcome:
    people = demo_people()
    tag = secrets.token_hex(3)
    say(f"Trust Lesson demo: a {minutes}-minute lesson, data in {data_dir.resolve()}")
    for role, person in zip((*ROLES, "stand-in"), people, strict=True):
        say(f"  {role:<9} {person.display_name}: {len(person.photos)} photos from {person.source}")
    settings = demo_settings(data_dir)
    admin_email, admin_password = f"admin.{tag}@demo.example", secrets.token_urlsafe(18)
    prepare(settings, admin_email=admin_email, admin_password=admin_password)
    with running_service(settings) as service:
        say(f"service on {service.base_url} (embedded worker)")
        rows, lesson_id = asyncio.run(
            _story(service.base_url, (admin_email, admin_password), people, minutes, tag, say)
        )
    say("")
    say(table(rows))
    return DemoOutcome(rows=rows, lesson_id=lesson_id, data_dir=data_dir)


async def _story(
    base_url: str,
    admin_login: tuple[str, str],
    people: list[Person],
    minutes: int,
    tag: str,
    say: Say,
) -> tuple[list[Row], int]:
    async with httpx.AsyncClient(base_url=base_url, timeout=90) as http:
        school = await _set_up(http, admin_login, people, minutes, tag, say)
        halfway = school.started_at + timedelta(minutes=minutes / 2)
        stage = Stage(school=school, halfway=halfway, say=say)
        plays = await play_lesson(http, stage)
        url = f"{api.API}/lessons/{school.lesson_id}/stop"
        api.checked(await http.post(url, headers=school.instructor.headers))
        stage.log("instructor", "stopped the lesson")
        return await attendance_rows(http, school, plays), school.lesson_id


async def _set_up(
    http: httpx.AsyncClient,
    admin_login: tuple[str, str],
    people: list[Person],
    minutes: int,
    tag: str,
    say: Say,
) -> api.School:
    admin = await api.sign_in(http, *admin_login)
    instructor = await api.create_person(
        http, admin, username=f"instructor.{tag}", full_name="Ines Instructor", role="INSTRUCTOR"
    )
    course_id, term_id = await api.make_course(http, instructor, minutes, tag)
    say(f"course {course_id}, term {term_id}; policy {api.demo_policy(minutes)}")
    students = []
    for number, (role, person) in enumerate(zip(ROLES, people, strict=False), start=1):
        username = f"student{number}.{tag}"
        account = await api.create_person(
            http, admin, username=username, full_name=person.display_name, role="STUDENT"
        )
        await api.enrol(http, instructor, term_id, account)
        templates = await api.enrol_face(http, account, person)
        say(f"{account.full_name}: enrolled in the term, consent given, {templates} face templates")
        stand_in = people[len(ROLES)] if role == "replaced" else None
        students.append(api.Student(account, person, role, stand_in))
    lesson_id, started_at = await api.start_lesson(http, instructor, term_id, minutes)
    say(f"lesson {lesson_id} started at {started_at:%H:%M:%S} UTC, planned for {minutes} min")
    return api.School(instructor, students, course_id, term_id, lesson_id, started_at)
