"""Issue 8, findings 1-2: a capture costs at most a webcam frame's decoding, refused otherwise."""

from typing import Any

import httpx
import pytest

from tests.presence.live import LiveLesson, capture_count, join, live_lesson, stored_blobs, upload
from tests.support.clock import FakeClock
from tests.support.cost import cpu_seconds
from tests.support.hostile_pictures import flat_png, many_scans_jpeg
from trust_lesson.runtime import Runtime
from trust_lesson.settings import Settings


@pytest.fixture
async def entry(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> tuple[LiveLesson, dict[str, Any]]:
    live = await live_lesson(api, runtime, clock, students=1)
    return live, (await join(api, live, live.student))["challenge"]


@pytest.mark.parametrize(
    ("picture", "status", "code", "says"),
    [
        (many_scans_jpeg(), 422, "too_many_scans", "2010 scans; at most 64"),
        (flat_png(4000, 2200), 413, "too_many_pixels", "the limit is 8 megapixels"),
    ],
    ids=["2000-scan progressive JPEG", "8.8 MP PNG"],
)
async def test_pictures_no_webcam_sends_are_refused_fast_and_leave_nothing(
    api: httpx.AsyncClient,
    runtime: Runtime,
    settings: Settings,
    entry: tuple[LiveLesson, dict[str, Any]],
    picture: bytes,
    status: int,
    code: str,
    says: str,
) -> None:
    live, challenge = entry
    with cpu_seconds() as cost:
        response = await upload(api, live, live.student, challenge, picture)

    assert cost.cpu_s < 1.0
    assert response.status_code == status
    assert response.json()["code"] == code and says in response.json()["detail"]
    assert await capture_count(runtime) == 0
    assert stored_blobs(settings.data_dir) == []
