import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime

import httpx

from tests.support.clock import FakeClock
from tests.support.factories import login, signed_in
from tests.support.school import make_course, make_lesson, make_term
from trust_lesson.db import transaction
from trust_lesson.lessons.service import mark_late_lessons
from trust_lesson.models import Role
from trust_lesson.runtime import Runtime
from trust_lesson.settings import Settings


async def test_lessons_never_started_one_day_after_their_start_become_late(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    term = await make_term(client, teacher, (await make_course(client, teacher))["id"])
    start = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    forgotten = await make_lesson(client, teacher, term["id"], start=start, title="Forgotten")
    given = await make_lesson(client, teacher, term["id"], start=start, title="Given")
    await client.post(f"/api/v1/lessons/{given['id']}/start", headers=teacher.headers)

    clock.now = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)
    async with transaction(runtime.session_factory) as db:
        on_the_day = await mark_late_lessons(db=db, now=clock())
    clock.advance(seconds=1)
    async with transaction(runtime.session_factory) as db:
        a_day_later = await mark_late_lessons(db=db, now=clock())

    assert forgotten["status"] == "WAITING"
    assert (on_the_day, a_day_later) == (0, 1)
    headers = await login(client, teacher.user.email)
    lessons = (await client.get("/api/v1/lessons", headers=headers)).json()
    assert {lesson["title"]: lesson["status"] for lesson in lessons} == {
        "Forgotten": "LATE",
        "Given": "RUNNING",
    }


async def test_the_command_line_runs_the_job(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock, settings: Settings
) -> None:
    clock.now = datetime(2001, 1, 1, 9, 0, tzinfo=UTC)
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    term = await make_term(client, teacher, (await make_course(client, teacher))["id"])
    await make_lesson(client, teacher, term["id"], start=clock())
    environment = {
        **os.environ,
        "TL_DATABASE_URL": settings.resolved_database_url,
        "TL_DATA_DIR": str(settings.data_dir),
    }

    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "trust_lesson", "jobs", "mark-late"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "1 lesson marked LATE" in done.stdout
