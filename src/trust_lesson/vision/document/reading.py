"""Read a document picture by whole-image OCR passes: the page, the MRZ band, rotations.

This is the first reading the product had, kept as the baseline ``bench/vision_documents.py``
measures the region reading (``regions.py``, the product's) against in the same run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from PIL import Image

from trust_lesson.vision.document.mrz import MrzResult
from trust_lesson.vision.document.mrzfind import mrz_candidates, read_mrz
from trust_lesson.vision.document.ocr import OcrLine, read_lines

MIN_SIDE = 640  # smaller pictures are upscaled before OCR
MAX_SIDE = 1600  # larger ones are downscaled
BAND_LINE_HEIGHT = 32  # pixels per MRZ line when the band is read again


@dataclass
class Reading:
    """Everything OCR found on one document, in the coordinates of ``image``."""

    image: np.ndarray
    lines: list[OcrLine]
    mrz: MrzResult | None
    rotation: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def read_whole_page(image: np.ndarray, *, today: date | None = None) -> Reading:
    """OCR the page; if the MRZ is missing or fails its checks, re-read its band, then rotate."""
    scaled = fit_size(image)
    reading = _read_page(scaled, 0, today)
    if reading.mrz is None or not reading.mrz.valid:
        _improve_from_band(reading, today)
    for rotation in (90, 270, 180):
        if reading.mrz is not None:
            break
        turned = _read_page(np.rot90(scaled, k=rotation // 90).copy(), rotation, today)
        turned.timings.update({f"{k}_{rotation}": v for k, v in reading.timings.items()})
        if turned.mrz is None or not turned.mrz.valid:
            _improve_from_band(turned, today)
        reading = turned
    return reading


def _read_page(image: np.ndarray, rotation: int, today: date | None) -> Reading:
    start = time.perf_counter()
    lines = read_lines(image)
    timings = {"ocr_page": time.perf_counter() - start}
    return Reading(image, lines, read_mrz(lines, today=today), rotation, timings)


def _improve_from_band(reading: Reading, today: date | None) -> None:
    """Crop the rows around the MRZ candidates, enlarge, OCR again; keep the better MRZ."""
    candidates = mrz_candidates(reading.lines)
    if not candidates:
        return
    start = time.perf_counter()
    band = mrz_band(reading.image, candidates)
    lines = read_lines(band)
    reading.timings["ocr_band"] = time.perf_counter() - start
    better = read_mrz(lines, today=today)
    if better is not None and is_better(better, reading.mrz):
        reading.mrz = better


def is_better(new: MrzResult, old: MrzResult | None) -> bool:
    """Valid beats invalid, then more check digits confirmed."""
    if old is None:
        return True
    return (new.valid, sum(c.valid for c in new.checks)) > (
        old.valid,
        sum(c.valid for c in old.checks),
    )


def mrz_band(image: np.ndarray, candidates: list[OcrLine]) -> np.ndarray:
    """The page's full-width strip holding the candidates and three line heights around."""
    ys = [y for line in candidates for _, y in line.box]
    xs = [x for line in candidates for x, _ in line.box]
    line_height = max(min(line.height, line.width) for line in candidates)
    vertical = all(line.height > line.width for line in candidates)
    h, w = image.shape[:2]
    if vertical:
        left = max(int(min(xs) - 3 * line_height), 0)
        right = min(int(max(xs) + 3 * line_height), w)
        crop = np.rot90(image[:, left:right], k=-1)
    else:
        top = max(int(min(ys) - 3 * line_height), 0)
        bottom = min(int(max(ys) + 3 * line_height), h)
        crop = image[top:bottom]
    return _resize(crop, BAND_LINE_HEIGHT / max(line_height, 1.0))


def fit_size(image: np.ndarray) -> np.ndarray:
    """The page at the scale both readings use (upscaled below MIN_SIDE, downscaled above)."""
    longest = max(image.shape[:2])
    if longest < MIN_SIDE:
        return _resize(image, MIN_SIDE / longest)
    if longest > MAX_SIDE:
        return _resize(image, MAX_SIDE / longest)
    return image


def _resize(image: np.ndarray, factor: float) -> np.ndarray:
    if abs(factor - 1) < 0.05:
        return image
    h, w = image.shape[:2]
    size = (max(int(w * factor), 1), max(int(h * factor), 1))
    return np.asarray(Image.fromarray(image).resize(size, Image.Resampling.LANCZOS))
