"""R19 (issue 8/12): a stored capture is the picture alone, under a key the server chose,
readable by the service only, and within the person's storage quota. (That a picture served
back to a reviewer has no GPS either: tests/web/test_admin_pages.py.)
"""

import io
import re
import stat
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image

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
)
from tests.support.clock import FakeClock
from trust_lesson.presence.verdicts import ChallengeKind
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


def noisy_frame(width: int = 1280, height: int = 720) -> bytes:
    """A webcam frame that stays large when re-encoded (about 0.9 MB)."""
    pixels = np.random.default_rng(width).integers(0, 256, (height, width, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


async def test_a_hostile_file_name_is_never_used_for_the_stored_key(
    api: httpx.AsyncClient,
    runtime: Runtime,
    settings: Settings,
    entry: tuple[LiveLesson, dict[str, Any]],
) -> None:
    live, challenge = entry

    response = await upload(
        api, live, live.student, challenge, small_jpeg(), filename="../../etc/passwd.jpg"
    )

    assert response.status_code == 202
    capture = await load_capture(runtime, response.json()["capture_id"])
    assert re.fullmatch(r"captures/\d{4}/\d{2}/\d{2}/[0-9a-f]{32}\.jpg", capture.blob_key or "")
    [path] = stored_blobs(settings.data_dir)
    assert path.is_relative_to(settings.data_dir / "blobs") and "passwd" not in str(path)


async def test_a_picture_past_the_persons_quota_is_refused_and_nothing_is_stored(
    api: httpx.AsyncClient,
    runtime: Runtime,
    settings: Settings,
    clock: FakeClock,
    entry: tuple[LiveLesson, dict[str, Any]],
) -> None:
    live, challenge = entry
    runtime.settings = runtime.settings.model_copy(update={"storage_quota_mb": 1})
    first = await upload(api, live, live.student, challenge, noisy_frame())
    assert first.status_code == 202, first.text
    random_check = first_of(await planned(runtime, live, live.student), ChallengeKind.RANDOM)
    await travel(api, clock, random_check.issued_at, live.student)
    due = (await api.get(live.url("challenges/next"), headers=live.student.headers)).json()

    refused = await upload(api, live, live.student, due["challenge"], noisy_frame(1000, 750))
    a_small_one = await upload(api, live, live.student, due["challenge"], small_jpeg())

    assert refused.status_code == 413
    assert refused.json()["code"] == "storage_quota_exceeded"
    assert "limit of 1 MiB per person; nothing was stored" in refused.json()["detail"]
    assert a_small_one.status_code == 202  # the check stayed open; a small picture fits
    assert await capture_count(runtime) == 2
    assert len(stored_blobs(settings.data_dir)) == 2


async def test_a_person_whose_quota_is_full_is_refused_before_the_picture_is_decoded(
    api: httpx.AsyncClient,
    runtime: Runtime,
    clock: FakeClock,
    entry: tuple[LiveLesson, dict[str, Any]],
) -> None:
    live, challenge = entry
    big = noisy_frame(1500, 900)  # about 1.3 MB stored
    assert (await upload(api, live, live.student, challenge, big)).status_code == 202
    runtime.settings = runtime.settings.model_copy(update={"storage_quota_mb": 1})
    random_check = first_of(await planned(runtime, live, live.student), ChallengeKind.RANDOM)
    await travel(api, clock, random_check.issued_at, live.student)
    due = (await api.get(live.url("challenges/next"), headers=live.student.headers)).json()

    not_even_a_picture = await upload(api, live, live.student, due["challenge"], b"not decoded")

    assert not_even_a_picture.status_code == 413  # not 415: the bytes were never looked at
    assert not_even_a_picture.json()["code"] == "storage_quota_exceeded"
