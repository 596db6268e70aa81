"""Fixtures of the certificate stories: a stopped lesson and a certificate issued from it."""

from typing import Any

import httpx
import pytest

from tests.presence.live import LiveLesson, join, live_lesson, small_jpeg, upload
from tests.support.clock import FakeClock
from trust_lesson.db import transaction
from trust_lesson.evidence import certificates
from trust_lesson.presence.judging import Judgement
from trust_lesson.presence.verdict_job import write_verdict
from trust_lesson.presence.verdicts import Verdict
from trust_lesson.runtime import Runtime


@pytest.fixture
async def stopped(client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock) -> LiveLesson:
    """A student checked once (VERIFIED), another never joined; the lesson stopped."""
    live = await live_lesson(client, runtime, clock, students=2)
    challenge = (await join(client, live, live.student))["challenge"]
    capture_id = (await upload(client, live, live.student, challenge, small_jpeg())).json()[
        "capture_id"
    ]
    async with transaction(runtime.session_factory) as db:
        seen = Judgement(Verdict.VERIFIED, [], similarity=96.5)
        await write_verdict(db=db, capture_id=capture_id, judgement=seen, now=clock.now)
    assert (await client.post(live.url("stop"), headers=live.instructor.headers)).is_success
    return live


@pytest.fixture
async def certificate(stopped: LiveLesson, runtime: Runtime, clock: FakeClock) -> dict[str, Any]:
    async with transaction(runtime.session_factory) as db:
        return await certificates.issue(
            db, keys=runtime.school_keys, public_url=runtime.settings.public_url,
            lesson_id=stopped.lesson_id, student_id=stopped.student.id, now=clock.now,
        )  # fmt: skip
