"""``trust-lesson vision document``: JSON keys outside checks rely on, clear refusals."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trust_lesson.cli import app


def test_a_file_that_is_not_a_picture_is_refused_with_exit_2(tmp_path: Path) -> None:
    fake = tmp_path / "passport.jpg"
    fake.write_text("<html>not a passport</html>")

    result = CliRunner().invoke(app, ["vision", "document", str(fake), "--json"])

    assert result.exit_code == 2
    assert "not a JPEG, PNG or WebP" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_json_output_has_the_mrz_and_fields_keys(testdata: Path) -> None:
    image = testdata / "id_documents" / "passporteye" / "100_pass2-uto.jpg"

    result = CliRunner().invoke(app, ["vision", "document", str(image), "--json"])

    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["mrz"]["valid"] is True
    assert data["mrz"]["document_number"] == "D23145890"
    assert (data["mrz"]["surname"], data["mrz"]["given_names"]) == ("ERIKSSON", "ANNA MARIA")
    assert (data["mrz"]["birth_date"], data["mrz"]["expiry_date"]) == ("1974-08-12", "2012-04-15")
    assert isinstance(data["fields"], dict)


def test_the_summary_names_an_ambiguous_read_and_its_candidates() -> None:
    from trust_lesson.vision.document.analysis import DocumentAnalysis
    from trust_lesson.vision.document.cli import summary
    from trust_lesson.vision.document.mrz import parse_mrz

    mrz = parse_mrz(("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                     "L8989O2C36UTO7408122F1204159ZE184226B<<<<<10"))  # fmt: skip
    analysis = DocumentAnalysis(mrz, {}, None, None, 0)

    text = summary("uto.jpg", analysis)

    assert "MRZ TD3: AMBIGUOUS" in text
    assert "ambiguous document_number:" in text and "L898902C3" in text and "1898902C3" in text
    assert json.loads(json.dumps(analysis.to_dict()))["mrz"]["ambiguities"][0]["candidates"]
