"""The evidence pages in process: a student's certificates, the administrator's log status,
and what the verify page tells about the credential a QR code names."""

import html
import re

import httpx

from tests.presence.live import LiveLesson
from tests.support.factories import PASSWORD, Person, make_user
from trust_lesson.db import transaction
from trust_lesson.evidence import log
from trust_lesson.evidence.revocation import revoke
from trust_lesson.evidence.verify import verify_and_record
from trust_lesson.models import Role, User
from trust_lesson.runtime import Runtime

SAME_SITE = {"Sec-Fetch-Site": "same-origin", "Accept": "text/html"}


async def _page_sign_in(client: httpx.AsyncClient, user: User) -> None:
    client.cookies.clear()
    signed = await client.post(
        "/login", data={"email": user.email, "password": PASSWORD}, headers=SAME_SITE
    )
    assert signed.status_code == 303


def _certificate_links(page: str) -> list[str]:
    return [
        html.unescape(link)
        for link in re.findall(r'data-certificate="[a-z-]+" href="([^"]+)"', page)
    ]


async def test_a_student_sees_a_download_for_their_term_and_each_decided_lesson(
    client: httpx.AsyncClient, stopped: LiveLesson
) -> None:
    student: Person = stopped.student
    await _page_sign_in(client, student.user)

    page = await client.get("/certificates", headers=SAME_SITE)

    assert page.status_code == 200
    term_url = f"/api/v1/terms/{stopped.term_id}/attendance/{student.id}/certificate"
    lesson_url = f"/api/v1/lessons/{stopped.lesson_id}/attendance/{student.id}/certificate"
    assert _certificate_links(page.text) == [
        f"{term_url}?format=pdf", f"{term_url}?format=json&download=1",
        f"{lesson_url}?format=pdf", f"{lesson_url}?format=json&download=1",
    ]  # fmt: skip
    for link in _certificate_links(page.text):  # the page's cookie is enough to download
        answer = await client.get(link, headers={"Sec-Fetch-Site": "same-origin"})
        assert answer.status_code == 200, (link, answer.text)
        assert answer.headers["content-disposition"].startswith("attachment; filename=")
    assert 'data-decision="ATTENDED"' in page.text
    [export] = re.findall(r'data-export href="([^"]+)"', page.text)
    archive = await client.get(export, headers={"Sec-Fetch-Site": "same-origin"})
    assert export == f"/api/v1/users/{student.id}/export"
    assert archive.headers["content-type"] == "application/zip"


async def test_a_student_of_another_course_sees_none_of_these_certificates(
    client: httpx.AsyncClient, runtime: Runtime, stopped: LiveLesson
) -> None:
    stranger = await make_user(runtime, Role.STUDENT)
    await _page_sign_in(client, stranger)

    page = await client.get("/certificates", headers=SAME_SITE)

    assert page.status_code == 200
    assert _certificate_links(page.text) == []
    assert "not enrolled in any term" in page.text


async def test_the_admin_sees_the_log_size_last_checkpoint_last_verification_and_keys(
    client: httpx.AsyncClient, runtime: Runtime, stopped: LiveLesson
) -> None:
    admin = await make_user(runtime, Role.ADMIN)
    await _page_sign_in(client, admin)
    before = await client.get("/admin/evidence", headers=SAME_SITE)
    async with transaction(runtime.session_factory) as db:
        head = await log.latest_checkpoint(db)
        assert head is not None
    report = await verify_and_record(
        runtime.session_factory, runtime.school_keys.public, now=runtime.clock()
    )

    after = await client.get("/admin/evidence", headers=SAME_SITE)

    assert 'id="last-verification" data-valid=""' in before.text
    assert f'id="last-checkpoint" data-size="{head.size}"' in after.text
    assert f'id="log-size" data-size="{report.entries}"' in after.text
    assert 'id="last-verification" data-valid="yes"' in after.text
    assert f"{report.entries:,} entries, {report.checkpoints} checkpoints checked" in after.text
    assert f'data-key-id="{runtime.school_keys.current.key_id}"' in after.text
    assert "signing now" in after.text


async def test_only_an_admin_sees_the_evidence_status(
    client: httpx.AsyncClient, runtime: Runtime, stopped: LiveLesson
) -> None:
    await _page_sign_in(client, stopped.instructor.user)

    refused = await client.get("/admin/evidence", headers=SAME_SITE)

    assert refused.status_code == 403
    assert "log-size" not in refused.text


async def test_the_verify_page_tells_whether_the_qr_codes_credential_was_issued_or_revoked(
    client: httpx.AsyncClient, runtime: Runtime, stopped: LiveLesson
) -> None:
    student = stopped.student
    url = f"/api/v1/lessons/{stopped.lesson_id}/attendance/{student.id}/certificate"
    document = (await client.get(url, headers=student.headers)).json()
    client.cookies.clear()

    issued = await client.get("/verify", params={"credential": document["id"]})
    unknown = await client.get("/verify", params={"credential": "urn:uuid:not-ours"})
    async with transaction(runtime.session_factory) as db:
        number = int(document["credentialStatus"]["statusListIndex"])
        await revoke(db, certificate_id=number, reason="decided twice", actor_id=None,
                     now=runtime.clock())  # fmt: skip
    revoked = await client.get("/verify", params={"credential": document["id"]})

    assert 'data-issued="yes" data-revoked="no"' in issued.text
    assert 'data-issued="no"' in unknown.text
    assert 'data-issued="yes" data-revoked="yes"' in revoked.text
    assert "decided twice" in revoked.text
    assert student.user.full_name not in issued.text + revoked.text  # no names for a QR code


async def test_a_credential_the_page_cannot_take_is_refused_in_words_not_a_pattern(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/verify", params={"credential": "urn:uuid:\x00"}, headers=SAME_SITE)

    assert answer.status_code == 422
    assert "credential: This contains characters that are not accepted here." in answer.text
    assert "pattern" not in answer.text and "Input should" not in answer.text
