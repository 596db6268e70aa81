"""Biometric stories: leak-guarded clients (R13), people, consent and selfies to enrol."""

import io
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from fastapi import FastAPI
from PIL import Image

from tests.support.http import service_client

FACES = "face_verification/deepface"
JOLIE = (f"{FACES}/img2.jpg", f"{FACES}/img4.jpg", f"{FACES}/img5.jpg")
PERRY = f"{FACES}/img27.jpg"
GROUP_PHOTO = "face_detection/multi_face/couple.jpg"
NO_FACE = "face_detection/no_face/coffee.png"


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with service_client(app) as http:
        yield http


def jpeg(rgb: np.ndarray, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def astronaut_selfies() -> list[bytes]:
    """Two different pictures of one face, always available (scikit-image's astronaut)."""
    from skimage import data

    rgb = np.ascontiguousarray(data.astronaut())  # type: ignore[no-untyped-call]
    closer = np.ascontiguousarray(rgb[20:420, 60:460])
    return [jpeg(rgb), jpeg(closer, quality=85)]


def files(*pictures: bytes | tuple[str, bytes]) -> list[tuple[str, Any]]:
    """Multipart `images` parts; a picture is bytes or (file name, bytes)."""
    parts = []
    for number, picture in enumerate(pictures, start=1):
        name, content = picture if isinstance(picture, tuple) else (f"selfie{number}.jpg", picture)
        parts.append(("images", (name, content, "image/jpeg")))
    return parts


def read(testdata: Path, *relative: str) -> list[tuple[str, bytes]]:
    return [(Path(name).name, (testdata / name).read_bytes()) for name in relative]


def numeric_lists(value: Any) -> Iterator[list[Any]]:
    """Every list of numbers inside a JSON value (an embedding would be one of 128)."""
    if isinstance(value, dict):
        for inner in value.values():
            yield from numeric_lists(inner)
    elif isinstance(value, list):
        if value and all(isinstance(item, int | float) for item in value):
            yield value
        for inner in value:
            yield from numeric_lists(inner)


def assert_no_embedding(response: httpx.Response) -> None:
    """R13: no embedding-sized vector and no key naming one in the body."""
    assert "embedding" not in response.text
    body = response.json() if response.content else None
    assert all(len(found) < 16 for found in numeric_lists(body)), response.text[:300]
