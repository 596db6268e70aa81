"""Identity documents: MRZ read valid from the picture, fields right, seconds per document.

Run alone with ``python bench/vision_documents.py [TESTDATA]``; ``bench/vision.py`` calls
:func:`measure_documents`. The expected fields come from the hand-checked MRZ text in
``id_documents/expected_mrz.csv``, parsed by the same MRZ parser the product uses.
"""

from __future__ import annotations

import csv
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from trust_lesson.vision.document import analyze_document, parse_mrz

FIELDS = ("document_number", "surname", "given_names", "nationality", "birth_date",
          "expiry_date", "sex")  # fmt: skip
DEFAULT_TESTDATA = Path(__file__).resolve().parents[2] / "shared" / "testdata"


@dataclass(frozen=True)
class DocumentRow:
    file: str
    mrz_valid: bool
    fields_right: int
    fields_expected: int
    seconds: float
    wrong: tuple[str, ...]


@dataclass(frozen=True)
class DocumentBenchmark:
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
    def mean_seconds(self) -> float:
        return statistics.fmean(r.seconds for r in self.rows)

    @property
    def p95_seconds(self) -> float:
        times = sorted(r.seconds for r in self.rows)
        return times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def expected_specimens(testdata: Path) -> list[dict[str, str]]:
    with (testdata / "id_documents" / "expected_mrz.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def expected_lines(row: dict[str, str]) -> list[str]:
    return [row[k] for k in ("line1", "line2", "line3") if row[k]]


def measure_documents(testdata: Path, *, progress: bool = False) -> DocumentBenchmark:
    """Analyse every specimen picture and compare its MRZ fields with the expected ones."""
    rows = []
    for spec in expected_specimens(testdata):
        rows.append(_measure_one(testdata / "id_documents" / spec["file"], spec))
        if progress:
            _print_row(rows[-1])
    return DocumentBenchmark(tuple(rows))


def _print_row(r: DocumentRow) -> None:
    fields = f"{r.fields_right}/{r.fields_expected}"
    wrong = " ".join(r.wrong)
    print(f"  {r.file:28} valid={r.mrz_valid!s:5} fields {fields} {r.seconds:5.2f} s {wrong}")


def _measure_one(path: Path, spec: dict[str, str]) -> DocumentRow:
    expected = parse_mrz(expected_lines(spec))
    assert expected is not None, spec["file"]
    image = np.asarray(Image.open(path).convert("RGB"))
    start = time.perf_counter()
    analysis = analyze_document(image)
    seconds = time.perf_counter() - start
    got = analysis.mrz.to_dict() if analysis.mrz else {}
    want = expected.to_dict()
    wrong = tuple(f for f in FIELDS if got.get(f) != want[f])
    valid = analysis.mrz is not None and analysis.mrz.valid
    return DocumentRow(path.name, valid, len(FIELDS) - len(wrong), len(FIELDS), seconds, wrong)


def print_documents(result: DocumentBenchmark) -> None:
    n = len(result.rows)
    print(f"documents: {n} specimens")
    print(f"  MRZ read valid from the picture: {result.mrz_valid}/{n}")
    print(f"  MRZ fields right: {result.fields_right}/{result.fields_expected} "
          f"({100 * result.fields_right / max(result.fields_expected, 1):.1f} %)")  # fmt: skip
    print(f"  seconds per document: mean {result.mean_seconds:.2f}, p95 {result.p95_seconds:.2f}")


def main() -> None:
    testdata = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_TESTDATA
    print(f"measuring identity documents in {testdata / 'id_documents'} ...", flush=True)
    print_documents(measure_documents(testdata, progress=True))


if __name__ == "__main__":
    main()
