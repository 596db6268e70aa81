import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from trust_lesson.storage.blobs import BlobNotFound, BlobStore, BlobStoreUnavailable

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


async def test_a_picture_is_stored_under_a_fresh_key_with_its_hash(tmp_path: Path) -> None:
    blobs = BlobStore.from_settings(None, tmp_path)

    first = await blobs.put(b"picture", kind="captures", now=NOW, suffix=".jpg")
    second = await blobs.put(b"picture", kind="captures", now=NOW, suffix=".jpg")

    assert first.key != second.key
    assert first.key.startswith("captures/2026/03/02/") and first.key.endswith(".jpg")
    assert first.sha256 == hashlib.sha256(b"picture").hexdigest()
    assert await blobs.get(first.key) == b"picture"
    assert (tmp_path / "blobs" / first.key).is_file()


async def test_a_deleted_picture_is_gone(tmp_path: Path) -> None:
    blobs = BlobStore.from_settings(None, tmp_path)
    stored = await blobs.put(b"picture", kind="captures", now=NOW, suffix=".jpg")

    await blobs.delete(stored.key)
    await blobs.delete(stored.key)

    with pytest.raises(BlobNotFound):
        await blobs.get(stored.key)


async def test_an_unreachable_store_is_reported_as_unavailable(tmp_path: Path) -> None:
    blobs = BlobStore.from_settings(
        "s3://no-such-bucket?endpoint=http://127.0.0.1:9&allow_http=true"
        "&access_key_id=x&secret_access_key=y&region=us-east-1",
        tmp_path,
    )

    with pytest.raises(BlobStoreUnavailable):
        await blobs.put(b"picture", kind="captures", now=NOW, suffix=".jpg")
    assert not await blobs.ping()
