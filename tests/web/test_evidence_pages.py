"""Certificates in a real browser: the student downloads theirs (JSON and PDF) and the archive
of all their data from their certificates page, an auditor with no account drops the file on
the verify page (valid, then one byte changed: invalid, then revoked with the reason), and the
administrator reads the log's state and the school's keys."""

import io
import json
import re
import zipfile
from pathlib import Path

import httpx
import pytest
from PIL import Image
from playwright.async_api import Browser, Page, expect

from tests.privacy.test_export import CATEGORIES
from tests.support.factories import PASSWORD, Person, make_user
from tests.support.live_server import LiveService
from tests.support.pages import PageAudit, new_context, sign_in
from tests.support.presence import add_check, join
from tests.web.classroom import Browsers, Classroom, classroom
from trust_lesson.db import transaction
from trust_lesson.evidence.revocation import revoke
from trust_lesson.models import Role
from trust_lesson.presence.verdicts import ChallengeKind, Verdict

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="session")]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


async def _download(page: Page, link: str, folder: Path) -> Path:
    async with page.expect_download() as started:
        await page.locator(link).first.click()
    download = await started.value
    target = folder / download.suggested_filename
    await download.save_as(target)
    return target


async def _drop(page: Page, file: Path) -> None:
    await page.get_by_label("Certificate file (JSON)").set_input_files(str(file))


async def attended_lesson(live: LiveService, http: httpx.AsyncClient) -> Classroom:
    """A finished lesson its one student attended (a verified entry check)."""
    lesson = await classroom(live, http, students=1)
    await lesson.start()
    [student] = lesson.students
    began = live.clock()
    await live.call(join(live.runtime, lesson_id=lesson.lesson_id, user_id=student.id, at=began))
    await live.call(
        add_check(
            live.runtime, lesson_id=lesson.lesson_id, user_id=student.id,
            kind=ChallengeKind.ENTRY, issued_at=began,
            verdict=Verdict.VERIFIED, similarity=None,
        )
    )  # fmt: skip
    live.clock.advance(minutes=2)
    stopped = await http.post(
        f"/api/v1/lessons/{lesson.lesson_id}/stop", headers=lesson.instructor.headers
    )
    assert stopped.status_code == 200, stopped.text
    return lesson


async def test_a_certificate_goes_from_the_students_page_to_the_auditors_verdict(
    browser: Browser,
    live: LiveService,
    http: httpx.AsyncClient,
    browsers: Browsers,
    page_audit: PageAudit,
    tmp_path: Path,
) -> None:
    lesson = await attended_lesson(live, http)
    [student] = lesson.students

    # The student finds the lesson's certificate and downloads it, JSON and PDF.
    mine = await browsers.student_page(browser, student)
    await mine.get_by_role("link", name="Certificates").click()
    row = mine.locator(f'tr[data-lesson-id="{lesson.lesson_id}"]')
    await expect(row.locator("[data-decision]")).to_have_text("Attended")
    certificate = await _download(mine, '[data-certificate="lesson-json"]', tmp_path)
    pdf = await _download(mine, '[data-certificate="lesson-pdf"]', tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF-")

    # On the same page, the archive of all their data: every category, no one else.
    archive = zipfile.ZipFile(await _download(mine, "[data-export]", tmp_path))
    data = json.loads(archive.read("data.json"))
    assert data.keys() >= CATEGORIES
    assert data["profile"]["email"] == student.user.email
    assert [d["decision"] for d in data["decisions"]] == ["ATTENDED"]
    assert [c["credential_id"] for c in data["certificates"]] == [
        json.loads(certificate.read_text())["id"]
    ]
    everything = "\n".join(archive.read(name).decode("latin-1") for name in archive.namelist())
    assert lesson.instructor.user.email not in everything

    # An auditor with no account drops the file on the public verify page.
    context = await new_context(browser, live, page_audit)
    auditor = await context.new_page()
    await auditor.goto("/verify")
    verdict = auditor.locator("#verify-result")
    await _drop(auditor, certificate)
    await expect(verdict).to_have_attribute("data-status", "valid")
    await expect(auditor.locator("#verify-name")).to_have_text(student.user.full_name)
    issued = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$")  # as every page writes it
    await expect(auditor.locator("#verify-issued")).to_have_text(issued)
    # ... and reads what it states, not only that it is valid (a valid one may say Absent).
    states = auditor.locator("#verify-states")
    await expect(states).to_contain_text("Attended (1 of 1 check verified)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = Image.open(io.BytesIO(await auditor.screenshot()))
    shot.convert("RGB").quantize(colors=64).save(SCREENSHOTS / "verify-page.png", optimize=True)

    changed = tmp_path / "changed.json"
    content = bytearray(certificate.read_bytes())
    content[content.index(b'"checksVerified":1') + 17] ^= 0x01  # 1 -> 0
    changed.write_bytes(bytes(content))
    await _drop(auditor, changed)
    await expect(verdict).to_have_attribute("data-status", "invalid")
    await expect(verdict).to_contain_text("Invalid: the signature does not hold")

    number = int(json.loads(certificate.read_text())["credentialStatus"]["statusListIndex"])
    await live.call(_revoke(live, number, "issued before the review"))
    await _drop(auditor, certificate)
    await expect(verdict).to_have_attribute("data-status", "revoked")
    await expect(verdict).to_contain_text("issued before the review")
    await context.close()

    # The administrator sees the log's size, its last checkpoint and the signing key.
    admin = await live.call(_admin(live))
    staff = await browsers.page_of(browser, admin)
    await staff.goto("/admin/evidence")
    await expect(staff.locator("#last-checkpoint")).to_contain_text("signed")
    await expect(staff.locator("#certificate-counts")).to_have_text("1 issued, 1 revoked")
    await expect(staff.locator("tr[data-key-id]")).to_contain_text("signing now")


@pytest.mark.parametrize(
    ("link", "file_starts"),
    [
        ('[data-certificate="term-pdf"]', b"%PDF-"),
        ('[data-certificate="term-json"]', b'{"@context":'),
        ("[data-export]", b"PK"),
    ],
)
async def test_a_download_link_opened_after_the_session_ended_asks_to_sign_in_not_json(
    browser: Browser, live: LiveService, http: httpx.AsyncClient, link: str, file_starts: bytes
) -> None:
    """After the story above (its administrator counts the certificates issued until then).
    In a context of its own without the page audit: the audit fetches each page again
    through Playwright, which leaves out the Fetch Metadata (`Sec-Fetch-Dest: document`) that
    the browser itself sends when a person opens a link."""
    lesson = await attended_lesson(live, http)
    [student] = lesson.students
    context = await browser.new_context(base_url=live.url)
    try:
        page = await context.new_page()
        downloaded = await _signed_out_link_then_sign_in(page, student, link)
        assert downloaded.read_bytes().startswith(file_starts)
    finally:
        await context.close()


async def _signed_out_link_then_sign_in(mine: Page, student: Person, link: str) -> Path:
    await sign_in(mine, student.user.email, next="/certificates")
    other_tab = await mine.context.new_page()
    await other_tab.goto("/home")
    await other_tab.get_by_role("button", name="Sign out").click()

    await mine.locator(link).click()

    await expect(mine).to_have_title("Sign in - Trust Lesson")
    assert "not_authenticated" not in await mine.content()
    await mine.get_by_label("Email").fill(student.user.email)
    await mine.get_by_label("Password").fill(PASSWORD)
    async with mine.expect_download() as started:
        await mine.get_by_role("button", name="Sign in").click()
    return await (await started.value).path()


async def _revoke(live: LiveService, number: int, reason: str) -> None:
    async with transaction(live.runtime.session_factory) as db:
        await revoke(db, certificate_id=number, reason=reason, actor_id=None, now=live.clock())


async def _admin(live: LiveService) -> Person:
    return Person(user=await make_user(live.runtime, Role.ADMIN), headers={})
