"""The staff's side in a real browser: an admin sets up a course through the pages, the
instructor runs the lesson with the live roster, a reviewer overrides a decision with a
reason, a reviewer sees every frame of a head-turn check, an admin chooses the course's
liveness checks, a bad spreadsheet shows its row errors, a student is kept out, and disabling
an account or going back to the default policy asks first.

The students' checks are written as the capture pipeline writes them (tests/support/presence);
the student's own webcam story through the lesson room is tests/web/test_lesson_room*.
"""

import asyncio
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Dialog, Page, expect
from sqlalchemy import select

from tests.support.factories import PASSWORD, make_user
from tests.support.live_server import LiveService
from tests.support.pages import PageAudit, new_context, sign_in
from tests.support.presence import add_check, analyse, join
from tests.support.spreadsheets import lesson_workbook
from tests.vision.bursts import head_turn, picture
from tests.web.classroom import Browsers, classroom
from trust_lesson.db import transaction
from trust_lesson.lessons.pages import REFRESH_SECONDS
from trust_lesson.models import Capture, Role, User
from trust_lesson.presence.verdicts import ChallengeKind, Verdict

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="session")]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


async def admin_creates_account(page: Page, email: str, name: str, role: str) -> None:
    await page.goto("/admin/users")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Full name").fill(name)
    await page.get_by_label("Username").fill(email.split("@")[0])
    await page.get_by_label("Role", exact=True).select_option(role)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    await expect(page.get_by_role("cell", name=email)).to_be_visible()


async def enrol(page: Page, email: str, role: str) -> None:
    await page.get_by_label("Email of the person to enrol").fill(email)
    await page.get_by_label("Enrol as").select_option(role)
    await page.get_by_role("button", name="Enrol").click()
    await expect(page.get_by_role("status")).to_have_text("Enrolled.")


async def find_user(live: LiveService, email: str) -> User:
    async def load() -> User:
        async with live.runtime.session_factory() as db:
            return (await db.execute(select(User).where(User.email == email))).scalar_one()

    return await live.call(load())


async def store_picture(live: LiveService, capture_id: int, picture: bytes) -> None:
    """The capture's picture in the blob store, as the upload would have kept it."""

    async def keep() -> None:
        now = live.clock()
        stored = await live.runtime.blobs.put(picture, kind="captures", now=now, suffix=".jpg")
        async with transaction(live.runtime.session_factory) as db:
            capture = await db.get_one(Capture, capture_id)
            capture.blob_key = stored.key

    await live.call(keep())


async def next_roster_tick(room: Page) -> None:
    """The roster's own refresh timer (every REFRESH_SECONDS) fired now rather than waited for:
    the page's clock is moved on by one period; nothing else refreshes the roster."""
    await room.clock.run_for(REFRESH_SECONDS * 1000)


async def test_admin_sets_up_instructor_runs_the_lesson_and_a_reviewer_overrides(
    browser: Browser, live: LiveService, page_audit: PageAudit, testdata: Path
) -> None:
    admin = await live.call(make_user(live.runtime, Role.ADMIN))
    desk = await (await new_context(browser, live, page_audit)).new_page()
    await sign_in(desk, admin.email)

    # The admin: accounts, a course, a term, members by email, a lesson planned now.
    await admin_creates_account(desk, "ines@school.example", "Ines Instructor", "INSTRUCTOR")
    await admin_creates_account(desk, "ana@school.example", "Ana Student", "STUDENT")
    await admin_creates_account(desk, "bruno@school.example", "Bruno Student", "STUDENT")
    await desk.goto("/admin/courses")
    await desk.get_by_label("Course name").fill("Safe driving")
    await desk.get_by_role("button", name="Create course").click()
    await desk.get_by_role("button", name="Add term").click()
    await expect(desk.get_by_role("heading", name="Safe driving, term 0")).to_be_visible()
    await enrol(desk, "ines@school.example", "INSTRUCTOR")
    await enrol(desk, "ana@school.example", "STUDENT")
    await enrol(desk, "bruno@school.example", "STUDENT")
    await desk.get_by_label("Title").fill("Night driving")
    start = live.clock()
    await desk.get_by_label("Planned start (UTC)").fill(start.strftime("%Y-%m-%dT%H:%M"))
    await desk.get_by_label("Minutes").fill("30")
    await desk.get_by_role("button", name="Plan lesson").click()
    await expect(desk.get_by_role("status")).to_have_text("The lesson is planned.")
    lesson_id = int(await desk.locator("[data-lesson-id]").first.get_attribute("data-lesson-id"))

    # The instructor starts it; both students are on the roster at once.
    room = await (await new_context(browser, live, page_audit)).new_page()
    await room.clock.install()  # the page's timers run, and `run_for` fires them early
    await sign_in(room, "ines@school.example", next=f"/lessons/{lesson_id}")
    await room.get_by_role("button", name="Start lesson").click()
    await expect(room.locator("[data-lesson-status]")).to_have_text("running")
    ana = await find_user(live, "ana@school.example")
    bruno = await find_user(live, "bruno@school.example")
    ana_row = room.locator(f'tr[data-student-id="{ana.id}"]')
    bruno_row = room.locator(f'tr[data-student-id="{bruno.id}"]')
    await expect(ana_row).to_be_visible()
    await expect(bruno_row).to_be_visible()

    # Checks arrive while the page stays open: the roster refreshes by itself.
    began = live.clock()
    for person in (ana, bruno):
        await live.call(join(live.runtime, lesson_id=lesson_id, user_id=person.id, at=began))
    for kind, minutes, ana_verdict, bruno_verdict in (
        (ChallengeKind.ENTRY, 1, Verdict.VERIFIED, Verdict.VERIFIED),
        (ChallengeKind.RANDOM, 12, Verdict.VERIFIED, Verdict.NEEDS_REVIEW),
        (ChallengeKind.END, 27, Verdict.VERIFIED, None),
    ):
        for person, verdict in ((ana, ana_verdict), (bruno, bruno_verdict)):
            ids = await live.call(
                add_check(
                    live.runtime,
                    lesson_id=lesson_id,
                    user_id=person.id,
                    kind=kind,
                    issued_at=began + timedelta(minutes=minutes),
                    verdict=verdict,
                    similarity=87.5 if verdict is Verdict.NEEDS_REVIEW else None,
                )
            )
            if verdict is Verdict.NEEDS_REVIEW:
                doubtful = ids.capture_id
            if verdict is None:
                analysing = ids.capture_id
    live.clock.advance(minutes=28)
    await next_roster_tick(room)
    await expect(ana_row.locator('[data-verdict="VERIFIED"]')).to_have_count(3, timeout=12_000)
    await expect(bruno_row.locator('[data-verdict="NEEDS_REVIEW"]')).to_have_count(1)
    await expect(bruno_row.locator('[data-verdict="PENDING"]')).to_have_count(1)
    assert analysing is not None
    await live.call(analyse(live.runtime, capture_id=analysing, verdict=Verdict.VERIFIED, at=began))
    await next_roster_tick(room)
    await expect(bruno_row.locator('[data-verdict="VERIFIED"]')).to_have_count(2, timeout=12_000)
    await expect(bruno_row.locator('[data-verdict="PENDING"]')).to_have_count(0)
    await room.set_viewport_size({"width": 1000, "height": 560})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await room.screenshot(path=SCREENSHOTS / "instructor-roster.png")

    # The stop decides attendance; each decision shows with its reasons.
    room.on("dialog", lambda dialog: dialog.accept())
    await room.get_by_role("button", name="Stop lesson").click()
    await expect(room.locator("[data-lesson-status]")).to_have_text("finished")
    await expect(ana_row.locator("[data-decision]")).to_have_text("ATTENDED")
    await expect(bruno_row.locator("[data-decision]")).to_have_text("PENDING REVIEW")
    await expect(bruno_row.locator(".reasons li").first).to_be_visible()

    # The reviewer sees the picture, the score and reasons, and overrides with a reason.
    assert doubtful is not None
    face = testdata / "face_verification" / "deepface" / "img10.jpg"
    await store_picture(live, doubtful, await asyncio.to_thread(face.read_bytes))
    await room.goto("/reviews")
    item = room.locator(f'[data-capture-id="{doubtful}"]')
    await expect(item.get_by_text("Similarity: 87.5 / 100")).to_be_visible()
    picture = item.get_by_role("img")
    await expect(picture).to_have_js_property("complete", True)
    assert await picture.evaluate("image => image.naturalWidth") > 0
    await item.get_by_label("Verdict").select_option("VERIFIED")
    await item.get_by_label("Reason").fill(
        "Same face as the enrolment; dim light lowered the score"
    )
    await item.get_by_role("button", name="Save review").click()
    await expect(room.get_by_text("Nothing to review.")).to_be_visible()

    await room.goto(f"/lessons/{lesson_id}")
    await expect(bruno_row.locator("[data-decision]")).to_have_text("ATTENDED")
    await expect(bruno_row).to_contain_text("Reviewed: Same face as the enrolment")
    await room.get_by_role("link", name="Decision history").click()
    history = room.locator(f'tr[data-student-id="{bruno.id}"]')
    await expect(history).to_have_count(2)
    await expect(history.last).to_contain_text("a reviewer: Same face as the enrolment")


async def test_a_reviewer_sees_every_frame_of_a_head_turn_check(
    browser: Browser, live: LiveService, http: httpx.AsyncClient, browsers: Browsers, testdata: Path
) -> None:
    lesson = await classroom(live, http, 1, policy={"liveness_checks": "ENTRY_AND_ONE_RANDOM"})
    student = lesson.students[0]
    await lesson.start()
    joined = await http.post(f"/api/v1/lessons/{lesson.lesson_id}/join", headers=student.headers)
    challenge = joined.json()["challenge"]
    king = [picture(testdata, f"lfw/King_Abdullah_II_000{n}.jpg") for n in (1, 5)]
    frames = await asyncio.to_thread(head_turn, *king)
    sent = await http.post(
        f"/api/v1/lessons/{lesson.lesson_id}/captures",
        data={"challenge_id": str(challenge["id"]), "nonce": challenge["nonce"]},
        files=[
            ("frames", (f"frame{n}.jpg", frame, "image/jpeg")) for n, frame in enumerate(frames)
        ],
        headers=student.headers,
    )
    assert sent.status_code == 202, sent.text
    reviewer = await browsers.page_of(browser, lesson.instructor)

    await reviewer.goto(f"/captures/{sent.json()['capture_id']}")

    shown = reviewer.get_by_role("list", name="Frames of the head turn").get_by_role("img")
    await expect(shown).to_have_count(5)
    for number in range(1, 6):
        image = reviewer.get_by_role("img", name=f"Frame {number} of 5 of ")
        await expect(image).to_have_js_property("complete", True)
        assert await image.evaluate("image => image.naturalWidth") == 640
    side = challenge["liveness"]["direction"].lower()
    await expect(reviewer.locator("[data-asked]")).to_have_text(f"turn the head to their {side}")


async def test_an_admin_makes_every_check_a_head_turn_on_the_course_page(
    page: Page, live: LiveService
) -> None:
    admin = await live.call(make_user(live.runtime, Role.ADMIN))
    await sign_in(page, admin.email)
    await page.goto("/admin/courses")
    await page.get_by_label("Course name").fill("Night driving")
    await page.get_by_role("button", name="Create course").click()
    liveness = page.get_by_label("Checks that ask for a head turn (liveness)")
    await expect(liveness).to_have_value("ENTRY_AND_ONE_RANDOM")

    await liveness.select_option(label="every check")
    await page.get_by_role("button", name="Save policy").click()

    await expect(page.get_by_role("status")).to_contain_text("The policy is saved")
    await expect(liveness).to_have_value("ALL")


async def test_going_back_to_the_default_policy_asks_first(page: Page, live: LiveService) -> None:
    admin = await live.call(make_user(live.runtime, Role.ADMIN))
    await sign_in(page, admin.email)
    await page.goto("/admin/courses")
    await page.get_by_label("Course name").fill("Evening driving")
    await page.get_by_role("button", name="Create course").click()
    liveness = page.get_by_label("Checks that ask for a head turn (liveness)")
    await liveness.select_option(label="every check")
    await page.get_by_role("button", name="Save policy").click()  # asks nothing: no dialog
    await expect(page.get_by_role("status")).to_contain_text("The policy is saved")
    asked: list[str] = []

    async def answer(dialog: Dialog, accept: bool) -> None:
        asked.append(dialog.message)
        await (dialog.accept() if accept else dialog.dismiss())

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    await page.get_by_role("button", name="Back to the defaults").click()
    await expect(page.get_by_text("This course has its own policy.")).to_be_visible()
    await expect(liveness).to_have_value("ALL")
    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    await page.get_by_role("button", name="Back to the defaults").click()

    await expect(page.get_by_text("This course uses the defaults.")).to_be_visible()
    await expect(liveness).to_have_value("ENTRY_AND_ONE_RANDOM")
    assert len(asked) == 2
    assert all(
        question.startswith("Put every number of this course's policy back") for question in asked
    )


async def test_a_bad_spreadsheet_shows_every_row_error_and_plans_nothing(
    page: Page, live: LiveService, tmp_path: Path
) -> None:
    admin = await live.call(make_user(live.runtime, Role.ADMIN))
    await sign_in(page, admin.email)
    await page.goto("/admin/courses")
    await page.get_by_label("Course name").fill("Learn Python")
    await page.get_by_role("button", name="Create course").click()
    await page.get_by_role("button", name="Add term").click()
    sheet = tmp_path / "lessons.xlsx"
    sheet.write_bytes(
        lesson_workbook(
            lessons=[
                ("Variables", "2026-03-10", "10:00", 60, None, ""),
                ("Loops", "not a date", "10:00", 60, None, ""),
                ("Functions", "2026-03-12", "10:00", -5, "nobody", ""),
            ]
        )
    )

    await page.get_by_label("Spreadsheet").set_input_files(sheet)
    await page.get_by_role("button", name="Import lessons").click()

    await expect(page.get_by_role("alert")).to_contain_text("nothing was imported")
    errors = page.get_by_role("list", name="Problems in the spreadsheet")
    await expect(errors.locator('[data-row="7"]')).to_be_visible()
    await expect(errors.locator('[data-row="8"]')).to_be_visible()
    await expect(page.get_by_text("No lessons planned yet.")).to_be_visible()


async def test_a_student_cannot_open_staff_pages_or_pictures(page: Page, live: LiveService) -> None:
    teacher = await live.call(make_user(live.runtime, Role.INSTRUCTOR))
    student = await live.call(make_user(live.runtime, Role.STUDENT))
    await sign_in(page, teacher.email)
    await page.goto("/admin/courses")
    await page.get_by_label("Course name").fill("Chemistry")
    await page.get_by_role("button", name="Create course").click()
    await page.get_by_role("button", name="Add term").click()
    await enrol(page, student.email, "STUDENT")
    await page.get_by_label("Title").fill("Acids")
    await page.get_by_label("Planned start (UTC)").fill(live.clock().strftime("%Y-%m-%dT%H:%M"))
    await page.get_by_role("button", name="Plan lesson").click()
    lesson_id = int(await page.locator("[data-lesson-id]").first.get_attribute("data-lesson-id"))
    ids = await live.call(
        add_check(
            live.runtime,
            lesson_id=lesson_id,
            user_id=student.id,
            kind=ChallengeKind.ENTRY,
            issued_at=live.clock(),
            verdict=Verdict.NEEDS_REVIEW,
        )
    )
    await page.context.clear_cookies()
    await sign_in(page, student.email, next="/password")

    for path in (
        f"/lessons/{lesson_id}",
        f"/lessons/{lesson_id}/roster",
        f"/lessons/{lesson_id}/history",
        f"/captures/{ids.capture_id}",
        f"/captures/{ids.capture_id}/picture",
        "/reviews",
        "/identity-reviews",
        "/admin/users",
        "/admin/courses",
    ):
        answer = await page.goto(path)
        assert answer is not None
        assert answer.status in (403, 404), path
        assert "Night driving" not in await page.content()
    answer = await page.request.post(
        f"/lessons/{lesson_id}/start", headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert answer.status == 403


async def test_disabling_an_account_asks_first(page: Page, live: LiveService) -> None:
    admin = await live.call(make_user(live.runtime, Role.ADMIN))
    student = await live.call(make_user(live.runtime, Role.STUDENT))
    await sign_in(page, admin.email)
    await page.goto("/admin/users")
    row = page.locator(f'tr[data-user-id="{student.id}"]')
    asked: list[str] = []

    async def answer(dialog: Dialog, accept: bool) -> None:
        asked.append(dialog.message)
        await (dialog.accept() if accept else dialog.dismiss())

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    await row.get_by_role("button", name=f"Disable {student.full_name}").click()
    await expect(row.get_by_role("button", name=f"Disable {student.full_name}")).to_be_visible()
    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    await row.get_by_role("button", name=f"Disable {student.full_name}").click()

    await expect(row.get_by_role("button", name=f"Enable {student.full_name}")).to_be_visible()
    assert (
        asked
        == [f"Disable the account of {student.full_name}? They are signed out everywhere at once."]
        * 2
    )
    refreshed = await find_user(live, student.email)
    assert not refreshed.is_active
