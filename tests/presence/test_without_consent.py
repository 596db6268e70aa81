"""R24: a student who withdrew biometric consent still attends: no face is looked at, every
check goes to a person, and the reviewer's word decides the attendance."""

import io

import httpx
import numpy as np
from PIL import Image

from tests.biometrics.stories import consent_url, references
from tests.presence.live import LiveLesson, join, live_lesson, planned, travel
from tests.presence.verdict_support import enrol_face, judge_now, read_capture, send
from tests.support.clock import FakeClock
from trust_lesson.presence.judging import NO_ENROLMENT
from trust_lesson.presence.verdicts import Verdict
from trust_lesson.runtime import Runtime


def webcam_frame(seed: int) -> bytes:
    """A different picture each time (the replay check compares perceptual hashes)."""
    pixels = np.random.default_rng(seed).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).resize((320, 240)).save(buffer, "JPEG")
    return buffer.getvalue()


async def answer_every_check(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock, live: LiveLesson
) -> list[int]:
    """Join, then answer each check when it is issued; each picture judged by the real task."""
    student = live.student
    await join(api, live, student)
    schedule = await planned(runtime, live, student)
    captures = []
    for n, check in enumerate(schedule):
        await travel(api, clock, check.issued_at, student, live.instructor)
        due = (await api.get(live.url("challenges/next"), headers=student.headers)).json()
        captures.append(await send(api, live, student, due["challenge"], webcam_frame(n)))
        await judge_now(runtime, captures[-1])
    return captures


async def test_after_withdrawing_consent_a_reviewer_decides_and_the_student_attends(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(api, runtime, clock, duration_min=20)
    await enrol_face(runtime, live.student, np.ones(128, dtype=np.float32))  # with consent
    assert len(await references(runtime, live.student)) == 1
    withdrawn = await api.delete(consent_url(live.student), headers=live.student.headers)
    assert withdrawn.status_code == 204 and await references(runtime, live.student) == []

    captures = await answer_every_check(api, runtime, clock, live)
    judged = [await read_capture(api, live.instructor, capture) for capture in captures]
    await api.post(live.url("stop"), headers=live.instructor.headers)
    for capture in captures:
        reviewed = await api.post(
            f"/api/v1/captures/{capture}/review",
            json={"decision": "VERIFIED", "reason": "I saw her on camera; no face check."},
            headers=live.instructor.headers,
        )
        assert reviewed.status_code == 201, reviewed.text
    attendance = await api.get(live.url("attendance"), headers=live.student.headers)

    assert len(judged) >= 2  # the entry and the end check at least
    for capture in judged:
        assert capture["verdict"] == Verdict.NEEDS_REVIEW.value
        assert capture["reasons"] == [NO_ENROLMENT]
        assert capture["similarity"] is None and capture["faces"] is None  # no face looked at
    [decision] = attendance.json()
    assert decision["decision"] == "ATTENDED"
    assert decision["decided_by"] == live.instructor.id
