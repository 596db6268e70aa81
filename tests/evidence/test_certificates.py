"""Attendance certificates: issued from a real lesson, checked offline with keys.json only."""

import asyncio
import copy
import json
from pathlib import Path
from typing import Any

import pypdf
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from tests.presence.live import LiveLesson
from trust_lesson.cli import app
from trust_lesson.evidence import certificate_files, certificates, cryptosuite
from trust_lesson.evidence.certificate_check import CertificateInvalid, check_certificate
from trust_lesson.evidence.keys import PublishedKeys
from trust_lesson.runtime import Runtime


def _files(tmp_path: Path, document: Any, keys: PublishedKeys) -> tuple[Path, Path]:
    certificate_file, keys_file = tmp_path / "certificate.json", tmp_path / "keys.json"
    certificate_file.write_text(json.dumps(document, indent=2, ensure_ascii=False))
    keys_file.write_text(json.dumps(keys.document()))
    return certificate_file, keys_file


def test_an_issued_certificate_holds_the_decision_checks_and_log_proof(
    certificate: dict[str, Any],
) -> None:
    subject = certificate["credentialSubject"]
    assert certificate["type"] == ["VerifiableCredential", "AttendanceCertificate"]
    assert certificate["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert subject["attendance"]["checksVerified"] == 1
    [check] = subject["checks"]
    assert check["kind"] == "ENTRY" and check["verdict"] == "VERIFIED"
    assert len(check["pictureSha256"]) == 64
    [evidence] = certificate["evidence"]
    assert evidence["checkpoint"].startswith("localhost/trust-lesson\n")


async def test_the_cli_says_valid_offline_and_invalid_when_one_byte_changes(
    certificate: dict[str, Any], runtime: Runtime, tmp_path: Path
) -> None:
    certificate_file, keys_file = _files(tmp_path, certificate, runtime.school_keys.public)
    runner = CliRunner(env={"TL_DATABASE_URL": "postgresql+asyncpg://nowhere.invalid/none"})

    command = ["verify", str(certificate_file), "--keys", str(keys_file), "--offline"]
    valid = runner.invoke(app, command)
    assert (valid.exit_code, valid.output) == (0, "valid (revocation not checked)\n")

    original = certificate_file.read_bytes()
    name_at = original.index(certificate["credentialSubject"]["name"].encode())
    for position in (name_at, original.index(b'"outcome"') + 12, len(original) // 2):
        changed = bytearray(original)
        changed[position] ^= 0x01
        certificate_file.write_bytes(bytes(changed))
        result = runner.invoke(app, command)
        assert result.exit_code == 1 and result.output.startswith("invalid: "), position


def test_keys_of_another_school_do_not_verify(
    certificate: dict[str, Any], runtime: Runtime
) -> None:
    other = PublishedKeys.from_document(
        {
            "origin": runtime.school_keys.public.origin,
            "keys": [{"publicKeyMultibase": _multikey(), "created": None}],
        }
    )
    with pytest.raises(CertificateInvalid, match="not among the school's keys"):
        check_certificate(certificate, other)


def test_a_signed_certificate_claiming_another_outcome_than_the_log_is_invalid(
    certificate: dict[str, Any], runtime: Runtime
) -> None:
    forged = copy.deepcopy(certificate)
    del forged["proof"]
    forged["credentialSubject"]["attendance"]["outcome"] = "ABSENT"
    resigned = cryptosuite.add_proof(
        forged, runtime.school_keys.signing_key,
        verification_method=certificates.verification_method(runtime.school_keys),
        created=certificate["proof"]["created"],
    )  # fmt: skip
    with pytest.raises(CertificateInvalid, match="another decision than the log records"):
        check_certificate(resigned, runtime.school_keys.public)


def test_a_wrong_inclusion_proof_is_invalid(certificate: dict[str, Any], runtime: Runtime) -> None:
    check_certificate(certificate, runtime.school_keys.public)
    broken = copy.deepcopy(certificate)
    broken["evidence"][0]["leafIndex"] += 1
    with pytest.raises(CertificateInvalid):
        check_certificate(broken, runtime.school_keys.public)


def _multikey() -> str:
    from trust_lesson.evidence import multibase

    raw = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    return multibase.encode_key(multibase.ED25519_PUBLIC, raw)


async def test_every_student_of_a_lesson_gets_a_certificate_that_verifies_offline(
    stopped: LiveLesson, runtime: Runtime, tmp_path: Path
) -> None:
    written = await asyncio.to_thread(
        certificate_files.write_lesson_certificates,
        runtime.settings, lesson_id=stopped.lesson_id, out=tmp_path / "out",
    )  # fmt: skip

    assert len(written) == 2
    keys_file = tmp_path / "out" / "keys.json"
    for path in written:
        command = ["verify", str(path), "--keys", str(keys_file), "--offline"]
        result = CliRunner().invoke(app, command)
        assert (result.exit_code, result.output) == (0, "valid (revocation not checked)\n")
        name = json.loads(path.read_text())["credentialSubject"]["name"]
        pdf = pypdf.PdfReader(path.with_suffix(".pdf"))
        assert name in pdf.pages[0].extract_text()
    outcomes = {json.loads(p.read_text())["credentialSubject"]["attendance"]["outcome"]
                for p in written}  # fmt: skip
    assert "ABSENT" in outcomes
