"""Issue 8/10: an enrolment selfie sent back as a lesson capture is a replay, not VERIFIED 100."""

from pathlib import Path

import httpx
import pytest

from tests.presence.live import join, live_lesson
from tests.presence.verdict_support import FACES, judge_now, read_capture, send
from tests.support.clock import FakeClock
from trust_lesson.presence.verdicts import Verdict
from trust_lesson.runtime import Runtime

pytestmark = pytest.mark.slow


async def test_the_enrolment_selfie_itself_is_refused_as_a_replay(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock, testdata: Path
) -> None:
    live = await live_lesson(api, runtime, clock, students=1)
    student = live.student
    selfies = [(testdata / FACES / name).read_bytes() for name in ("obama.jpg", "obama2.jpg")]
    consent = await api.post(f"/api/v1/users/{student.id}/consent", headers=student.headers)
    enrolled = await api.post(
        f"/api/v1/users/{student.id}/face-enrolment",
        files=[("images", (f"s{n}.jpg", s, "image/jpeg")) for n, s in enumerate(selfies)],
        headers=student.headers,
    )
    assert consent.status_code == 201 and enrolled.status_code == 201, enrolled.text
    entry = (await join(api, live, student))["challenge"]

    capture_id = await send(api, live, student, entry, selfies[1])
    verdict = await judge_now(runtime, capture_id)

    assert verdict is Verdict.REPLAYED
    body = await read_capture(api, live.instructor, capture_id)
    assert body["reasons"] == ["the picture is a copy of an earlier one"]
