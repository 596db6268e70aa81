"""Liveness checks through the API: the side to turn to comes with the challenge, the answer
is a burst of `frames`, and refusals leave nothing behind (the verdicts: test_liveness_verdicts)."""

from typing import Any

import httpx
import pytest

from tests.presence.live import (
    LiveLesson,
    capture_count,
    first_of,
    join,
    live_lesson,
    load_capture,
    planned,
    small_jpeg,
    stored_blobs,
    travel,
    upload,
    upload_burst,
)
from tests.support.clock import FakeClock
from tests.support.cost import cpu_seconds
from tests.support.hostile_pictures import many_scans_jpeg
from trust_lesson.models import ChallengeStatus
from trust_lesson.presence.verdicts import ChallengeKind
from trust_lesson.runtime import Runtime
from trust_lesson.settings import Settings


def frames(count: int = 5, size: int = 120) -> list[bytes]:
    return [small_jpeg((30 * n, 100, 160), size=size) for n in range(count)]


@pytest.fixture
async def turn(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> tuple[LiveLesson, dict[str, Any]]:
    """A lesson with the default policy: the entry check is a liveness check."""
    live = await live_lesson(api, runtime, clock, duration_min=90, liveness_checks=None)
    return live, (await join(api, live, live.student))["challenge"]


async def test_the_entry_and_one_random_check_carry_the_side_to_turn_to(
    api: httpx.AsyncClient,
    runtime: Runtime,
    clock: FakeClock,
    turn: tuple[LiveLesson, dict[str, Any]],
) -> None:
    live, entry = turn
    schedule = await planned(runtime, live, live.student)
    randoms = [c for c in schedule if c.kind is ChallengeKind.RANDOM]
    asked = next(c for c in randoms if c.liveness is not None)
    ordinary = next(c for c in randoms if c.liveness is None)

    await travel(api, clock, asked.issued_at, live.student)
    shown = (await api.get(live.url("challenges/next"), headers=live.student.headers)).json()
    await travel(api, clock, ordinary.issued_at, live.student)
    plain = (await api.get(live.url("challenges/next"), headers=live.student.headers)).json()

    assert entry["liveness"] in ({"direction": "LEFT"}, {"direction": "RIGHT"})
    assert entry["liveness"]["direction"] == schedule[0].liveness
    assert sum(c.liveness is not None for c in randoms) == 1
    assert shown["challenge"]["liveness"] == {"direction": asked.liveness}
    assert plain["challenge"]["liveness"] is None


async def test_a_burst_is_accepted_and_each_frame_stored_clean(
    api: httpx.AsyncClient,
    runtime: Runtime,
    settings: Settings,
    turn: tuple[LiveLesson, dict[str, Any]],
) -> None:
    live, entry = turn

    answer = await upload_burst(api, live, live.student, entry, frames())

    assert answer.status_code == 202, answer.text
    capture = await load_capture(runtime, answer.json()["capture_id"])
    assert capture.frame_keys is not None and len(capture.frame_keys) == 5
    assert capture.blob_key == capture.frame_keys[0]
    assert len(stored_blobs(settings.data_dir)) == 5
    again = await upload_burst(api, live, live.student, entry, frames())
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("count", "with_image", "says"),
    [
        (0, True, "got 0 frame(s)"),
        (2, False, "send 3 to 8 frames"),
        (9, False, "At most 8 frames"),
        (5, True, "as `frames` (not `image`)"),
    ],
    ids=["one image", "two frames", "nine frames", "frames and an image"],
)
async def test_a_liveness_check_wants_a_burst_of_three_to_eight_frames(
    api: httpx.AsyncClient,
    runtime: Runtime,
    settings: Settings,
    turn: tuple[LiveLesson, dict[str, Any]],
    count: int,
    with_image: bool,
    says: str,
) -> None:
    live, entry = turn
    image = small_jpeg() if with_image else None

    answer = await upload_burst(api, live, live.student, entry, frames(count), image=image)

    assert answer.status_code == 422
    assert says in answer.json()["detail"]
    assert await capture_count(runtime) == 0
    assert stored_blobs(settings.data_dir) == []


async def test_an_ordinary_check_refuses_frames(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(api, runtime, clock)
    entry = (await join(api, live, live.student))["challenge"]

    answer = await upload_burst(api, live, live.student, entry, frames())
    plain = await upload(api, live, live.student, entry, small_jpeg())

    assert answer.status_code == 422
    assert "takes one picture, sent as `image`" in answer.json()["detail"]
    assert plain.status_code == 202


async def test_a_hostile_last_frame_refuses_the_whole_burst_cheaply_and_leaves_nothing(
    api: httpx.AsyncClient,
    runtime: Runtime,
    settings: Settings,
    turn: tuple[LiveLesson, dict[str, Any]],
) -> None:
    live, entry = turn
    burst = [*frames(4, size=1500), many_scans_jpeg()]

    with cpu_seconds() as cost:
        answer = await upload_burst(api, live, live.student, entry, burst)

    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("Frame 5: The JPEG picture is stored in 2010 scans")
    assert cost.cpu_s < 1.0
    assert await capture_count(runtime) == 0
    assert stored_blobs(settings.data_dir) == []
    challenge = first_of(await planned(runtime, live, live.student), ChallengeKind.ENTRY)
    assert challenge.status is ChallengeStatus.OPEN
