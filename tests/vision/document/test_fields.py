"""Labels printed next to values are recognised in several languages; dates are normalised."""

from datetime import date

from trust_lesson.vision.document.fields import find_fields, label_of, parse_printed_date
from trust_lesson.vision.document.ocr import OcrLine


def line(text: str, x: float, y: float, width: float = 120, height: float = 12) -> OcrLine:
    return OcrLine(text, 0.95, ((x, y), (x + width, y), (x + width, y + height), (x, y + height)))


def test_labels_are_recognised_as_ocr_prints_them() -> None:
    assert label_of("04DATUMNAROZEN/DATEOFIRTH/DATEDENASSANCE") == "birth_date"
    assert label_of("02JMENO/GIVENNAMES/PRENOM") == "given_names"
    assert label_of("SURNAMENAME") == "surname"
    assert label_of("Sex") == "sex"
    assert label_of("KOWALSKA-KWIATKOWSKA") is None


def test_printed_dates_in_the_usual_shapes_become_iso_dates() -> None:
    assert parse_printed_date("21.12.1971") == date(1971, 12, 21)
    assert parse_printed_date("01JAN 1976") == date(1976, 1, 1)
    assert parse_printed_date("2005-01-01") == date(2005, 1, 1)
    assert parse_printed_date("31:3AN/3AN-15") is None


def test_the_value_under_each_label_is_taken() -> None:
    page = [
        line("Surname/Nom", 100, 80, height=8),
        line("Virtanen", 100, 90),
        line("Date of birth", 100, 170, height=8),
        line("21.12.1971", 100, 180),
    ]

    fields = find_fields(page)

    assert fields["surname"].value == "VIRTANEN"
    assert fields["birth_date"].value == "1971-12-21"
