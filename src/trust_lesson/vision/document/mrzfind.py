"""Find the machine-readable zone among OCR lines and read it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from trust_lesson.vision.document.checkdigit import FILLER
from trust_lesson.vision.document.layouts import MIN_LINE_SHARE
from trust_lesson.vision.document.mrz import MrzResult, parse_mrz
from trust_lesson.vision.document.mrztext import mrz_char_share, normalize_line
from trust_lesson.vision.document.ocr import OcrLine

MIN_LENGTH = 20
MIN_MRZ_SHARE = 0.9
_FILLER_RUN = re.compile(r"<{2,}")


def mrz_candidates(lines: Sequence[OcrLine]) -> list[OcrLine]:
    """Lines that look like MRZ, pieces of one row joined, in reading order (top first)."""
    rows = _join_rows([line for line in lines if _looks_like_mrz(line.text)])
    return sorted(rows, key=lambda line: _across(line, rows[0]) if rows else 0.0)


def _looks_like_mrz(text: str) -> bool:
    clean = normalize_line(text)
    if len(clean) < 8 or mrz_char_share(text) < MIN_MRZ_SHARE:
        return False
    return FILLER in clean or sum(c.isdigit() for c in clean) >= 12


def _direction(line: OcrLine) -> tuple[float, float]:
    """Unit vector along the text: the longer side of its box (vertical text included)."""
    (x0, y0), (x1, y1), _, (x3, y3) = line.box
    dx, dy = (x1 - x0, y1 - y0) if line.width >= line.height else (x3 - x0, y3 - y0)
    length = max((dx * dx + dy * dy) ** 0.5, 1e-6)
    return dx / length, dy / length


def _across(line: OcrLine, reference: OcrLine) -> float:
    """Position of ``line`` across the text direction of ``reference`` (handles rotation)."""
    dx, dy = _direction(reference)
    cx, cy = line.center
    return cx * -dy + cy * dx


def _along(line: OcrLine, reference: OcrLine) -> float:
    dx, dy = _direction(reference)
    cx, cy = line.center
    return cx * dx + cy * dy


def group_rows(pieces: Sequence[OcrLine]) -> list[list[OcrLine]]:
    """Pieces of one printed row together (same band across the text), in the order given."""
    rows: list[list[OcrLine]] = []
    for piece in pieces:
        for row in rows:
            thickness = min(row[0].height, row[0].width)
            if abs(_across(piece, row[0]) - _across(row[0], row[0])) < 0.5 * thickness:
                row.append(piece)
                break
        else:
            rows.append([piece])
    return rows


def contiguous_runs(row: Sequence[OcrLine], gap: float = 1.5) -> list[list[OcrLine]]:
    """A row's pieces split where they are more than ``gap`` thicknesses apart."""
    first = row[0]
    thickness = max(min(first.height, first.width), 1.0)

    def span(piece: OcrLine) -> tuple[float, float]:
        ends = [_along_point(point, first) for point in piece.box]
        return min(ends), max(ends)

    runs: list[list[OcrLine]] = []
    reach = 0.0
    for piece in sorted(row, key=lambda p: span(p)[0]):
        low, high = span(piece)
        if runs and low - reach <= gap * thickness:
            runs[-1].append(piece)
            reach = max(reach, high)
        else:
            runs.append([piece])
            reach = high
    return runs


def run_length(run: Sequence[OcrLine]) -> float:
    """How many times longer than thick a run of pieces is (an MRZ row: 20 to 40 times)."""
    first = run[0]
    ends = [_along_point(p, first) for piece in run for p in piece.box]
    return (max(ends) - min(ends)) / max(min(first.height, first.width), 1.0)


def _along_point(point: tuple[float, float], reference: OcrLine) -> float:
    dx, dy = _direction(reference)
    return point[0] * dx + point[1] * dy


def _join_rows(pieces: list[OcrLine]) -> list[OcrLine]:
    """Join pieces OCR split from one printed row (same band across the text, side by side)."""
    return [_merge(row) for row in group_rows(pieces)]


def _merge(row: list[OcrLine]) -> OcrLine:
    if len(row) == 1:
        return row[0]
    row = sorted(row, key=lambda p: _along(p, row[0]))
    text = "".join(normalize_line(p.text) for p in row)
    score = min(p.score for p in row)
    return OcrLine(text, score, (row[0].box[0], row[-1].box[1], row[-1].box[2], row[0].box[3]))


def read_mrz(lines: Sequence[OcrLine], *, today: date | None = None) -> MrzResult | None:
    """The best-checking MRZ reading among runs of 2 or 3 consecutive candidate lines."""
    rows = mrz_candidates(lines)
    best: tuple[tuple[bool, int, bool, int], MrzResult] | None = None
    for start in range(len(rows)):
        for count in (2, 3):
            window = rows[start : start + count]
            if len(window) < count:
                continue
            for ordered in (window, window[::-1]):
                result = _parse_window(ordered, today)
                rank = _rank(result, forward=ordered is window)
                if result is not None and (best is None or rank > best[0]):
                    best = (rank, result)
    return best[1] if best else None


def _rank(result: MrzResult | None, *, forward: bool) -> tuple[bool, int, bool, int]:
    """Valid first, then more confirmed check digits, reading order, fewer repairs."""
    if result is None:
        return (False, -1, False, 0)
    confirmed = sum(c.valid for c in result.checks)
    return (result.valid, confirmed, forward, -len(result.repairs))


def _parse_window(window: Sequence[OcrLine], today: date | None) -> MrzResult | None:
    texts = [normalize_line(line.text) for line in window]
    width = _width_for(texts)
    if width is None:
        return None
    names = [_is_name_row(i, len(texts)) for i in range(len(texts))]
    if any(
        len(t) < MIN_LINE_SHARE * width for t, name in zip(texts, names, strict=True) if not name
    ):
        return None  # a short row (the Swiss driving licence's 9 characters) is another layout
    fitted = [_fit(text, width, is_name=name) for text, name in zip(texts, names, strict=True)]
    return parse_mrz(fitted, scores=[line.score for line in window], today=today)


def _width_for(texts: list[str]) -> int | None:
    longest = max(len(t) for t in texts)
    if len(texts) == 3:
        return 30 if 24 <= longest <= 34 else None
    if 31 <= longest <= 39:
        return 36
    return 44 if 40 <= longest <= 50 else None


def _is_name_row(index: int, count: int) -> bool:
    return index == (2 if count == 3 else 0)


def _fit(text: str, width: int, *, is_name: bool) -> str:
    """Bring an OCR row to the format width: fillers lost or gained in runs are restored."""
    if len(text) > width:
        text = _shrink(text, width)
    if len(text) < width and not is_name:
        runs = list(_FILLER_RUN.finditer(text))
        if runs:
            longest = max(runs, key=lambda m: len(m.group()))
            pad = FILLER * (width - len(text))
            text = text[: longest.start()] + pad + text[longest.start() :]
    return text.ljust(width, FILLER)[:width]


def _shrink(text: str, width: int) -> str:
    while len(text) > width and FILLER * 3 in text:
        index = text.rindex(FILLER * 3)
        text = text[:index] + text[index + 1 :]
    return text[:width]
