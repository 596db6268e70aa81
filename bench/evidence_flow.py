"""What the evidence log adds to a real capture upload and a real verdict (bench/evidence.py).

The service runs in this process (the app and its runtime, no embedded worker): students of a
running lesson upload fresh 640x480 JPEGs of real faces through `POST
/api/v1/lessons/{id}/captures` (authentication, multipart, decode and re-encode, the stored
picture, the capture row: the whole request), then each capture is judged by the verdict
task itself (`run_verdict`: read, vision work, the verdict written). Uploads and verdicts
alternate one by one between the code as it is and the same code with the evidence append
replaced by nothing, so both modes see the same machine load; medians of each. The verdict's
write transaction (`save_verdict`, where its log entry is appended) is timed on its own too:
against ~70 ms of vision work the log's share of a whole verdict is below the noise.
"""

from __future__ import annotations

import secrets
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from asgi_lifespan import LifespanManager

from capacity_db import add_faces
from capacity_setup import Face
from trust_lesson.app import create_app
from trust_lesson.auth.passwords import hash_password
from trust_lesson.db import transaction
from trust_lesson.evidence import events
from trust_lesson.evidence.log import EvidenceKind
from trust_lesson.models import (
    Challenge,
    ChallengeStatus,
    Course,
    EvidenceEntry,
    Lesson,
    LessonStatus,
    MemberRole,
    PresenceSession,
    Role,
    Term,
    TermMember,
    TermStatus,
    User,
)
from trust_lesson.presence import tasks
from trust_lesson.presence.verdicts import ChallengeKind
from trust_lesson.runtime import Runtime
from trust_lesson.settings import Settings

PASSWORD = secrets.token_urlsafe(18)
MODES = ("without the log", "with the log")
WARM_UP = 2
"""The first uploads and verdicts (one per mode) fill caches and pools: not counted."""


Samples = dict[str, list[tuple[float, float]]]
"""(wall ms, CPU ms of this process) per operation, by mode."""


def _samples() -> Samples:
    return {mode: [] for mode in MODES}


class Stopwatch:
    """Wall time and this process's CPU time (every thread: decoding, vision, the loop)."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def read(self) -> tuple[float, float]:
        wall, cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu
        return wall * 1000, cpu * 1000


@dataclass
class Timings:
    upload: Samples = field(default_factory=_samples)
    verdict: Samples = field(default_factory=_samples)
    write: Samples = field(default_factory=_samples)
    verdicts: dict[str, int] = field(default_factory=dict)

    def rows(self, database: str) -> list[str]:
        named = (
            ("capture upload (whole request)", self.upload),
            ("verdict (whole task)", self.verdict),
            ("verdict's write transaction", self.write),
        )
        return [_row(database, name, samples) for name, samples in named]


def _row(database: str, name: str, samples: Samples) -> str:
    """Medians: wall (CPU) without, with, and the difference."""
    wall = [statistics.median(w for w, _ in samples[mode]) for mode in MODES]
    cpu = [statistics.median(c for _, c in samples[mode]) for mode in MODES]
    return (
        f"| {database} | {name} | {wall[0]:.1f} ({cpu[0]:.1f}) ms | {wall[1]:.1f} ({cpu[1]:.1f}) "
        f"ms | {wall[1] - wall[0]:+.1f} ({cpu[1] - cpu[0]:+.1f}) ms | {len(samples[MODES[0]])} "
        f"+ {len(samples[MODES[1]])} |"
    )


async def _no_entry(*args: Any, **kwargs: Any) -> None:
    """The evidence append, replaced by nothing: the same code without the log."""


@contextmanager
def log_mode(mode: str) -> Iterator[None]:
    if mode == MODES[1]:
        yield
        return
    kept = events.append
    events.append = _no_entry  # type: ignore[assignment]
    try:
        yield
    finally:
        events.append = kept


@dataclass(frozen=True)
class Student:
    user_id: int
    headers: dict[str, str]
    face: Face
    challenges: list[tuple[int, str]]


async def measure(
    folder: Path, database_url: str, redis_url: str | None, pool: list[Face], count: int
) -> Timings:
    """``count`` uploads and ``count`` verdicts, alternating the two modes."""
    settings = Settings(
        env="test",
        data_dir=folder,
        database_url=database_url,
        redis_url=redis_url,
        embedded_worker=False,
    )
    app = create_app(settings)
    timings = Timings()
    async with LifespanManager(app):
        runtime: Runtime = app.state.runtime
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            total = count + WARM_UP
            lesson_id, students = await _seed(runtime, http, pool, -(-total // len(pool)))
            captures = await _uploads(http, lesson_id, students, total, timings)
        _verdicts(runtime, captures, len(students), timings)
        await _check_entries(runtime, logged=len(captures) // 2)
    return timings


async def _check_entries(runtime: Runtime, *, logged: int) -> None:
    """Exactly the uploads and verdicts run with the log left an entry each."""
    query = sa.select(EvidenceEntry.kind, sa.func.count()).group_by(EvidenceEntry.kind)
    async with transaction(runtime.session_factory) as db:
        found = dict((await db.execute(query)).tuples().all())
    for kind in (EvidenceKind.CAPTURE_RECEIVED, EvidenceKind.CAPTURE_JUDGED):
        if found.get(kind.value, 0) != logged:
            raise RuntimeError(f"{kind.value}: {found.get(kind.value, 0)} entries, not {logged}")


async def _uploads(
    http: httpx.AsyncClient, lesson_id: int, students: list[Student], count: int, timings: Timings
) -> list[int]:
    captures: list[int] = []
    for number in range(count):
        student = students[number % len(students)]
        challenge_id, nonce = student.challenges[number // len(students)]
        picture = student.face.frames[number // len(students) % len(student.face.frames)]
        mode = _mode(number, len(students))

        with log_mode(mode):
            watch = Stopwatch()
            answer = await http.post(
                f"/api/v1/lessons/{lesson_id}/captures",
                data={"challenge_id": str(challenge_id), "nonce": nonce},
                files={"image": ("frame.jpg", picture, "image/jpeg")},
                headers=student.headers,
            )
            elapsed = watch.read()
        if answer.status_code != 202:
            raise RuntimeError(f"upload refused: {answer.status_code} {answer.text}")
        if number >= WARM_UP:
            timings.upload[mode].append(elapsed)
        captures.append(int(answer.json()["capture_id"]))
    return captures


def _mode(number: int, students: int) -> str:
    """Alternating one by one, and each student's turns alternating too (0 1 0 1, 1 0 1 0)."""
    return MODES[(number + number // students) % 2]


def _verdicts(runtime: Runtime, captures: list[int], students: int, timings: Timings) -> None:
    real_save = tasks.save_verdict
    writes: list[tuple[float, float]] = []

    async def timed_save(*args: Any) -> bool:
        watch = Stopwatch()
        try:
            return await real_save(*args)
        finally:
            writes.append(watch.read())

    tasks.save_verdict = timed_save  # type: ignore[assignment]
    try:
        for number, capture_id in enumerate(captures):
            mode = _mode(number, students)
            with log_mode(mode):
                watch = Stopwatch()
                verdict = tasks.run_verdict(runtime.worker, capture_id)
                timings.verdict[mode].append(watch.read())
            if verdict is None:
                raise RuntimeError(f"capture {capture_id}: no verdict written")
            timings.verdicts[verdict.value] = timings.verdicts.get(verdict.value, 0) + 1
            if number < WARM_UP:
                timings.verdict[mode].pop()
            else:
                timings.write[mode].append(writes[-1])
    finally:
        tasks.save_verdict = real_save


async def _seed(
    runtime: Runtime, http: httpx.AsyncClient, pool: list[Face], per_student: int
) -> tuple[int, list[Student]]:
    """One student per face of a running lesson, each with ``per_student`` open ordinary
    checks (as the schedule would issue them over a long lesson), consent and templates."""
    now = datetime.now(UTC)
    secret = await hash_password(PASSWORD)
    async with transaction(runtime.session_factory) as db:
        teacher = _person("teacher", Role.INSTRUCTOR, secret, now)
        people = [_person(f"student{n}", Role.STUDENT, secret, now) for n in range(len(pool))]
        course = Course(name="Evidence bench", description="", policy={"liveness_checks": "NONE"})
        db.add_all([teacher, *people, course])
        await db.flush()
        term = Term(course_id=course.id, term_number=0, status=TermStatus.RUNNING)
        db.add(term)
        await db.flush()
        db.add(TermMember(term_id=term.id, user_id=teacher.id, role=MemberRole.INSTRUCTOR))
        db.add_all(
            TermMember(term_id=term.id, user_id=p.id, role=MemberRole.STUDENT) for p in people
        )
        lesson = _running_lesson(term.id, teacher.id, now)
        db.add(lesson)
        await db.flush()
        opened = {p.id: _open_checks(db, lesson.id, p.id, now, per_student) for p in people}
        await db.flush()
        ids = {user: [(c.id, c.nonce) for c in checks] for user, checks in opened.items()}
    await add_faces(
        runtime.settings.resolved_database_url,
        {p.id: list(face.embeddings) for p, face in zip(people, pool, strict=True)},
    )
    students = []
    for person, face in zip(people, pool, strict=True):
        body = {"email": person.email, "password": PASSWORD}
        token = (await http.post("/api/v1/auth/login", json=body)).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        students.append(Student(person.id, headers, face, ids[person.id]))
    return lesson.id, students


def _person(handle: str, role: Role, secret: str, now: datetime) -> User:
    return User(
        email=f"{handle}@bench.example",
        username=handle,
        full_name=f"Bench {handle}",
        role=role,
        is_active=True,
        password_hash=secret,
        created_at=now,
        updated_at=now,
    )


def _running_lesson(term_id: int, teacher_id: int, now: datetime) -> Lesson:
    return Lesson(
        term_id=term_id,
        instructor_id=teacher_id,
        title="Evidence bench",
        description="",
        start_date=now - timedelta(minutes=1),
        duration_min=240,
        status=LessonStatus.RUNNING,
        effective_start_date=now - timedelta(minutes=1),
    )


def _open_checks(
    db: Any, lesson_id: int, user_id: int, now: datetime, count: int
) -> list[Challenge]:
    db.add(PresenceSession(lesson_id=lesson_id, user_id=user_id, joined_at=now))
    checks = [
        Challenge(
            lesson_id=lesson_id,
            user_id=user_id,
            kind=ChallengeKind.RANDOM,
            nonce=secrets.token_urlsafe(16),
            issued_at=now - timedelta(seconds=30),
            deadline=now + timedelta(hours=2),
            status=ChallengeStatus.OPEN,
        )
        for _ in range(count)
    ]
    db.add_all(checks)
    return checks
