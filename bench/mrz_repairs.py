"""MRZ repairs: every single and double OCR-style change to cleanly read MRZs, parsed again.

Run with ``python bench/mrz_repairs.py [TESTDATA]``. The clean zones are the valid specimens of
``id_documents/expected_mrz.csv`` and the ICAO 9303 vectors of ``tests/vision/document``. Each
character is changed into what OCR typically reads instead of it (0->O/D/Q, 1->I/L, 2->Z,
4->A, 5->S, 6->G, 7->T, 8->B and back, the filler '<' -> K or C), one or two at a time, and the
parser reads the result. Outcomes per changed zone:

- ``right``: valid, and every field the check digits protect equals the clean reading;
- ``wrong repair``: valid, and the parser wrote into a check-digit protected field a
  character the clean zone does not hold there (the goal is 0);
- ``undetected``: valid with a protected field changed that nothing repaired: the slip passes
  the check digits as printed (K for '<', L for 1 and G for 6 differ by 20 or 10, which
  weigh 0 modulo 10);
- ``refused``: not valid (check digits fail or the read is ambiguous) or no format found.
"""

from __future__ import annotations

import csv
import sys
import time
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' vectors

from tests.vision.document.mrz_vectors import VALID_ZONES, ocr_changes
from tests.vision.document.test_mrz_repairs import wrong_writes

from trust_lesson.vision.document import parse_mrz

PROTECTED = ("document_number", "birth_date", "expiry_date", "optional_data", "optional_data_2")
TODAY = date(2025, 1, 1)
DEFAULT_TESTDATA = Path(__file__).resolve().parents[2] / "shared" / "testdata"


def clean_zones(testdata: Path) -> list[tuple[str, ...]]:
    """The valid specimens' zones and the ICAO vectors the tests use, each once."""
    zones: dict[tuple[str, ...], None] = {}
    with (testdata / "id_documents" / "expected_mrz.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["check_digits_valid"] == "True":
                zones[tuple(row[k] for k in ("line1", "line2", "line3") if row[k])] = None
    zones.update(dict.fromkeys(VALID_ZONES))
    return list(zones)


def protected(zone: Sequence[str]) -> dict[str, object]:
    result = parse_mrz(zone, today=TODAY)
    assert result is not None
    data = result.to_dict()
    return {k: data.get(k) for k in PROTECTED}


def outcome(changed: tuple[str, ...], zone: tuple[str, ...], clean: dict[str, object]) -> str:
    result = parse_mrz(changed, today=TODAY)
    if result is None or not result.valid:
        return "refused"
    data = result.to_dict()
    if all(data.get(k) == clean[k] for k in PROTECTED):
        return "right"
    return "wrong repair" if wrong_writes(changed, result, zone) else "undetected"


def measure(zones: list[tuple[str, ...]]) -> dict[int, Counter[str]]:
    counts: dict[int, Counter[str]] = {1: Counter(), 2: Counter()}
    for zone in zones:
        clean = protected(zone)
        for count in (1, 2):
            for changed in ocr_changes(zone, count):
                counts[count][outcome(changed, zone, clean)] += 1
    return counts


def main() -> None:
    testdata = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_TESTDATA
    zones = clean_zones(testdata)
    start = time.perf_counter()
    counts = measure(zones)
    total = counts[1] + counts[2]
    print(f"{len(zones)} clean zones, {sum(total.values())} changed readings "
          f"({time.perf_counter() - start:.0f} s)")  # fmt: skip
    for label, c in (("single", counts[1]), ("double", counts[2]), ("all", total)):
        n = sum(c.values())
        parts = ", ".join(f"{k} {c[k]}" for k in ("right", "wrong repair", "undetected", "refused"))
        print(f"  {label:6} changes: {n:6}  {parts}")


if __name__ == "__main__":
    main()
