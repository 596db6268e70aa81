"""The MRZ parser on the hand-checked specimen text, on flipped characters and OCR slips."""

import csv
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trust_lesson.vision.document import parse_mrz
from trust_lesson.vision.document.checkdigit import compute

TODAY = date(2025, 1, 1)
UTO_TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
           "L898902C36UTO7408122F1204159ZE184226B<<<<<10")  # fmt: skip


def specimens(testdata: Path) -> list[dict[str, str]]:
    with (testdata / "id_documents" / "expected_mrz.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def lines_of(row: dict[str, str]) -> list[str]:
    return [row[k] for k in ("line1", "line2", "line3") if row[k]]


def test_every_specimen_parses_with_the_check_digits_it_is_labelled_with(testdata: Path) -> None:
    for row in specimens(testdata):
        result = parse_mrz(lines_of(row), today=TODAY)

        assert result is not None, row["file"]
        assert result.format == row["mrz_type"], row["file"]
        assert result.valid is (row["check_digits_valid"] == "True"), row["file"]
        assert result.repairs == () or not result.valid, row["file"]


def test_specimen_fields_are_read_as_printed(testdata: Path) -> None:
    by_file = {row["file"].split("/")[1]: row for row in specimens(testdata)}

    swiss = parse_mrz(lines_of(by_file["100_id-che.jpg"]), today=TODAY)
    german = parse_mrz(lines_of(by_file["100_pass-bdr.jpg"]), today=TODAY)
    visa = parse_mrz(lines_of(by_file["100_visa-usa.jpg"]), today=TODAY)
    british = parse_mrz(lines_of(by_file["27_pass-gbr.jpg"]), today=TODAY)

    assert swiss and (swiss.document_number.value, swiss.surname.value) == ("S0002068", "VADIS")
    assert swiss.birth_date.value == "1981-02-28" and swiss.expiry_date.value == "2013-01-01"
    assert german and german.nationality.value == "D" and german.given_names.value == "ERIKA"
    assert visa and visa.format == "MRV-A" and visa.optional_data.value == "IFLNDOOAMS803085"
    assert british and british.surname.value == "UNITED KINGDOM TWENTY SIX"
    assert british.given_names.value == "JODIE PIPPA"


def test_the_utopia_specimen_gives_the_icao_fields(testdata: Path) -> None:
    import json

    expected = json.loads((testdata / "id_documents" / "uto_specimen_fields.json").read_text())
    td3 = next(v for k, v in expected.items() if k.startswith("TD3"))

    result = parse_mrz(UTO_TD3, today=TODAY)

    assert result is not None and result.valid
    assert result.document_number.value == td3["number"]
    assert (result.surname.value, result.given_names.value) == (td3["surname"], td3["names"])
    assert result.nationality.value == td3["nationality"] == result.issuing_state.value
    assert (result.sex.value, result.birth_date.value) == (td3["sex"], "1974-08-12")
    assert result.expiry_date.value == "2012-04-15"
    assert {c.name: c.printed for c in result.checks} == {
        "document_number": td3["check_number"],
        "birth_date": td3["check_date_of_birth"],
        "expiry_date": td3["check_expiration_date"],
        "optional_data": td3["check_personal_number"],
        "composite": td3["check_composite"],
    }


@pytest.mark.parametrize("position", [0, 5, 13, 16, 22, 30])
def test_a_flipped_character_is_caught_by_the_check_digits(position: int) -> None:
    line = UTO_TD3[1]
    flipped = "7" if line[position] != "7" else "3"
    tampered = line[:position] + flipped + line[position + 1 :]

    result = parse_mrz((UTO_TD3[0], tampered), today=TODAY)

    assert result is not None and not result.valid


def test_ocr_confusions_are_repaired_when_the_check_digits_confirm_them() -> None:
    misread = ("P<UT0ERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
               "L898902C36UT074O8I22F12O4I59ZE184226B<<<<<IO")  # fmt: skip

    result = parse_mrz(misread, today=TODAY)

    assert result is not None and result.valid
    assert result.lines == UTO_TD3
    assert result.birth_date.value == "1974-08-12" and result.nationality.value == "UTO"
    assert result.repairs


def test_a_confusion_the_check_digit_cannot_settle_is_not_repaired() -> None:
    # The French specimen's number is 08CD50338 and OCR read D8CD50338. A leading letter is
    # normal in document numbers, and its check digit 0 is also satisfied by DBCD50338 and
    # D8C050338: nothing tells the readings apart, so none is chosen.
    misread = ("P<FRAULYSSE<<CHRISTOPHE<<<<<<<<<<<<<<<<<<<<<",
               "D8CD503380FRA6004103M1806058<<<<<<<<<<<<<<06")  # fmt: skip

    result = parse_mrz(misread, today=TODAY)

    assert result is not None and not result.valid
    assert result.document_number.value == "D8CD50338"
    assert result.document_number.confidence < 0.5


def test_a_repair_two_readings_would_pass_is_reported_ambiguous_not_picked() -> None:
    # O read for 0 in L898902C3: putting 0 back passes the check digit, but so does reading
    # the leading L as 1 (L weighs 21, 1 weighs 1: the digit cannot tell them apart).
    result = parse_mrz((UTO_TD3[0], "L8989O2C36UTO7408122F1204159ZE184226B<<<<<10"))

    assert result is not None and not result.valid and result.repairs == ()
    assert result.document_number.value == "L8989O2C3"
    assert [(a.field, set(a.candidates)) for a in result.ambiguities] == [
        ("document_number", {"L898902C3", "1898902C3"})
    ]


def test_the_composite_digit_does_not_settle_a_number_two_readings_would_pass() -> None:
    # Both readings leave the composite digit passing too: it weighs the number as its own
    # digit does, so it is no second opinion.
    result = parse_mrz((UTO_TD3[0], "L8989O2C36UTO7408122F1204159ZE184226B<<<<<10"))

    assert result is not None
    assert {c.name: c.valid for c in result.checks}["composite"] is False
    assert result.ambiguities and not result.valid


def test_a_repair_only_one_reading_passes_is_kept_and_listed() -> None:
    # The Swiss card's optional data read 'C<<<...': only the filler passes the composite
    # digit, and every other field it covers passed its own digit first.
    swiss = ("IDCHES0002068<8C<<<<<<<<<<<<<<", "8102287F1301014CHE<<<<<<<<<<<4",
             "VADIS<<QUO<<<<<<<<<<<<<<<<<<<<")  # fmt: skip

    result = parse_mrz(swiss, today=TODAY)

    assert result is not None and result.valid
    assert result.repairs == ("optional data: C<<<<<<<<<<<<<< -> <<<<<<<<<<<<<<<",)
    assert result.optional_data.value == ""


def td3_line2(birth: str, expiry: str) -> str:
    optional = "ZE184226B<<<<<"
    body = f"L898902C36UTO{birth}{compute(birth)}F{expiry}{compute(expiry)}"
    body += optional + str(compute(optional))
    return body + str(compute(body[0:10] + body[13:20] + body[21:43]))


def test_two_digit_years_put_birth_in_the_past_and_expiry_at_most_20_years_ahead() -> None:
    old = parse_mrz((UTO_TD3[0], td3_line2("300101", "440101")), today=TODAY)
    young = parse_mrz((UTO_TD3[0], td3_line2("010101", "940101")), today=TODAY)

    assert old is not None and old.valid and young is not None and young.valid
    assert (old.birth_date.value, old.expiry_date.value) == ("1930-01-01", "2044-01-01")
    assert (young.birth_date.value, young.expiry_date.value) == ("2001-01-01", "1994-01-01")


NAME = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=10)
NUMBER = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=9, max_size=9)
DAY = st.dates(min_value=date(1930, 1, 1), max_value=date(2024, 12, 31))


@given(number=NUMBER, surname=NAME, given_name=NAME, birth=DAY, sex=st.sampled_from("MF"))
def test_a_generated_valid_td3_parses_back_to_its_fields(
    number: str, surname: str, given_name: str, birth: date, sex: str
) -> None:
    expiry = date(2030, 6, 30)
    line1 = f"P<UTO{surname}<<{given_name}".ljust(44, "<")[:44]
    dob, exp, optional = birth.strftime("%y%m%d"), expiry.strftime("%y%m%d"), "<" * 14
    body = f"{number}{compute(number)}UTO{dob}{compute(dob)}{sex}{exp}{compute(exp)}{optional}<"
    line2 = body + str(compute(body[0:10] + body[13:20] + body[21:43]))

    result = parse_mrz((line1, line2), today=TODAY)

    assert result is not None and result.valid
    assert result.document_number.value == number
    assert (result.surname.value, result.given_names.value) == (surname, given_name)
    assert (result.birth_date.value, result.expiry_date.value) == (birth.isoformat(), "2030-06-30")
    assert result.sex.value == sex
