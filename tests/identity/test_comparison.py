"""The identity record against the shared specimens' MRZ and printed fields, field by field."""

import csv
from datetime import date
from pathlib import Path

import pytest

from trust_lesson.identity.comparison import (
    FieldStatus,
    Source,
    compare_identity,
    needs_printed_text,
    same_date,
    same_document_number,
    same_name,
)
from trust_lesson.vision.document import parse_mrz
from trust_lesson.vision.document.fields import TextField
from trust_lesson.vision.document.mrz import MrzResult

BEFORE_EXPIRY = date(2011, 6, 1)
ANNA = {
    "document_number": "L898902C3",
    "document_type": "PASSPORT",
    "full_name": "Anna Maria Eriksson",
    "birth_date": date(1974, 8, 12),
    "expiry_date": "2012-04-15",
    "country": "UTO",
}


def specimen(testdata: Path, name: str) -> MrzResult:
    with (testdata / "id_documents" / "expected_mrz.csv").open(encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if r["file"].endswith(name))
    result = parse_mrz([row[k] for k in ("line1", "line2", "line3") if row[k]])
    assert result is not None
    return result


def test_a_record_that_matches_the_specimen_matches_every_field(testdata: Path) -> None:
    mrz = specimen(testdata, "100_pass-uto.jpg")

    result = compare_identity(ANNA, mrz, {}, today=BEFORE_EXPIRY)

    assert {f.field: f.status for f in result.fields} == dict.fromkeys(ANNA, FieldStatus.MATCH)
    assert all(f.source is Source.MRZ and f.confidence >= 0.8 for f in result.fields)
    assert result.not_match_fields == () and result.not_found_fields == () and not result.reasons


def test_one_changed_field_is_named_in_not_match_fields(testdata: Path) -> None:
    mrz = specimen(testdata, "100_pass-uto.jpg")

    result = compare_identity({**ANNA, "birth_date": "1974-08-13"}, mrz, {}, today=BEFORE_EXPIRY)

    assert result.not_match_fields == ("birth_date",)
    changed = next(f for f in result.fields if f.field == "birth_date")
    assert (changed.record_value, changed.document_value) == ("1974-08-13", "1974-08-12")


def test_a_field_the_document_does_not_print_is_not_found(testdata: Path) -> None:
    mrz = specimen(testdata, "100_pass-uto.jpg")
    record = {**ANNA, "issuing_authority": "Utopia Passport Office", "region": None}

    result = compare_identity(record, mrz, {}, today=BEFORE_EXPIRY)

    assert result.not_found_fields == ("issuing_authority",)
    assert "region" not in {f.field for f in result.fields}


def test_an_expired_document_and_wrong_check_digits_are_reasons(testdata: Path) -> None:
    expired = compare_identity(
        ANNA, specimen(testdata, "100_pass-uto.jpg"), {}, today=date(2025, 1, 1)
    )
    card = specimen(testdata, "77_card-cmw.png")  # printed with a wrong composite digit

    wrong = compare_identity({"full_name": "Jon Public"}, card, {}, today=date(2000, 1, 1))

    assert expired.reasons == ("document expired on 2012-04-15",)
    assert wrong.reasons == ("MRZ check digit wrong: composite",)
    assert wrong.not_match_fields == ()


def test_the_icao_code_d_is_germany(testdata: Path) -> None:
    mrz = specimen(testdata, "53_id-d.jpg")  # IDD<<: issued by Germany

    result = compare_identity({"country": "DEU", "full_name": "Erika Mustermann"}, mrz, {},
                              today=date(2015, 1, 1))  # fmt: skip

    assert result.not_match_fields == () and result.not_found_fields == ()


def test_printed_fields_stand_in_where_there_is_no_mrz() -> None:
    printed = {
        "surname": TextField("ERIKSSON", "Surname", 0.9),
        "given_names": TextField("ANNA MARIA", "Given names", 0.8),
        "birth_date": TextField("1974-08-12", "Date of birth", 0.7),
    }
    record = {"full_name": "Anna Maria Eriksson", "birth_date": "1974-08-12",
              "document_number": "L898902C3"}  # fmt: skip

    result = compare_identity(record, None, printed, today=BEFORE_EXPIRY)

    by_field = {f.field: f for f in result.fields}
    assert by_field["full_name"].status is FieldStatus.MATCH
    assert (
        by_field["full_name"].source is Source.PRINTED and by_field["full_name"].confidence == 0.8
    )
    assert result.not_found_fields == ("document_number",)


@pytest.mark.parametrize(
    ("record", "document", "same"),
    [
        ("Anna Maria Eriksson", "ANNA MARIA ERIKSSON", True),
        ("eriksson, anna maria", "ANNA MARIA ERIKSSON", True),  # order and case
        ("Ánna María Eriksson", "ANNA MARIA ERIKSSON", True),  # accents
        ("Anna Eriksson", "ANNA MARIA ERIKSSON", True),  # a middle name the record leaves out
        ("Anna Maria Sofia Eriksson", "ANNA MARIA ERIKSSON", True),  # one the MRZ lacks
        ("Jürgen Müller", "JUERGEN MUELLER", True),  # ICAO transliteration
        ("Jürgen Müller", "JURGEN MULLER", True),
        ("Anna Eriksen", "ANNA MARIA ERIKSSON", False),
        ("Bob Eriksson", "ANNA MARIA ERIKSSON", False),
        ("Eriksson", "ANNA MARIA ERIKSSON", False),  # a surname alone
    ],
)
def test_names_compare_tolerant_of_accents_case_order_and_middle_names(
    record: str, document: str, same: bool
) -> None:
    assert same_name(record, document) is same


@pytest.mark.parametrize(
    ("record", "document", "same"),
    [
        ("L898902C3", "L898902C3", True),
        ("l898-902 c3", "L898902C3", True),  # separators and case
        ("L8989****", "L898902C3", True),  # masked characters
        ("*********", "L898902C3", False),  # nothing left to compare
        ("L898902C4", "L898902C3", False),
        ("L898902C", "L898902C3", False),
    ],
)
def test_document_numbers_ignore_separators_and_masks(
    record: str, document: str, same: bool
) -> None:
    assert same_document_number(record, document) is same


@pytest.mark.parametrize(
    ("record", "document", "same"),
    [
        ("1974-08-12", "1974-08-12", True),
        ("1974-08-12", "12.08.1974", True),
        ("1974-08-12", "12 AUG 1974", True),
        ("1974-08-12", "12/08/1974", True),
        ("1974-08-12", "13.08.1974", False),
        ("1974-08-12", "not a date", False),
    ],
)
def test_dates_are_read_in_the_formats_documents_print(
    record: str, document: str, same: bool
) -> None:
    assert same_date(record, document) is same


def test_only_a_field_the_mrz_cannot_give_asks_for_the_printed_text() -> None:
    mrz_only = {**ANNA, "issue_date": None, "issuing_authority": "", "region": None}

    assert needs_printed_text(mrz_only) is False
    assert needs_printed_text({**mrz_only, "issue_date": date(2002, 4, 16)}) is True
    assert needs_printed_text({**mrz_only, "issuing_authority": "Utopia"}) is True
