"""The sweeps keep the promises: every challenge ends, every capture gets exactly one verdict."""

import asyncio
import signal
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update

from tests.presence.live import join, live_lesson, load_capture, small_jpeg
from tests.presence.verdict_support import FACES, enrol_face, face_template, judge_now, send
from tests.support.clock import FakeClock
from trust_lesson.db import transaction
from trust_lesson.models import Capture, CaptureStatus, Challenge, ChallengeStatus
from trust_lesson.presence.sweeps import GAVE_UP, MAX_ATTEMPTS, STUCK_AFTER
from trust_lesson.presence.verdicts import Verdict
from trust_lesson.runtime import Runtime
from trust_lesson.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


async def _run_periodic(runtime: Runtime, name: str) -> int:
    task = runtime.worker.tasks[name]
    result: int = await asyncio.to_thread(task.call_local)
    return result


async def test_an_unanswered_challenge_is_missed(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(api, runtime, clock, students=2)
    challenge = (await join(api, live, live.student))["challenge"]
    answered = (await join(api, live, live.students[1]))["challenge"]
    await send(api, live, live.students[1], answered, small_jpeg())
    clock.advance(seconds=59)
    assert await _run_periodic(runtime, "expire-challenges") == 0

    clock.advance(seconds=1)
    missed = await _run_periodic(runtime, "expire-challenges")

    assert missed == 1
    assert await _status(runtime, challenge["id"]) is ChallengeStatus.MISSED
    assert await _status(runtime, answered["id"]) is ChallengeStatus.ANSWERED


async def test_a_capture_whose_job_was_lost_is_judged_after_the_sweep(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(api, runtime, clock)
    challenge = (await join(api, live, live.student))["challenge"]
    capture_id = await send(api, live, live.student, challenge, small_jpeg(size=200))
    runtime.worker.huey.flush()
    clock.advance(seconds=STUCK_AFTER.total_seconds() - 1)
    assert await _run_periodic(runtime, "resubmit-captures") == 0

    clock.advance(seconds=1)
    resubmitted = await _run_periodic(runtime, "resubmit-captures")

    assert resubmitted == 1
    assert runtime.worker.huey.pending_count() == 1
    assert await judge_now(runtime, capture_id) is Verdict.NEEDS_REVIEW


async def test_a_capture_that_keeps_failing_goes_to_review(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(api, runtime, clock)
    challenge = (await join(api, live, live.student))["challenge"]
    capture_id = await send(api, live, live.student, challenge, small_jpeg(size=200))
    runtime.worker.huey.flush()
    async with transaction(runtime.session_factory) as db:
        await db.execute(
            update(Capture).where(Capture.id == capture_id).values(attempts=MAX_ATTEMPTS)
        )
    clock.advance(seconds=STUCK_AFTER.total_seconds())

    assert await _run_periodic(runtime, "resubmit-captures") == 0

    capture = await load_capture(runtime, capture_id)
    assert capture.status is CaptureStatus.DONE
    assert capture.verdict is Verdict.NEEDS_REVIEW
    assert capture.reasons == [GAVE_UP]
    assert runtime.worker.huey.pending_count() == 0
    assert await judge_now(runtime, capture_id) is None


@pytest.mark.slow
async def test_a_worker_killed_in_the_middle_still_ends_with_one_verdict(
    api: httpx.AsyncClient,
    runtime: Runtime,
    settings: Settings,
    clock: FakeClock,
    testdata: Path,
) -> None:
    live = await live_lesson(api, runtime, clock)
    await enrol_face(runtime, live.student, face_template(testdata, FACES + "obama.jpg"))
    challenge = (await join(api, live, live.student))["challenge"]
    capture_id = await send(api, live, live.student, challenge, testdata / FACES / "obama2.jpg")
    runtime.worker.huey.flush()

    await _kill_once_loaded(settings, runtime, capture_id)
    killed = await load_capture(runtime, capture_id)
    clock.advance(seconds=STUCK_AFTER.total_seconds() + 1)
    resubmitted = await _run_periodic(runtime, "resubmit-captures")
    verdicts = [await judge_now(runtime, capture_id) for _ in range(2)]

    assert (killed.status, killed.attempts) == (CaptureStatus.PENDING, 1)
    assert resubmitted == 1
    assert verdicts == [Verdict.VERIFIED, None]
    capture = await load_capture(runtime, capture_id)
    assert capture.verdict is Verdict.VERIFIED
    assert capture.attempts == 2


async def _kill_once_loaded(settings: Settings, runtime: Runtime, capture_id: int) -> None:
    """Start the verdict in another process and SIGKILL it once it has loaded the capture."""
    arguments = (
        "-m",
        "tests.presence.verdict_process",
        settings.model_dump_json(),
        str(capture_id),
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, *arguments, cwd=ROOT, stderr=asyncio.subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while (await load_capture(runtime, capture_id)).attempts == 0:
            assert process.returncode is None, "the verdict process ended before loading"
            assert time.monotonic() < deadline, "the verdict process never loaded the capture"
            await asyncio.sleep(0.02)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGKILL)
        await process.communicate()
    assert process.returncode == -signal.SIGKILL


async def _status(runtime: Runtime, challenge_id: int) -> ChallengeStatus:
    async with transaction(runtime.session_factory) as db:
        return (await db.get_one(Challenge, challenge_id)).status
