"""An appeal in a real browser: the student appeals an absence on their home page, the
instructor finds it in the review queue, overrides the student's entry check from there,
grants the appeal with a reply, and the student reads the answer beside the new decision."""

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.support.live_server import LiveService
from tests.support.presence import add_timeline
from tests.web.classroom import Browsers, classroom
from trust_lesson.presence.verdicts import Verdict

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="session")]

PHONE_WIDTH = 375
REASON = "The camera caught my brother's photo on the wall; I was there."
REPLY = "The entry picture is yours: corrected to partial."


async def test_a_student_appeals_an_absence_and_reads_the_granted_answer(
    browser: Browser, live: LiveService, http: httpx.AsyncClient, browsers: Browsers
) -> None:
    lesson = await classroom(live, http, 1)
    student = lesson.students[0]
    await lesson.start()
    wrong = (Verdict.WRONG_PERSON, Verdict.WRONG_PERSON)
    checks = await live.call(
        add_timeline(
            live.runtime,
            lesson_id=lesson.lesson_id,
            user_id=student.id,
            start=live.clock(),
            verdicts=wrong,
        )
    )
    live.clock.advance(minutes=20)
    stopped = await http.post(
        f"/api/v1/lessons/{lesson.lesson_id}/stop", headers=lesson.instructor.headers
    )
    assert stopped.status_code == 200, stopped.text
    home = await browsers.student_page(browser, student)
    row = home.locator(f'tr[data-lesson-id="{lesson.lesson_id}"]')

    await expect(row.locator("[data-decision]")).to_have_attribute("data-decision", "ABSENT")
    wide = home.viewport_size
    # On a phone each row is a card: the Appeal cell in sight, not scrolled off to the side.
    await home.set_viewport_size({"width": PHONE_WIDTH, "height": 740})
    appeal_cell = await row.locator("td.appeal").bounding_box()
    assert appeal_cell is not None and appeal_cell["x"] + appeal_cell["width"] <= PHONE_WIDTH
    assert wide is not None
    await home.set_viewport_size(wide)
    await row.get_by_role("button", name="Appeal").click()
    await expect(row.locator("[data-appeal-outcome]")).to_have_count(0)  # nothing sent empty
    await row.get_by_label("Why is this decision wrong?").fill(REASON)
    await row.get_by_role("button", name="Appeal").click()
    await expect(row.locator("[data-appeal-outcome]")).to_have_attribute(
        "data-appeal-outcome", "OPEN"
    )
    await expect(row.get_by_role("button", name="Appeal")).to_have_count(0)

    reviewer = await browsers.page_of(browser, lesson.instructor)
    await reviewer.goto("/reviews")
    appeal = reviewer.locator("li.appeal-item")
    await expect(appeal).to_have_count(1)
    await expect(appeal).to_contain_text(REASON)
    await expect(appeal).to_have_attribute("data-decision", "ABSENT")
    await appeal.get_by_role("link", name="Check 1").click()
    await reviewer.wait_for_url(f"**/captures/{checks[0].capture_id}")
    await reviewer.get_by_label("Verdict").select_option("VERIFIED")
    await reviewer.get_by_label("Reason").fill("Her face; the photo is behind her.")
    await reviewer.get_by_role("button", name="Save review").click()
    await reviewer.goto("/reviews")
    await appeal.get_by_label("Answer").select_option("GRANTED")
    await appeal.get_by_label("Reply to the student").fill(REPLY)
    await appeal.get_by_role("button", name="Answer the appeal").click()
    await expect(reviewer.get_by_text("No appeal to answer.")).to_be_visible()

    await home.reload()
    await expect(row.locator("[data-decision]")).to_have_attribute("data-decision", "PARTIAL")
    await expect(row.locator("[data-appeal-outcome]")).to_have_attribute(
        "data-appeal-outcome", "GRANTED"
    )
    await expect(row).to_contain_text("Appeal granted: the decision was corrected.")
    await expect(row).to_contain_text(REPLY)
    await expect(row.get_by_role("button", name="Appeal")).to_have_count(1)  # the new decision
