"""Arrange a live lesson through the API: an instructor, enrolled students, a running lesson."""

import io
import random
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from PIL import Image
from sqlalchemy import func, select

from tests.support.clock import FakeClock
from tests.support.factories import Person, login, signed_in
from tests.support.school import enrol, make_course, make_lesson, make_term
from trust_lesson.db import transaction
from trust_lesson.models import Capture, Challenge, Course, Role
from trust_lesson.presence.verdicts import ChallengeKind
from trust_lesson.runtime import Runtime


@dataclass
class LiveLesson:
    instructor: Person
    students: list[Person]
    lesson_id: int
    term_id: int

    @property
    def student(self) -> Person:
        return self.students[0]

    def url(self, tail: str) -> str:
        return f"/api/v1/lessons/{self.lesson_id}/{tail}"


async def live_lesson(
    client: httpx.AsyncClient,
    runtime: Runtime,
    clock: FakeClock,
    *,
    students: int = 1,
    duration_min: int = 60,
    policy: dict[str, Any] | None = None,
    seed: int = 7,
    liveness_checks: str | None = "NONE",
) -> LiveLesson:
    """A lesson planned now and started, with enrolled students; the schedule is seeded.

    Its checks are ordinary ones (one picture each) unless ``liveness_checks`` says otherwise
    (None: the policy's, by default the entry check and one random check).
    """
    runtime.random = random.Random(seed)
    instructor = await signed_in(client, runtime, Role.INSTRUCTOR)
    course = await make_course(client, instructor, name=f"Course of {instructor.user.username}")
    if liveness_checks is not None:
        policy = {"liveness_checks": liveness_checks, **(policy or {})}
    if policy is not None:
        await _set_policy(runtime, course["id"], policy)
    term = await make_term(client, instructor, course["id"])
    people = [await signed_in(client, runtime) for _ in range(students)]
    for person in people:
        await enrol(client, instructor, term["id"], person)
    lesson = await make_lesson(
        client, instructor, term["id"], start=clock.now, duration_min=duration_min
    )
    started = await client.post(f"/api/v1/lessons/{lesson['id']}/start", headers=instructor.headers)
    assert started.status_code == 200, started.text
    return LiveLesson(instructor, people, lesson["id"], term["id"])


async def travel(
    client: httpx.AsyncClient, clock: FakeClock, when: datetime, *people: Person
) -> None:
    """Move the clock; the people sign in again (sessions expire after 30 idle minutes)."""
    clock.now = when
    for person in people:
        person.headers = await login(client, person.user.email)


async def _set_policy(runtime: Runtime, course_id: int, policy: dict[str, Any]) -> None:
    async with transaction(runtime.session_factory) as db:
        course = await db.get_one(Course, course_id)
        course.policy = policy


async def join(client: httpx.AsyncClient, live: LiveLesson, person: Person) -> dict[str, Any]:
    response = await client.post(live.url("join"), headers=person.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def upload(
    client: httpx.AsyncClient,
    live: LiveLesson,
    person: Person,
    challenge: dict[str, Any],
    picture: bytes,
    *,
    nonce: str | None = None,
    filename: str = "frame.jpg",
) -> httpx.Response:
    return await client.post(
        live.url("captures"),
        data={"challenge_id": str(challenge["id"]), "nonce": nonce or challenge["nonce"]},
        files={"image": (filename, picture, "image/jpeg")},
        headers=person.headers,
    )


async def upload_burst(
    client: httpx.AsyncClient,
    live: LiveLesson,
    person: Person,
    challenge: dict[str, Any],
    frames: list[bytes],
    *,
    image: bytes | None = None,
) -> httpx.Response:
    """A liveness check's answer: the frames as repeated `frames` parts, in order."""
    parts = [("frames", (f"frame{n}.jpg", frame, "image/jpeg")) for n, frame in enumerate(frames)]
    if image is not None:
        parts.append(("image", ("frame.jpg", image, "image/jpeg")))
    return await client.post(
        live.url("captures"),
        data={"challenge_id": str(challenge["id"]), "nonce": challenge["nonce"]},
        files=parts,
        headers=person.headers,
    )


async def planned(runtime: Runtime, live: LiveLesson, person: Person) -> list[Challenge]:
    """The student's schedule as the server keeps it (tests only: never shown by the API)."""
    async with transaction(runtime.session_factory) as db:
        query = (
            select(Challenge)
            .where(Challenge.lesson_id == live.lesson_id, Challenge.user_id == person.id)
            .order_by(Challenge.issued_at)
        )
        return list((await db.execute(query)).scalars())


def first_of(schedule: list[Challenge], kind: ChallengeKind) -> Challenge:
    return next(challenge for challenge in schedule if challenge.kind is kind)


async def capture_count(runtime: Runtime) -> int:
    async with transaction(runtime.session_factory) as db:
        return int(await db.scalar(select(func.count(Capture.id))) or 0)


async def load_capture(runtime: Runtime, capture_id: int) -> Capture:
    async with transaction(runtime.session_factory) as db:
        return await db.get_one(Capture, capture_id)


def stored_blobs(data_dir: Path) -> list[Path]:
    return [path for path in (data_dir / "blobs").rglob("*") if path.is_file()]


def small_jpeg(color: tuple[int, int, int] = (90, 120, 150), size: int = 64) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), color).save(buffer, "JPEG")
    return buffer.getvalue()


def picture_file(path: Path) -> bytes:
    """A real picture re-encoded as a webcam would send it (JPEG, at most 1280 px)."""
    image = Image.open(path).convert("RGB")
    image.thumbnail((1280, 1280))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()
