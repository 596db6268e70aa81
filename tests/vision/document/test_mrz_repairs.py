"""OCR slips in clean zones: a repair is kept only when it is the one reading that passes.

Every single look-alike change to every clean zone, and every double change to one zone of
each format, is parsed again; the parser may never write into a field its check digits
protect a character the clean zone does not hold there (``bench/mrz_repairs.py`` runs the
double changes of every zone).
"""

import csv
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from tests.vision.document import mrz_vectors as v
from trust_lesson.vision.document import MrzResult, parse_mrz
from trust_lesson.vision.document.layouts import layout_for

TODAY = date(2025, 1, 1)


def wrong_writes(changed: Sequence[str], result: MrzResult, clean: Sequence[str]) -> list[str]:
    """Characters the parser wrote into a check-digit protected field that the clean zone
    does not hold there (a wrong repair), as 'line:position'."""
    layout = layout_for(tuple(clean))
    assert layout is not None
    spans = [layout.number, layout.number_check, layout.birth_date, layout.birth_check,
             layout.expiry_date, layout.expiry_check, *layout.optional]  # fmt: skip
    return [
        f"{line}:{i}"
        for line, start, end in spans
        for i in range(start, end)
        if result.lines[line][i] != changed[line][i] and result.lines[line][i] != clean[line][i]
    ]


def clean_zones(testdata: Path) -> list[tuple[str, ...]]:
    with (testdata / "id_documents" / "expected_mrz.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["check_digits_valid"] == "True"]
    specimens = [tuple(r[k] for k in ("line1", "line2", "line3") if r[k]) for r in rows]
    return list(dict.fromkeys([*specimens, *v.VALID_ZONES]))


def wrong_repairs(
    zone: tuple[str, ...], count: int
) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    clean = parse_mrz(zone, today=TODAY)
    assert clean is not None and clean.valid, zone
    wrong = []
    for changed in v.ocr_changes(zone, count):
        result = parse_mrz(changed, today=TODAY)
        if result is None or not result.valid:
            continue
        if wrong_writes(changed, result, zone):
            wrong.append((changed, result.repairs))
    return wrong


def test_no_single_ocr_slip_is_repaired_into_another_passing_value(testdata: Path) -> None:
    zones = clean_zones(testdata)

    wrong = [w for zone in zones for w in wrong_repairs(zone, 1)]

    assert len(zones) >= 30 and wrong == []


def test_no_double_ocr_slip_is_repaired_into_another_passing_value() -> None:
    for zone in (v.TD1_BELGIAN, v.TD2_EXTENDED, v.UTO_TD3):
        assert wrong_repairs(zone, 2) == [], zone


def test_slips_in_digits_only_fields_are_still_read_back() -> None:
    changed = (v.UTO_TD3[0], v.UTO_TD3[1].replace("7408122", "74O8I22"))

    result = parse_mrz(changed, today=TODAY)

    assert result is not None and result.valid and result.lines == v.UTO_TD3
