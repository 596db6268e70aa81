"""Finding the zone among OCR lines: ICAO zones are read, other layouts are not forced in."""

from tests.vision.document import mrz_vectors as v
from trust_lesson.vision.document.mrzfind import read_mrz
from trust_lesson.vision.document.ocr import OcrLine


def ocr_lines(zone: tuple[str, ...]) -> list[OcrLine]:
    """The zone's rows as OCR returns them: 12 px per character, 40 px apart."""
    return [
        OcrLine(text, 0.97, ((0, y), (12 * len(text), y), (12 * len(text), y + 30), (0, y + 30)))
        for text, y in zip(zone, range(600, 800, 40), strict=False)
    ]


def test_an_extended_td1_number_is_read_from_ocr_lines() -> None:
    result = read_mrz(ocr_lines(v.TD1_BELGIAN))

    assert result is not None and result.valid and result.document_number.value == "592123457781"


def test_a_swiss_driving_licence_is_not_padded_into_a_td1() -> None:
    assert read_mrz(ocr_lines(v.SWISS_DRIVING_LICENCE)) is None


def test_a_french_identity_card_is_not_read_as_a_td2() -> None:
    assert read_mrz(ocr_lines(v.FRENCH_ID)) is None
