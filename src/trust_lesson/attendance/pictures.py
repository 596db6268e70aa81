"""A capture's picture as a reviewer sees it: decoded and re-encoded, so no metadata leaves."""

import anyio

from trust_lesson.errors import NotFound
from trust_lesson.models import Capture
from trust_lesson.storage.blobs import BlobNotFound, BlobStore
from trust_lesson.vision import decode_image
from trust_lesson.vision.decode import clean_jpeg


async def review_picture(*, blobs: BlobStore, capture: Capture) -> bytes:
    """JPEG bytes with no EXIF, comment or profile; 404 once the picture has been purged."""
    if capture.blob_key is None:
        raise NotFound("This picture is no longer kept.")
    try:
        stored = await blobs.get(capture.blob_key)
    except BlobNotFound:
        raise NotFound("This picture is no longer kept.") from None
    return await anyio.to_thread.run_sync(_reencode, stored)


def _reencode(stored: bytes) -> bytes:
    return clean_jpeg(decode_image(stored).rgb)
