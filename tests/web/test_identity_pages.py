"""The identity pages in a real browser, the documents read by the real worker (embedded):
a student writes the record, sends the specimen and a webcam selfie and reads the result in
words; a reviewer decides a verification the worker left for a person.

The documents are the Utopia passport specimen whose photo area holds a real face of the
shared face set (built in the test: tests/identity/specimens.py); the webcam plays another
photo of the same person. For the reviewer's story the specimen's machine-readable zone is
covered (built in the test too), so the worker cannot settle it and leaves it NEEDS_REVIEW.
"""

import asyncio
import io
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image
from playwright.async_api import Browser, Route, expect

from tests.identity.specimens import HOLDER, HOLDER_AGAIN, jpeg, passport_with_face
from tests.identity.stories import ANNA, outcome, ready_to_verify, verify
from tests.support.databases import SuiteDatabases
from tests.support.live_server import LiveService, live_service
from tests.web.classroom import Browsers, classroom
from tests.web.conftest import CameraBrowser

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="session")]
WORKER_WAIT_MS = 120_000  # the first document loads the OCR and face models in the worker
BEFORE_UTOPIA_EXPIRY = datetime(2011, 6, 1, 9, 0, tzinfo=UTC)  # it expires on 2012-04-15
MRZ_BAND = 0.8  # the passport's machine-readable zone lies below 80% of its height


@pytest.fixture(scope="module")
def live(
    databases: SuiteDatabases, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveService]:
    """The service with worker threads in this process, reading documents with the real
    models: they share the test's clock, set before the specimen's expiry (`serve` runs its
    worker in a process of its own, on the real clock)."""
    with live_service(databases, tmp_path_factory.mktemp("var"), embedded_worker=False) as service:
        service.clock.now = BEFORE_UTOPIA_EXPIRY
        service.runtime.worker.start_embedded(workers=2)
        yield service


def covered_mrz(passport: bytes) -> bytes:
    page = np.asarray(Image.open(io.BytesIO(passport)).convert("RGB")).copy()
    page[int(page.shape[0] * MRZ_BAND) :] = 255
    return jpeg(page)


async def test_a_student_writes_the_record_sends_the_specimen_and_reads_the_result(
    camera_browser: CameraBrowser,
    face_videos: Callable[[Path], Path],
    testdata: Path,
    tmp_path: Path,
    live: LiveService,
    http: httpx.AsyncClient,
    browsers: Browsers,
) -> None:
    lesson = await classroom(live, http, students=1)
    camera = await camera_browser(face_videos(testdata / HOLDER_AGAIN))
    page = await browsers.student_page(camera, lesson.students[0])
    passport, not_a_picture = tmp_path / "passport.jpg", tmp_path / "scan.jpg"
    passport.write_bytes(passport_with_face(testdata, HOLDER))
    not_a_picture.write_bytes(b"%PDF-1.7 a scan saved as a PDF, named .jpg")
    await page.goto("/consent")
    await page.get_by_role("button", name="I consent").click()

    await page.get_by_role("link", name="Identity").click()
    await page.get_by_label("Document number").fill(ANNA["document_number"])
    await page.get_by_label("Document type").select_option("PASSPORT")
    await page.get_by_label("Full name", exact=True).fill(ANNA["full_name"])
    await page.get_by_label("Parent's full name").fill(ANNA["parent_full_name"])
    await page.get_by_label("Birth date").fill(ANNA["birth_date"])
    await page.get_by_label("Expiry date").fill(ANNA["expiry_date"])
    await page.get_by_label("Country").fill(ANNA["country"])
    await page.get_by_role("button", name="Save record").click()
    await expect(page.get_by_text("Your identity record is saved.")).to_be_visible()
    await page.get_by_role("button", name="Take selfie").click()
    await expect(page.locator("#selfie-state")).to_have_text("Selfie: taken")
    photo = page.get_by_label("Photo of your document (front)")
    await photo.set_input_files(not_a_picture)
    await page.get_by_role("button", name="Send for verification").click()
    await expect(page.locator("#send-problem")).to_contain_text("Not sent: document:")
    await photo.set_input_files(passport)
    upload_held = asyncio.Event()

    async def slow_line(route: Route) -> None:
        await upload_held.wait()
        await route.continue_()

    await page.route("**/identity/verifications", slow_line)
    await page.get_by_role("button", name="Send for verification").click()
    await expect(page.locator("#send-state")).to_have_text("Sending your photos\u2026")
    await expect(page.get_by_role("button", name="Send for verification")).to_be_disabled()
    upload_held.set()
    await expect(page.locator("#send-state")).to_have_text("")

    result = page.locator("#identity-result [data-status]")
    await expect(result).to_have_attribute("data-status", "PENDING")
    await expect(page.get_by_text("Your document is being read.")).to_be_visible()
    await expect(result).to_have_attribute("data-status", "VERIFIED", timeout=WORKER_WAIT_MS)
    await expect(page.get_by_text("Your identity is verified.")).to_be_visible()
    number = page.locator('tr[data-field="document_number"]')
    await expect(number).to_contain_text("L898902C3")
    await expect(number).to_contain_text("the machine-readable zone")
    await expect(number).to_contain_text("matches")
    await expect(page.locator('tr[data-field="parent_full_name"]')).to_contain_text("not found")
    await expect(page.locator("[data-similarity]")).to_contain_text("similarity")
    assert float(await page.locator("[data-similarity]").get_attribute("data-similarity")) >= 90
    await page.reload()
    await expect(page.locator("#record-locked")).to_be_visible()
    await expect(page.get_by_label("Document number")).to_be_disabled()


async def test_a_reviewer_decides_with_a_reason_and_the_item_leaves_the_queue(
    browser: Browser, testdata: Path, live: LiveService, http: httpx.AsyncClient,
    browsers: Browsers,
) -> None:  # fmt: skip
    lesson = await classroom(live, http, students=1)
    student = lesson.students[0]
    await ready_to_verify(http, student, ANNA)
    sent = await verify(
        http,
        student,
        covered_mrz(passport_with_face(testdata, HOLDER)),
        (testdata / HOLDER_AGAIN).read_bytes(),
    )
    read = await outcome(http, student, sent)
    assert read["status"] == "NEEDS_REVIEW", read["reasons"]
    page = await browsers.page_of(browser, lesson.instructor)

    await page.get_by_role("link", name="Identity reviews").click()
    item = page.locator(f'[data-verification-id="{sent}"]')
    await expect(item).to_contain_text(student.user.full_name)
    await expect(item.locator('tr[data-field="full_name"]')).to_contain_text("Anna Maria Eriksson")
    document = await item.get_by_role("img", name="The document").element_handle()
    await page.wait_for_function("image => image.complete && image.naturalWidth > 0", arg=document)
    await item.get_by_label("Decision").select_option("VERIFIED")
    await item.get_by_label("Reason").fill("Passport seen on the video call; MRZ hidden by a glare")
    await item.get_by_role("button", name="Save decision").click()

    await expect(
        page.get_by_text(f"Your decision on verification {sent} is saved.")
    ).to_be_visible()
    await expect(page.locator(f'[data-verification-id="{sent}"]')).to_have_count(0)
    decided = await outcome(http, student, sent)
    assert (decided["status"], decided["machine_status"]) == ("VERIFIED", "NEEDS_REVIEW")
    assert decided["reviews"][0]["reason"].startswith("Passport seen on the video call")
