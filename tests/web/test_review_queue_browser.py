"""The review queue in a real browser keeps the reviewer where they were: on the second page of
pictures and of appeals, each saved review and answer comes back to those pages, and settling
the last picture of the last page lands on the page before, not on an empty one."""

import re

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.support.live_server import LiveService
from tests.web.classroom import Browsers, classroom
from tests.web.review_queues import doubtful_pictures, open_appeals
from trust_lesson.web.paging import ROWS_PER_PAGE

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="session")]
# A page of the queue lists 200 pictures, each fetched by the browser: on a busy machine (two
# test processes, other browsers) the page after a form can take longer than expect's 5 s.
LOADED_MS = 30_000


async def test_a_reviewer_on_the_second_pages_stays_there_after_each_review_and_answer(
    browser: Browser, live: LiveService, http: httpx.AsyncClient, browsers: Browsers
) -> None:
    lesson = await classroom(live, http, 2)
    student, appellant = lesson.students
    pictures = await live.call(
        doubtful_pictures(live.runtime, lesson.lesson_id, student.id, ROWS_PER_PAGE + 2)
    )
    appeals = await live.call(
        open_appeals(live.runtime, lesson.lesson_id, appellant.id, ROWS_PER_PAGE + 2)
    )
    reviewer = await browsers.page_of(browser, lesson.instructor)
    await reviewer.goto("/reviews")
    for pages in ("Pages of pictures to review", "Pages of appeals to answer"):
        pager = reviewer.get_by_role("navigation", name=pages)
        await pager.get_by_role("link", name="Next page").click()
        await expect(pager).to_contain_text(
            f"Rows {ROWS_PER_PAGE + 1} to {ROWS_PER_PAGE + 2}", timeout=LOADED_MS
        )

    picture = reviewer.locator(f'[data-capture-id="{pictures[-2]}"]')
    await picture.get_by_label("Verdict").select_option("VERIFIED")
    await picture.get_by_label("Reason").fill("Same face as the enrolment")
    await picture.get_by_role("button", name="Save review").click()
    await expect(reviewer).to_have_url(
        re.compile(r"/reviews\?pictures_page=2&appeals_page=2$"), timeout=LOADED_MS
    )
    await expect(picture).to_have_count(0)
    await expect(reviewer.locator("li.review-item")).to_have_count(1)
    await expect(reviewer.locator("li.appeal-item")).to_have_count(2)

    appeal = reviewer.locator(f'[data-appeal-id="{appeals[-1]}"]')
    await appeal.get_by_label("Answer").select_option("UPHELD")
    await appeal.get_by_label("Reply to the student").fill("The decision stands.")
    await appeal.get_by_role("button", name="Answer the appeal").click()
    await expect(reviewer).to_have_url(
        re.compile(r"/reviews\?pictures_page=2&appeals_page=2#appeals$"), timeout=LOADED_MS
    )
    await expect(appeal).to_have_count(0)
    await expect(reviewer.locator("li.appeal-item")).to_have_count(1)
    await expect(reviewer.locator("li.review-item")).to_have_count(1)

    last = reviewer.locator(f'[data-capture-id="{pictures[-1]}"]')
    await last.get_by_label("Verdict").select_option("WRONG_PERSON")
    await last.get_by_label("Reason").fill("Not the student of the enrolment")
    await last.get_by_role("button", name="Save review").click()
    await expect(reviewer).to_have_url(re.compile(r"/reviews\?appeals_page=2$"), timeout=LOADED_MS)
    await expect(reviewer.locator("li.review-item")).to_have_count(ROWS_PER_PAGE)
    await expect(reviewer.get_by_text("Nothing more to review")).to_have_count(0)
    await expect(reviewer.locator("li.appeal-item")).to_have_count(1)
