"""A student's certificates through the API: a lesson's and the whole term's, JSON and PDF.

The PDF is read back as an auditor would read it: its text (the name with its accents) and
its QR code, decoded from the picture inside the PDF by a real QR reader (zxing-cpp).
"""

import io
import json
from typing import Any

import httpx
import pypdf
import zxingcpp
from PIL import Image
from sqlalchemy import func, select, update

from tests.presence.live import LiveLesson
from tests.support.factories import signed_in
from trust_lesson.db import transaction
from trust_lesson.evidence.certificate_check import check_certificate
from trust_lesson.evidence.certificates import credential_address
from trust_lesson.evidence.revocation import revoke
from trust_lesson.models import EvidenceEntry, IssuedCertificate, Role, User
from trust_lesson.runtime import Runtime

ACCENTED = "Zoë Łukasiewicz-Dvořák"


def _lesson_url(live: LiveLesson, student_id: int) -> str:
    return f"/api/v1/lessons/{live.lesson_id}/attendance/{student_id}/certificate"


def _term_url(live: LiveLesson, student_id: int) -> str:
    return f"/api/v1/terms/{live.term_id}/attendance/{student_id}/certificate"


async def _rename(runtime: Runtime, user_id: int, name: str) -> None:
    async with transaction(runtime.session_factory) as db:
        await db.execute(update(User).where(User.id == user_id).values(full_name=name))


def _qr_texts(pdf: bytes) -> list[str]:
    """Every QR code found in the pictures of the PDF's pages, decoded."""
    texts = []
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for picture in page.images:
            decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(picture.data)).convert("L"))
            texts += [code.text for code in decoded if code.format == zxingcpp.BarcodeFormat.QRCode]
    return texts


async def _log_size(runtime: Runtime) -> int | None:
    async with transaction(runtime.session_factory) as db:
        return await db.scalar(select(func.count()).select_from(EvidenceEntry))


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


async def test_a_student_downloads_their_certificate_as_json_and_as_pdf_with_its_qr_code(
    client: httpx.AsyncClient, runtime: Runtime, stopped: LiveLesson
) -> None:
    student = stopped.student
    await _rename(runtime, student.id, ACCENTED)

    as_json = await client.get(_lesson_url(stopped, student.id), headers=student.headers)
    as_pdf = await client.get(
        _lesson_url(stopped, student.id), params={"format": "pdf"}, headers=student.headers
    )

    assert as_json.status_code == 200, as_json.text
    document: dict[str, Any] = as_json.json()
    check_certificate(document, runtime.school_keys.public)
    assert document["credentialSubject"]["name"] == ACCENTED
    assert as_pdf.status_code == 200 and as_pdf.headers["content-type"] == "application/pdf"
    assert as_pdf.headers["content-disposition"].startswith("attachment; filename=")
    text = _text(as_pdf.content)
    assert ACCENTED in text
    assert document["id"] in text.replace("\n", "")
    address = credential_address(runtime.settings.public_url, document["id"])
    assert _qr_texts(as_pdf.content) == [address]
    assert address.endswith(f"/verify?credential={document['id']}")


async def test_the_json_is_a_file_to_save_only_when_asked_and_the_same_document_either_way(
    client: httpx.AsyncClient, stopped: LiveLesson
) -> None:
    url, headers = _lesson_url(stopped, stopped.student.id), stopped.student.headers

    plain = await client.get(url, headers=headers)
    as_file = await client.get(url, params={"download": "1"}, headers=headers)

    assert plain.status_code == 200 and as_file.status_code == 200, as_file.text
    assert "content-disposition" not in plain.headers
    name = plain.json()["id"].rpartition(":")[2]
    assert (
        as_file.headers["content-disposition"] == f'attachment; filename="certificate-{name}.json"'
    )
    assert as_file.headers["content-type"] == plain.headers["content-type"] == "application/json"
    assert as_file.content == plain.content


async def test_asking_again_gives_the_same_certificate_and_logs_no_new_issue(
    client: httpx.AsyncClient, runtime: Runtime, stopped: LiveLesson
) -> None:
    url, headers = _lesson_url(stopped, stopped.student.id), stopped.student.headers
    first = (await client.get(url, headers=headers)).json()
    size = await _log_size(runtime)

    again = (await client.get(url, headers=stopped.instructor.headers)).json()

    assert again == first
    assert await _log_size(runtime) == size


async def test_a_term_certificate_lists_each_decided_lesson_and_verifies_offline(
    client: httpx.AsyncClient, runtime: Runtime, stopped: LiveLesson
) -> None:
    absent = stopped.students[1]
    await _rename(runtime, absent.id, ACCENTED)

    answer = await client.get(_term_url(stopped, absent.id), headers=stopped.instructor.headers)
    as_pdf = await client.get(
        _term_url(stopped, absent.id), params={"format": "pdf"}, headers=absent.headers
    )

    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert "TermAttendanceCertificate" in document["type"]
    subject = document["credentialSubject"]
    assert subject["summary"] == {
        "lessons": 1, "attended": 0, "partial": 0, "absent": 1, "pendingReview": 0
    }  # fmt: skip
    [lesson] = subject["lessons"]
    assert (lesson["id"], lesson["attendance"]["outcome"]) == (stopped.lesson_id, "ABSENT")
    check_certificate(document, runtime.school_keys.public)
    assert ACCENTED in _text(as_pdf.content)
    assert _qr_texts(as_pdf.content) == [
        credential_address(runtime.settings.public_url, document["id"])
    ]


async def test_a_lesson_and_its_term_certificate_stay_apart_when_the_term_has_one_lesson(
    client: httpx.AsyncClient, runtime: Runtime, stopped: LiveLesson
) -> None:
    """Both state the one decision; each route still gives its own kind, whichever came first
    (the kept documents were once looked up by their decisions alone)."""
    kinds = []
    for student, first, second in (
        (stopped.students[0], _lesson_url, _term_url),
        (stopped.students[1], _term_url, _lesson_url),
    ):
        for url in (first, second, first, second):
            answer = await client.get(url(stopped, student.id), headers=student.headers)
            kinds.append((url.__name__, answer.json()["type"][-1], answer.json()["id"]))

    assert [kind for _, kind, _ in kinds] == [
        "AttendanceCertificate", "TermAttendanceCertificate", "AttendanceCertificate",
        "TermAttendanceCertificate", "TermAttendanceCertificate", "AttendanceCertificate",
        "TermAttendanceCertificate", "AttendanceCertificate",
    ]  # fmt: skip
    assert kinds[0] == kinds[2] and kinds[1] == kinds[3] and kinds[0] != kinds[1]
    assert kinds[4] == kinds[6] and kinds[5] == kinds[7] and kinds[4] != kinds[5]


async def test_a_term_certificate_that_claims_another_lessons_outcome_is_invalid(
    client: httpx.AsyncClient, runtime: Runtime, stopped: LiveLesson
) -> None:
    student = stopped.student
    document = (await client.get(_term_url(stopped, student.id), headers=student.headers)).json()
    verified = json.dumps(document)

    forged = json.loads(verified.replace('"outcome": "ATTENDED"', '"outcome": "ABSENT"'))
    answer = await client.post("/api/v1/evidence/verify", json=forged)

    assert answer.json()["status"] == "invalid"
    assert "signature does not hold" in answer.json()["reason"]


async def test_nobody_else_gets_a_students_certificate(
    client: httpx.AsyncClient, runtime: Runtime, stopped: LiveLesson
) -> None:
    student, classmate = stopped.students

    for url in (_lesson_url(stopped, student.id), _term_url(stopped, student.id)):
        refused = await client.get(url, headers=classmate.headers)
        anonymous = await client.get(url)
        assert refused.status_code == 403 and "credentialSubject" not in refused.text
        assert anonymous.status_code == 401


async def test_the_verify_route_says_valid_invalid_and_revoked_with_the_reason(
    client: httpx.AsyncClient, runtime: Runtime, stopped: LiveLesson
) -> None:
    student = stopped.student
    document = (await client.get(_lesson_url(stopped, student.id), headers=student.headers)).json()

    valid = (await client.post("/api/v1/evidence/verify", json=document)).json()
    not_one = (await client.post("/api/v1/evidence/verify", json={"type": ["x"]})).json()
    number = int(document["credentialStatus"]["statusListIndex"])
    async with transaction(runtime.session_factory) as db:
        await revoke(db, certificate_id=number, reason="issued in error", actor_id=None,
                     now=runtime.clock())  # fmt: skip
    revoked = (await client.post("/api/v1/evidence/verify", json=document)).json()

    assert (valid["status"], valid["name"], valid["credential_id"]) == (
        "valid", student.user.full_name, document["id"]
    )  # fmt: skip
    assert not_one == {**not_one, "status": "invalid"}
    assert "not a Trust Lesson attendance certificate" in not_one["reason"]
    assert revoked["status"] == "revoked" and "issued in error" in revoked["reason"]


async def test_a_deleted_account_leaves_no_kept_certificate_holding_the_name(
    client: httpx.AsyncClient, runtime: Runtime, stopped: LiveLesson
) -> None:
    student = stopped.student
    issued = await client.get(_lesson_url(stopped, student.id), headers=student.headers)
    admin = await signed_in(client, runtime, Role.ADMIN)

    deleted = await client.delete(f"/api/v1/users/{student.id}", headers=admin.headers)

    assert (issued.status_code, deleted.status_code) == (200, 204)
    async with transaction(runtime.session_factory) as db:
        kept = (await db.execute(select(IssuedCertificate.document))).scalars().all()
    assert kept == [None]
    check_certificate(issued.json(), runtime.school_keys.public)  # the one they hold still holds
