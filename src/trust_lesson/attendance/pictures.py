"""A stored picture (or a burst's frame) as a reviewer sees it: decoded and re-encoded, so no
metadata leaves."""

import anyio

from trust_lesson.attendance.bursts import Burst, frame_key
from trust_lesson.errors import NotFound
from trust_lesson.models import Capture
from trust_lesson.storage.blobs import BlobNotFound, BlobStore
from trust_lesson.vision import decode_image
from trust_lesson.vision.decode import clean_jpeg


async def review_picture(*, blobs: BlobStore, capture: Capture) -> bytes:
    return await stored_picture(blobs=blobs, key=capture.blob_key)


async def review_frame(
    *, blobs: BlobStore, capture: Capture, burst: Burst | None, number: int
) -> bytes:
    """Frame ``number`` (1-based) of a liveness burst; 404 outside the burst or once purged."""
    key = frame_key(capture=capture, burst=burst, number=number)
    return await stored_picture(blobs=blobs, key=key)


async def stored_picture(*, blobs: BlobStore, key: str | None) -> bytes:
    """JPEG bytes with no EXIF, comment or profile; 404 once the picture has been purged."""
    if key is None:
        raise NotFound("This picture is no longer kept.")
    try:
        stored = await blobs.get(key)
    except BlobNotFound:
        raise NotFound("This picture is no longer kept.") from None
    return await anyio.to_thread.run_sync(_reencode, stored)


def _reencode(stored: bytes) -> bytes:
    return clean_jpeg(decode_image(stored).rgb)
