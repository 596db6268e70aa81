"""ICAO 9303 in full: extended numbers, optional data, empty surnames, other layouts refused."""

from datetime import date

import pytest

from tests.vision.document import mrz_vectors as v
from trust_lesson.vision.document import parse_mrz

TODAY = date(2025, 1, 1)


def test_a_td1_number_longer_than_nine_characters_continues_in_the_optional_data() -> None:
    result = parse_mrz(v.TD1_EXTENDED, today=TODAY)

    assert result is not None and result.valid
    assert result.document_number.value == "D23145890734"
    assert result.optional_data.value == "" and result.optional_data_2.value == ""
    assert {c.name: c.printed for c in result.checks}["document_number"] == "9"


def test_a_td2_number_continues_in_the_optional_data_of_line_two() -> None:
    result = parse_mrz(v.TD2_EXTENDED, today=TODAY)

    assert result is not None and result.valid and result.format == "TD2"
    assert result.document_number.value == "D23145890734"
    assert (result.surname.value, result.given_names.value) == ("ERIKSSON", "ANNA MARIA")


@pytest.mark.parametrize(
    ("zone", "number", "country"),
    [(v.TD1_BELGIAN, "592123457781", "BEL"), (v.TD1_PORTUGUESE, "012345678ZZ4", "PRT")],
)
def test_belgian_and_portuguese_digits_computed_over_the_filler_are_valid(
    zone: tuple[str, ...], number: str, country: str
) -> None:
    result = parse_mrz(zone, today=TODAY)

    assert result is not None and result.valid, result
    assert result.document_number.value == number and result.issuing_state.value == country


def test_a_wrong_extended_number_digit_is_caught_in_both_forms() -> None:
    tampered = (v.TD1_BELGIAN[0].replace("7816", "7817"), *v.TD1_BELGIAN[1:])

    result = parse_mrz(tampered, today=TODAY)

    assert result is not None and not result.valid


def test_td1_keeps_the_optional_data_of_both_lines_with_the_fillers_inside() -> None:
    result = parse_mrz(v.TD1_OPTIONAL, today=TODAY)
    latvian = parse_mrz(v.TD1_LATVIAN, today=TODAY)

    assert result is not None and result.valid
    assert (result.optional_data.value, result.optional_data_2.value) == ("12<34<56", "AB<12")
    assert latvian is not None and latvian.valid
    assert latvian.optional_data.value == "121282<88882"


def test_belgian_line_two_optional_data_is_kept_after_an_extended_number() -> None:
    result = parse_mrz(v.TD1_BELGIAN, today=TODAY)

    assert result is not None
    assert (result.optional_data.value, result.optional_data_2.value) == ("", "85010112345")


def test_an_empty_primary_identifier_leaves_the_surname_empty() -> None:
    result = parse_mrz(v.TD3_NO_SURNAME, today=TODAY)

    assert result is not None and result.valid
    assert (result.surname.value, result.given_names.value) == ("", "ANNA MARIA")


@pytest.mark.parametrize("zone", [v.FRENCH_ID, v.SWISS_DRIVING_LICENCE])
def test_layouts_outside_icao_9303_are_refused_not_forced_into_td1_or_td2(
    zone: tuple[str, ...],
) -> None:
    assert parse_mrz(zone, today=TODAY) is None


def test_a_lone_k_in_the_filler_padding_is_read_as_the_filler() -> None:
    names = v.UTO_TD3[0][:28] + "K" + v.UTO_TD3[0][29:]
    optional = v.UTO_TD3[1][:40] + "K" + v.UTO_TD3[1][41:]

    result = parse_mrz((names, optional), today=TODAY)

    assert result is not None and result.valid
    assert result.given_names.value == "ANNA MARIA" and result.optional_data.value == "ZE184226B"
    assert result.lines == v.UTO_TD3


def test_a_one_letter_given_name_k_stays() -> None:
    line1 = "P<UTOSMITH<<K".ljust(44, "<")

    result = parse_mrz((line1, v.UTO_TD3[1]), today=TODAY)

    assert result is not None and result.given_names.value == "K"
