"""The holder's photo on a document, cropped for matching against a selfie (dlib HOG)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

DETECT_SIDE = 800  # the page is searched at this longest side
MARGIN = 0.35  # crop margin around the face box, as a share of its size
MIN_FACE_SHARE = 0.04  # faces smaller than this share of the page height are not portraits

_detector: Any = None
_lock = threading.Lock()


@dataclass(frozen=True)
class Portrait:
    """The cropped photo (RGB) and where it was found, in page pixels."""

    image: np.ndarray
    box: tuple[int, int, int, int]  # left, top, right, bottom
    score: float


def _get_detector() -> Any:
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                import dlib

                _detector = dlib.get_frontal_face_detector()
    return _detector


def find_portrait(page: np.ndarray) -> Portrait | None:
    """The largest face on the page with a margin around it, or None."""
    factor = min(DETECT_SIDE / max(page.shape[:2]), 2.0)
    small = _resize(page, factor)
    detector = _get_detector()
    with _lock:  # dlib detectors are not documented as thread-safe
        boxes, scores, _ = detector.run(small, 1, 0.0)
    faces = [
        (_scale_box(b, 1 / factor), float(s))
        for b, s in zip(boxes, scores, strict=True)
        if (b.bottom() - b.top()) / factor >= MIN_FACE_SHARE * page.shape[0]
    ]
    if not faces:
        return None
    box, score = max(faces, key=lambda f: (f[0][2] - f[0][0]) * (f[0][3] - f[0][1]))
    return Portrait(_crop(page, box), box, score)


def _scale_box(rect: Any, factor: float) -> tuple[int, int, int, int]:
    return (
        int(rect.left() * factor),
        int(rect.top() * factor),
        int(rect.right() * factor),
        int(rect.bottom() * factor),
    )


def _crop(page: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    left, top, right, bottom = box
    dx, dy = int((right - left) * MARGIN), int((bottom - top) * MARGIN)
    h, w = page.shape[:2]
    crop = page[max(top - dy, 0) : min(bottom + dy, h), max(left - dx, 0) : min(right + dx, w)]
    return np.ascontiguousarray(crop)


def _resize(image: np.ndarray, factor: float) -> np.ndarray:
    if abs(factor - 1) < 0.05:
        return np.ascontiguousarray(image)
    h, w = image.shape[:2]
    size = (max(int(w * factor), 1), max(int(h * factor), 1))
    return np.asarray(Image.fromarray(image).resize(size, Image.Resampling.BILINEAR))
