"""Issue 8, findings 1-2 and R17: a capture costs at most a webcam frame's decoding, refused
otherwise, at the upload and again in the worker."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.presence.live import (
    LiveLesson,
    capture_count,
    join,
    live_lesson,
    load_capture,
    small_jpeg,
    stored_blobs,
    upload,
)
from tests.presence.verdict_support import judge_now, send
from tests.support.clock import FakeClock
from tests.support.cost import cpu_seconds
from tests.support.hostile_pictures import flat_png, header_only_png, many_scans_jpeg
from tests.support.memory import peak_rss_growth
from trust_lesson.presence.verdicts import Verdict
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


@pytest.mark.parametrize(
    ("make_picture", "says"),
    [
        (lambda: header_only_png(30_000, 30_000), "too many pixels; the limit is 8 megapixels"),
        (lambda: flat_png(6000, 6000), "too many pixels (6000 x 6000)"),  # 108 MB decoded
        (many_scans_jpeg, "2010 scans; at most 64"),
    ],
    ids=["header claiming 30,000 x 30,000", "real 36 MP PNG", "2000-scan progressive JPEG"],
)
async def test_a_flood_that_reached_the_store_is_refused_by_the_worker_with_flat_memory(
    api: httpx.AsyncClient,
    runtime: Runtime,
    settings: Settings,
    entry: tuple[LiveLesson, dict[str, Any]],
    make_picture: Callable[[], bytes],
    says: str,
) -> None:
    """R17: a picture the upload would refuse, put into the store behind the service's back."""
    live, challenge = entry
    capture_id = await send(api, live, live.student, challenge, small_jpeg())
    key = (await load_capture(runtime, capture_id)).blob_key
    (settings.data_dir / "blobs" / str(key)).write_bytes(make_picture())

    with cpu_seconds() as cost, peak_rss_growth() as memory:
        verdict = await judge_now(runtime, capture_id)

    print(f"\nworker: {memory.mib:.1f} MiB peak growth, {cost.cpu_s:.3f} CPU s")
    assert verdict is Verdict.LOW_QUALITY
    [reason] = (await load_capture(runtime, capture_id)).reasons
    assert reason.startswith("the picture cannot be read") and says in reason
    assert memory.mib < 32  # decoding the 36 MP one would take over 200 MiB
    assert cost.cpu_s < 1.0
