"""The deletion stories' world: `story`, a lesson attended by a student whose identity is
verified too (a test file with a world of its own defines its own `story`)."""

import httpx
import pytest

from tests.privacy.stories import AttendedLesson, attended_lesson, verified_identity
from tests.support.clock import FakeClock
from trust_lesson.runtime import Runtime


@pytest.fixture
async def story(client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock) -> AttendedLesson:
    """The student also verified their identity (a document photo and a selfie stored)."""
    lesson = await attended_lesson(client, runtime, clock)
    await verified_identity(client, runtime, lesson.live.student, decided_at=clock.now)
    return lesson
