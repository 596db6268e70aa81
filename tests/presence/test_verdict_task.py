"""Verdicts through the real task and real pictures: one verdict per capture, by the policy."""

import asyncio
from pathlib import Path

import httpx
import numpy as np
import pytest

from tests.presence.live import (
    LiveLesson,
    first_of,
    join,
    live_lesson,
    load_capture,
    planned,
    small_jpeg,
    travel,
)
from tests.presence.verdict_support import (
    FACES,
    enrol_face,
    face_template,
    judge_now,
    read_capture,
    send,
    wait_for_verdict,
)
from tests.support.clock import FakeClock
from trust_lesson.models import CaptureStatus
from trust_lesson.presence.judging import NO_ENROLMENT
from trust_lesson.presence.verdict_job import PICTURE_MISSING
from trust_lesson.presence.verdicts import ChallengeKind, Verdict
from trust_lesson.runtime import Runtime


@pytest.fixture(scope="module")
def obama(testdata: Path) -> np.ndarray:
    return face_template(testdata, FACES + "obama.jpg")


async def _enrolled_lesson(
    api: httpx.AsyncClient,
    runtime: Runtime,
    clock: FakeClock,
    template: np.ndarray,
    policy: dict[str, float] | None = None,
) -> LiveLesson:
    live = await live_lesson(api, runtime, clock, students=2, policy=policy)
    await enrol_face(runtime, live.student, template)
    return live


@pytest.mark.slow
@pytest.mark.parametrize(
    ("picture", "verdict"),
    [
        (FACES + "obama2.jpg", Verdict.VERIFIED),
        (FACES + "biden.jpg", Verdict.WRONG_PERSON),
        ("face_detection/multi_face/two_people.jpg", Verdict.MULTIPLE_FACES),
        ("face_detection/no_face/coffee.png", Verdict.NO_FACE),
    ],
    ids=["right student", "another person", "group photo", "empty room"],
)
async def test_the_verdict_of_a_picture(
    api: httpx.AsyncClient,
    runtime: Runtime,
    clock: FakeClock,
    testdata: Path,
    obama: np.ndarray,
    picture: str,
    verdict: Verdict,
) -> None:
    live = await _enrolled_lesson(api, runtime, clock, obama)
    challenge = (await join(api, live, live.student))["challenge"]
    capture_id = await send(api, live, live.student, challenge, testdata / picture)

    written = await judge_now(runtime, capture_id)

    body = await read_capture(api, live.student, capture_id)
    assert written is verdict
    assert body["status"] == "DONE"
    assert body["verdict"] == verdict.value
    assert body["reasons"]
    if verdict in (Verdict.VERIFIED, Verdict.WRONG_PERSON):
        assert body["similarity"] is not None
        assert (body["similarity"] >= 90) is (verdict is Verdict.VERIFIED)


@pytest.mark.slow
async def test_the_same_picture_for_the_next_challenge_is_replayed(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock, testdata: Path, obama: np.ndarray
) -> None:
    live = await _enrolled_lesson(api, runtime, clock, obama)
    entry = (await join(api, live, live.student))["challenge"]
    picture = (testdata / FACES / "obama2.jpg").read_bytes()
    first = await send(api, live, live.student, entry, picture)
    await judge_now(runtime, first)
    random_check = first_of(await planned(runtime, live, live.student), ChallengeKind.RANDOM)
    await travel(api, clock, random_check.issued_at, live.student, live.instructor)
    due = (await api.get(live.url("challenges/next"), headers=live.student.headers)).json()
    second = await send(api, live, live.student, due["challenge"], picture)

    verdict = await judge_now(runtime, second)

    assert verdict is Verdict.REPLAYED
    body = await read_capture(api, live.instructor, second)
    assert body["reasons"] == ["the picture is a copy of an earlier one"]


@pytest.mark.slow
async def test_a_grey_zone_similarity_goes_to_review(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock, testdata: Path, obama: np.ndarray
) -> None:
    strict = {"verified_at": 99.5, "review_at": 60}
    live = await _enrolled_lesson(api, runtime, clock, obama, policy=strict)
    challenge = (await join(api, live, live.student))["challenge"]
    capture_id = await send(api, live, live.student, challenge, testdata / FACES / "obama2.jpg")

    verdict = await judge_now(runtime, capture_id)

    body = await read_capture(api, live.student, capture_id)
    assert verdict is Verdict.NEEDS_REVIEW
    assert 60 <= body["similarity"] < 99.5
    assert "kept for human review" in body["reasons"][0]


async def test_without_enrolment_the_capture_is_kept_for_review(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(api, runtime, clock)
    challenge = (await join(api, live, live.student))["challenge"]
    capture_id = await send(api, live, live.student, challenge, small_jpeg(size=200))

    verdict = await judge_now(runtime, capture_id)

    body = await read_capture(api, live.student, capture_id)
    assert verdict is Verdict.NEEDS_REVIEW
    assert body["reasons"] == [NO_ENROLMENT]
    assert body["similarity"] is None and body["faces"] is None


async def test_two_runs_for_one_capture_write_one_verdict(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(api, runtime, clock)
    challenge = (await join(api, live, live.student))["challenge"]
    capture_id = await send(api, live, live.student, challenge, small_jpeg(size=200))

    racing = await asyncio.gather(*(judge_now(runtime, capture_id) for _ in range(4)))
    later = await judge_now(runtime, capture_id)

    assert [verdict for verdict in racing if verdict is not None] == [Verdict.NEEDS_REVIEW]
    assert later is None
    capture = await load_capture(runtime, capture_id)
    assert capture.status is CaptureStatus.DONE
    assert 1 <= capture.attempts <= 4


@pytest.mark.slow
async def test_the_real_worker_judges_an_upload(
    api: httpx.AsyncClient,
    runtime: Runtime,
    clock: FakeClock,
    testdata: Path,
    obama: np.ndarray,
    consumer: None,
) -> None:
    live = await _enrolled_lesson(api, runtime, clock, obama)
    challenge = (await join(api, live, live.student))["challenge"]

    capture_id = await send(api, live, live.student, challenge, testdata / FACES / "obama3.jpg")

    body = await wait_for_verdict(api, live.student, capture_id)
    assert body["status"] == "DONE"
    assert body["verdict"] == "VERIFIED"


async def test_a_picture_missing_from_the_store_goes_to_review(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(api, runtime, clock)
    challenge = (await join(api, live, live.student))["challenge"]
    capture_id = await send(api, live, live.student, challenge, small_jpeg(size=200))
    key = (await load_capture(runtime, capture_id)).blob_key
    assert key is not None
    await runtime.blobs.delete(key)

    verdict = await judge_now(runtime, capture_id)

    assert verdict is Verdict.NEEDS_REVIEW
    assert (await load_capture(runtime, capture_id)).reasons == [PICTURE_MISSING]
