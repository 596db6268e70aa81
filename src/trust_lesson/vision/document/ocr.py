"""Text lines with boxes from RapidOCR (ONNX Runtime), loaded once per process."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

Point = tuple[float, float]

_engine: Any = None
_engine_lock = threading.Lock()
_run_lock = threading.Lock()


@dataclass(frozen=True)
class OcrLine:
    """One line of text as read, its recognition score (0-1) and its four corners."""

    text: str
    score: float
    box: tuple[Point, Point, Point, Point]

    @property
    def center(self) -> Point:
        xs, ys = zip(*self.box, strict=True)
        return (sum(xs) / 4, sum(ys) / 4)

    @property
    def height(self) -> float:
        (x0, y0), _, _, (x3, y3) = self.box
        return float(np.hypot(x3 - x0, y3 - y0))

    @property
    def width(self) -> float:
        (x0, y0), (x1, y1), _, _ = self.box
        return float(np.hypot(x1 - x0, y1 - y0))


def _get_engine() -> Any:
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                from rapidocr_onnxruntime import RapidOCR

                _engine = RapidOCR()
    return _engine


def read_lines(image: np.ndarray, *, detect: bool = True) -> list[OcrLine]:
    """OCR an RGB image; with ``detect=False`` the whole image is read as one line."""
    engine = _get_engine()
    bgr = np.ascontiguousarray(image[:, :, ::-1])
    with _run_lock:  # one inference at a time per process keeps memory and cores in check
        result, _ = engine(bgr, use_det=detect, use_cls=True, use_rec=True)
    if not result:
        return []
    if not detect:
        h, w = image.shape[:2]
        box = ((0.0, 0.0), (float(w), 0.0), (float(w), float(h)), (0.0, float(h)))
        return [OcrLine(str(text), float(score), box) for text, score in result]
    return [_line(item) for item in result]


def _line(item: Any) -> OcrLine:
    corners, text, score = item
    pts = tuple((float(x), float(y)) for x, y in corners)
    return OcrLine(str(text), float(score), (pts[0], pts[1], pts[2], pts[3]))
