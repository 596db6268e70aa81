"""A course's stored policy that no longer validates: every reader uses the defaults, logged.

A policy saved under older rules (here an answer deadline longer than the minimum gap between
checks, which the rules now refuse) must never block a lesson: joining, judging a capture and
deciding attendance all fall back to PRODUCT.md's defaults and log an error naming the course.
"""

import logging
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import numpy as np
import pytest

from tests.presence.live import (
    LiveLesson,
    join,
    live_lesson,
    planned,
    small_jpeg,
    travel,
    upload_burst,
)
from tests.presence.verdict_support import FACES, enrol_face, face_template, judge_now, send
from tests.support.clock import FakeClock
from trust_lesson.presence.judging import NO_ENROLMENT
from trust_lesson.presence.verdicts import Verdict
from trust_lesson.runtime import Runtime

OUTDATED = {"answer_deadline_s": 600, "recheck_min_gap_min": 3, "verified_share_needed_percent": 50}
"""Valid once; now refused: a 10-minute deadline would let two challenges be open at once."""
POLICY_LOG = "trust_lesson.presence.policy"


def _logged_fallbacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == POLICY_LOG and record.levelno == logging.ERROR
    ]


async def _course_id(api: httpx.AsyncClient, live: LiveLesson) -> int:
    term = (await api.get(f"/api/v1/terms/{live.term_id}", headers=live.instructor.headers)).json()
    return int(term["course_id"])


async def test_joining_uses_the_defaults_and_logs_the_course(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    live = await live_lesson(api, runtime, clock, policy=OUTDATED)
    course_id = await _course_id(api, live)
    caplog.set_level(logging.ERROR, logger=POLICY_LOG)

    body = await join(api, live, live.student)

    deadline = datetime.fromisoformat(body["challenge"]["deadline"].replace("Z", "+00:00"))
    assert deadline == clock.now + timedelta(seconds=20)  # the default: a liveness entry check
    assert body["challenge"]["liveness"]["direction"] in ("LEFT", "RIGHT")
    assert _logged_fallbacks(caplog) == [
        f"course {course_id} has an invalid attendance policy (1 problem(s)); using the defaults"
    ]


async def test_the_verdict_task_uses_the_defaults_instead_of_failing(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    live = await live_lesson(api, runtime, clock, policy=OUTDATED)
    challenge = (await join(api, live, live.student))["challenge"]
    frames = [small_jpeg((40 * n, 90, 150), size=200) for n in range(3)]
    answer = await upload_burst(api, live, live.student, challenge, frames)
    capture_id = answer.json()["capture_id"]
    caplog.clear()
    caplog.set_level(logging.ERROR, logger=POLICY_LOG)

    verdict = await judge_now(runtime, capture_id)

    assert verdict is Verdict.NEEDS_REVIEW
    capture = await api.get(f"/api/v1/captures/{capture_id}", headers=live.student.headers)
    assert capture.json()["reasons"] == [NO_ENROLMENT]
    assert len(_logged_fallbacks(caplog)) == 1


@pytest.mark.slow
async def test_the_verdict_is_judged_by_the_default_thresholds(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock, testdata: Path
) -> None:
    strict_but_broken = {"verified_at": 99.5, "review_at": 99.9}  # review above verified
    live = await live_lesson(api, runtime, clock, policy=strict_but_broken)
    template: np.ndarray = face_template(testdata, FACES + "obama.jpg")
    await enrol_face(runtime, live.student, template)
    await join(api, live, live.student)  # the defaults: the entry check is a liveness check
    schedule = await planned(runtime, live, live.student)
    ordinary = next(c for c in schedule if c.liveness is None)
    await travel(api, clock, ordinary.issued_at, live.student)
    due = await api.get(live.url("challenges/next"), headers=live.student.headers)
    challenge = due.json()["challenge"]
    capture_id = await send(api, live, live.student, challenge, testdata / FACES / "obama2.jpg")

    verdict = await judge_now(runtime, capture_id)

    assert verdict is Verdict.VERIFIED  # 99.5 would have sent it to review


async def test_the_attendance_decision_uses_the_defaults(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    live = await live_lesson(api, runtime, clock, policy=OUTDATED)
    await join(api, live, live.student)
    await travel(api, clock, clock.now + timedelta(minutes=2), live.instructor)
    caplog.clear()
    caplog.set_level(logging.ERROR, logger=POLICY_LOG)

    stopped = await api.post(live.url("stop"), headers=live.instructor.headers)
    decisions = (await api.get(live.url("attendance"), headers=live.instructor.headers)).json()

    assert stopped.status_code == 200
    assert [row["decision"] for row in decisions] == ["ABSENT"]
    assert decisions[0]["reasons"][-1] == "0 of 1 check verified (0 %, policy needs 80 %)"
    assert len(_logged_fallbacks(caplog)) == 1
