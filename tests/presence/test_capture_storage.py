"""Issue 8/12 (R19): a stored capture is the picture alone, readable by the service only."""

import io
import stat
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image

from tests.presence.live import LiveLesson, join, live_lesson, load_capture, stored_blobs, upload
from tests.support.clock import FakeClock
from trust_lesson.runtime import Runtime
from trust_lesson.settings import Settings


def phone_photo_with_location() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Spy Camera Inc"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to view
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (48.0, 51.0, 30.0)
    gps[3], gps[4] = "E", (2.0, 17.0, 40.0)
    pixels = np.zeros((60, 80, 3), dtype=np.uint8)
    pixels[:, :40] = (200, 30, 30)  # left half red: after rotation, the top half
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", exif=exif.tobytes(), comment=b"home address")
    return buffer.getvalue()


@pytest.fixture
async def entry(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> tuple[LiveLesson, dict[str, Any]]:
    live = await live_lesson(api, runtime, clock, students=1)
    return live, (await join(api, live, live.student))["challenge"]


async def test_the_stored_picture_has_no_metadata_and_is_owner_only(
    api: httpx.AsyncClient,
    runtime: Runtime,
    settings: Settings,
    entry: tuple[LiveLesson, dict[str, Any]],
) -> None:
    live, challenge = entry

    response = await upload(api, live, live.student, challenge, phone_photo_with_location())

    assert response.status_code == 202
    capture = await load_capture(runtime, response.json()["capture_id"])
    stored = await runtime.blobs.get(capture.blob_key or "")
    picture = Image.open(io.BytesIO(stored))
    assert dict(picture.getexif()) == {} and "comment" not in picture.info
    for clue in (b"Exif", b"Spy Camera", b"home address"):
        assert clue not in stored
    assert picture.size == (60, 80)  # turned upright before the metadata went
    assert np.asarray(picture)[5, 40][0] > 150  # the red half is on top
    [path] = stored_blobs(settings.data_dir)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    blobs_root = settings.data_dir / "blobs"
    for folder in [blobs_root, *path.relative_to(blobs_root).parents]:
        assert stat.S_IMODE((blobs_root / folder).stat().st_mode) == 0o700, folder
    assert stat.S_IMODE(settings.data_dir.stat().st_mode) == 0o700
