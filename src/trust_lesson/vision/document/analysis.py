"""``analyze_document``: MRZ, labelled fields and portrait of one identity-document picture."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import numpy as np

from trust_lesson.vision.document.fields import TextField, find_fields
from trust_lesson.vision.document.mrz import MrzResult
from trust_lesson.vision.document.portrait import Portrait, find_portrait
from trust_lesson.vision.document.reading import read_whole_page
from trust_lesson.vision.document.regions import read_regions

ReadingMethod = Literal["regions", "whole_page"]


@dataclass(frozen=True)
class DocumentAnalysis:
    """What was read from the document; ``mrz`` is None when no zone could be read."""

    mrz: MrzResult | None
    fields: dict[str, TextField]
    portrait: np.ndarray | None
    portrait_box: tuple[int, int, int, int] | None
    rotation: int
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready summary (the portrait as its box, never its pixels)."""
        return {
            "mrz": self.mrz.to_dict() if self.mrz else {"valid": False},
            "fields": {
                k: {"value": v.value, "label": v.label, "confidence": v.confidence}
                for k, v in self.fields.items()
            },
            "portrait": {"box": list(self.portrait_box)} if self.portrait_box else None,
            "rotation": self.rotation,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }


def analyze_document(
    image: np.ndarray | bytes,
    *,
    today: date | None = None,
    reading_method: ReadingMethod = "regions",
    printed_fields: bool = False,
) -> DocumentAnalysis:
    """Read an identity document: RGB array, or untrusted bytes (decoded safely).

    ``reading_method="whole_page"`` is the first reading (every box of the page), kept as the
    baseline the documents benchmark measures the region reading against. The region reading
    reads the printed fields only when the MRZ does not give the name, number and dates, or
    when asked with ``printed_fields=True``.
    """
    start = time.perf_counter()
    page = _as_rgb(image)
    if reading_method == "regions":
        reading = read_regions(page, today=today, printed_fields=printed_fields)
    else:
        reading = read_whole_page(page, today=today)
    timings = dict(reading.timings)
    t0 = time.perf_counter()
    portrait = _portrait(reading.image)
    timings["portrait"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - start
    return DocumentAnalysis(
        mrz=reading.mrz,
        fields=find_fields(reading.lines),
        portrait=portrait.image if portrait else None,
        portrait_box=portrait.box if portrait else None,
        rotation=reading.rotation,
        timings=timings,
    )


def _portrait(page: np.ndarray) -> Portrait | None:
    return find_portrait(page)


def _as_rgb(image: np.ndarray | bytes) -> np.ndarray:
    if isinstance(image, bytes | bytearray | memoryview):
        from trust_lesson.vision.decode import decode_image

        return decode_image(bytes(image)).rgb
    array = np.asarray(image)
    if array.ndim == 2:
        array = np.stack([array] * 3, axis=-1)
    return np.ascontiguousarray(array[:, :, :3].astype(np.uint8, copy=False))
