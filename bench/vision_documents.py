"""Identity documents: the region reading against the whole-page reading, in the same run.

Run alone with ``flock /tmp/tl-heavy.lock .venv/bin/python bench/vision_documents.py
[TESTDATA]``; ``bench/vision.py`` calls :func:`measure_documents`. Every specimen is read by
both (``analyze_document(..., reading_method=...)``), one after the other, in alternating
order, so the machine's load weighs on both alike. The expected fields come from the
hand-checked MRZ text in ``id_documents/expected_mrz.csv``, parsed by the product's parser.
"""

from __future__ import annotations

import csv
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from trust_lesson.vision.document import analyze_document, parse_mrz
from trust_lesson.vision.document import ocr as document_ocr
from trust_lesson.vision.document.analysis import ReadingMethod

FIELDS = ("document_number", "surname", "given_names", "nationality", "birth_date",
          "expiry_date", "sex")  # fmt: skip
METHODS: tuple[ReadingMethod, ...] = ("regions", "whole_page")
LABELS = {"regions": "ours (regions)", "whole_page": "baseline (whole page)"}
DEFAULT_TESTDATA = Path(__file__).resolve().parents[2] / "shared" / "testdata"


@dataclass(frozen=True)
class DocumentRow:
    file: str
    mrz_valid: bool
    fields_right: int
    fields_expected: int
    seconds: float
    wrong: tuple[str, ...]
    boxes_read: int
    detected_pixels: int


@dataclass(frozen=True)
class MethodResult:
    rows: tuple[DocumentRow, ...]

    @property
    def mrz_valid(self) -> int:
        return sum(r.mrz_valid for r in self.rows)

    @property
    def fields_right(self) -> int:
        return sum(r.fields_right for r in self.rows)

    @property
    def fields_expected(self) -> int:
        return sum(r.fields_expected for r in self.rows)

    @property
    def median_seconds(self) -> float:
        return statistics.median(r.seconds for r in self.rows)

    @property
    def p95_seconds(self) -> float:
        times = sorted(r.seconds for r in self.rows)
        return times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]

    @property
    def median_boxes_read(self) -> float:
        return statistics.median(r.boxes_read for r in self.rows)

    @property
    def median_detected_megapixels(self) -> float:
        return statistics.median(r.detected_pixels for r in self.rows) / 1e6


@dataclass(frozen=True)
class DocumentBenchmark:
    methods: dict[str, MethodResult]
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]

    @property
    def speedup(self) -> float:
        ours, base = self.methods["regions"], self.methods["whole_page"]
        return base.median_seconds / ours.median_seconds


def expected_specimens(testdata: Path) -> list[dict[str, str]]:
    with (testdata / "id_documents" / "expected_mrz.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def expected_lines(row: dict[str, str]) -> list[str]:
    return [row[k] for k in ("line1", "line2", "line3") if row[k]]


def measure_documents(testdata: Path, *, progress: bool = False) -> DocumentBenchmark:
    """Read every specimen both ways and compare the MRZ fields with the expected ones."""
    specs = expected_specimens(testdata)
    load_before = os.getloadavg()
    _warm_up(testdata / "id_documents" / specs[0]["file"])
    rows: dict[str, list[DocumentRow]] = {m: [] for m in METHODS}
    for i, spec in enumerate(specs):
        path = testdata / "id_documents" / spec["file"]
        for method in METHODS if i % 2 == 0 else METHODS[::-1]:
            rows[method].append(_measure_one(path, spec, method))
        if progress:
            _print_pair(rows["regions"][-1], rows["whole_page"][-1])
    results = {m: MethodResult(tuple(r)) for m, r in rows.items()}
    return DocumentBenchmark(results, load_before, os.getloadavg())


def _warm_up(path: Path) -> None:
    """Load the models before anything is timed."""
    image = np.asarray(Image.open(path).convert("RGB"))
    for method in METHODS:
        analyze_document(image, reading_method=method)


def _measure_one(path: Path, spec: dict[str, str], method: ReadingMethod) -> DocumentRow:
    expected = parse_mrz(expected_lines(spec))
    assert expected is not None, spec["file"]
    image = np.asarray(Image.open(path).convert("RGB"))
    before = document_ocr.OcrStats(**vars(document_ocr.stats))
    start = time.perf_counter()
    analysis = analyze_document(image, reading_method=method)
    seconds = time.perf_counter() - start
    after = document_ocr.stats
    got = analysis.mrz.to_dict() if analysis.mrz else {}
    want = expected.to_dict()
    wrong = tuple(f for f in FIELDS if got.get(f) != want[f])
    valid = analysis.mrz is not None and analysis.mrz.valid
    return DocumentRow(
        path.name, valid, len(FIELDS) - len(wrong), len(FIELDS), seconds, wrong,
        after.boxes_read - before.boxes_read, after.detected_pixels - before.detected_pixels,
    )  # fmt: skip


def _print_pair(ours: DocumentRow, base: DocumentRow) -> None:
    def one(r: DocumentRow) -> str:
        valid = "valid" if r.mrz_valid else "-----"
        fields = f"{r.fields_right}/{r.fields_expected}"
        return f"{valid} {fields} {r.seconds:5.2f} s {r.boxes_read:3} boxes"

    print(f"  {ours.file:22} ours {one(ours)} | baseline {one(base)}", flush=True)


def print_documents(result: DocumentBenchmark) -> None:
    n = len(result.methods["regions"].rows)
    before, after = (_load(x) for x in (result.load_before, result.load_after))
    print(f"documents: {n} specimens, each read both ways in the same run")
    print(f"  load average (1, 5, 15 min): {before} before, {after} after; {os.cpu_count()} cores")
    for method in METHODS:
        r = result.methods[method]
        print(f"  {LABELS[method]:22}: median {r.median_seconds:.2f} s, p95 {r.p95_seconds:.2f} s "
              f"per document; MRZ valid {r.mrz_valid}/{n}; MRZ fields right "
              f"{r.fields_right}/{r.fields_expected}; text boxes read (median) "
              f"{r.median_boxes_read:.0f}; detected (median) "
              f"{r.median_detected_megapixels:.2f} Mpx")  # fmt: skip
    print(f"  speed-up (median against median): {result.speedup:.2f}x")


def _load(average: tuple[float, float, float]) -> str:
    return ", ".join(f"{v:.2f}" for v in average)


def main() -> None:
    testdata = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_TESTDATA
    print(f"measuring identity documents in {testdata / 'id_documents'} ...", flush=True)
    print_documents(measure_documents(testdata, progress=True))


if __name__ == "__main__":
    main()
