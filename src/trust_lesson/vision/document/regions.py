"""Read a document picture by regions: detect text once, read the MRZ rows, the rest if needed.

Where the whole-page reading (``reading.read_whole_page``) spends its time, measured on the
35 specimens: recognising every text box of the page (about 30 per passport, three quarters
of the time), detection on an enlarged page (RapidOCR scales the shorter side up to 736
pixels, so a crop of one band or field is enlarged several times over: running the whole
pipeline on crops is slower than on the page), and whole new passes for the band re-read
and for each rotation. Here text is detected once at a bounded scale; only rows long enough
to be MRZ rows are read; the band is re-read only when that gives no valid MRZ, detected at
its own scale; every other box is read only when the printed fields are needed, that is
when the MRZ does not give a valid reading of the holder's name, number and dates (the
comparison takes the MRZ's values over printed ones). Orientation is settled per box (the
upright check turns a box read upside down), so the page is not re-read rotated.
"""

from __future__ import annotations

import time
from datetime import date

import numpy as np

from trust_lesson.vision.document.mrz import MrzResult
from trust_lesson.vision.document.mrzfind import (
    contiguous_runs,
    group_rows,
    mrz_candidates,
    read_mrz,
    run_length,
)
from trust_lesson.vision.document.ocr import Box, OcrLine, detect_boxes, recognize_boxes
from trust_lesson.vision.document.reading import Reading, fit_size, is_better, mrz_band

# Text is detected with the shorter side at RapidOCR's 736 pixels, the longer side bounded.
DETECT_SHORT_SIDE = 736
DETECT_MAX_SIDE = 1280
MRZ_ROW_LENGTH = 12.0  # rows at least this many times longer than thick may be MRZ rows
BAND_MAX_SIDE = 2560  # the band, read again only when the page gave no valid MRZ


def read_regions(
    image: np.ndarray, *, today: date | None = None, printed_fields: bool = False
) -> Reading:
    """Detect once, read the long rows, then the MRZ band and the other boxes when needed.

    ``printed_fields=True``: the other boxes are read even after a valid MRZ (the caller
    compares a field only the printed text carries, e.g. the issue date)."""
    page = fit_size(image)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    boxes = detect_boxes(page, side=detection_side(page))
    timings["detect"] = time.perf_counter() - start
    chosen = long_rows(boxes)
    start = time.perf_counter()
    lines = recognize_boxes(page, chosen)
    timings["read_rows"] = time.perf_counter() - start
    reading = Reading(page, lines, read_mrz(lines, today=today), 0, timings)
    if not _valid(reading.mrz):
        _reread_band(reading, today)
    if printed_fields or needs_printed_fields(reading.mrz):
        _read_the_rest(reading, [b for b in boxes if b not in chosen], today)
    return reading


def detection_side(image: np.ndarray, bound: int = DETECT_MAX_SIDE) -> int:
    """The longest side text is detected at: RapidOCR's scale, bounded."""
    short, long = sorted(int(side) for side in image.shape[:2])
    return min(round(DETECT_SHORT_SIDE * long / short), bound)


def long_rows(boxes: list[Box]) -> list[Box]:
    """The boxes of rows long enough to be MRZ rows (adjacent pieces of one row together)."""
    pieces = [OcrLine("", 0.0, box) for box in boxes]
    runs = [run for row in group_rows(pieces) for run in contiguous_runs(row)]
    return [piece.box for run in runs if run_length(run) >= MRZ_ROW_LENGTH for piece in run]


def needs_printed_fields(mrz: MrzResult | None) -> bool:
    """Printed fields matter unless a valid MRZ gives the name, the number and both dates."""
    if mrz is None or not mrz.valid:
        return True
    values = (mrz.document_number, mrz.birth_date, mrz.expiry_date)
    named = bool(mrz.surname.value or mrz.given_names.value)
    return not named or any(not field.value for field in values)


def _valid(mrz: MrzResult | None) -> bool:
    return mrz is not None and mrz.valid


def _reread_band(reading: Reading, today: date | None) -> None:
    """The rows around the MRZ candidates, enlarged, detected and read at their own scale."""
    candidates = mrz_candidates(reading.lines)
    if not candidates:
        return
    start = time.perf_counter()
    band = mrz_band(reading.image, candidates)
    lines = recognize_boxes(band, detect_boxes(band, side=detection_side(band, BAND_MAX_SIDE)))
    reading.timings["read_band"] = time.perf_counter() - start
    better = read_mrz(lines, today=today)
    if better is not None and is_better(better, reading.mrz):
        reading.mrz = better


def _read_the_rest(reading: Reading, boxes: list[Box], today: date | None) -> None:
    start = time.perf_counter()
    reading.lines = reading.lines + recognize_boxes(reading.image, boxes)
    reading.timings["read_rest"] = time.perf_counter() - start
    if reading.mrz is None:
        reading.mrz = read_mrz(reading.lines, today=today)
        if not _valid(reading.mrz):
            _reread_band(reading, today)
