"""Pictures for the vision tests: scikit-image's bundled photos (always there) and helpers."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from trust_lesson.vision import decode_image


def jpeg(rgb: np.ndarray, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def webcam_frame(rgb: np.ndarray, *, dx: int = 0, dy: int = 0, seed: int = 0) -> np.ndarray:
    """A 640x480 "webcam" frame of a photo: a 4:3 crop from the top (where the face is),
    shifted by (dx, dy) pixels, with fresh sensor noise."""
    picture = Image.fromarray(rgb)
    margin = max(8, picture.width // 20)
    width = min(picture.width - 2 * margin, (picture.height - 2 * margin) * 4 // 3)
    left, top = (picture.width - width) // 2 + dx, margin + dy
    box = (left, top, left + width, top + width * 3 // 4)
    framed = np.asarray(picture.crop(box).resize((640, 480)), dtype=np.float32)
    noise = np.random.default_rng(seed).normal(0, 2.0, framed.shape)
    return np.clip(framed + noise, 0, 255).astype(np.uint8)


def load(testdata: Path, relative: str) -> np.ndarray:
    return decode_image((testdata / relative).read_bytes()).rgb


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    """Eileen Collins, NASA portrait (scikit-image sample): one frontal face."""
    from skimage import data

    return np.ascontiguousarray(data.astronaut())


@pytest.fixture(scope="session")
def coffee() -> np.ndarray:
    """A cup of coffee (scikit-image sample): no face."""
    from skimage import data

    return np.ascontiguousarray(data.coffee())
