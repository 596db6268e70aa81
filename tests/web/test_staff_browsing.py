"""The staff's pages in a real browser, used as an impatient person uses them: a second press
of a button sends nothing more, a refused import comes back scrolled to its problems, and a
very long name wraps instead of widening the page."""

from pathlib import Path

import pytest
from playwright.async_api import Page, Route, expect

from tests.support.factories import PASSWORD, make_user
from tests.support.live_server import LiveService
from tests.support.pages import sign_in
from tests.support.spreadsheets import lesson_workbook
from trust_lesson.models import Role

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="session")]

UNBROKEN = "Verylongname" * 15  # a 180-character name without a space: allowed (<= 200)


async def new_course_page(page: Page, name: str) -> None:
    await page.goto("/admin/courses")
    await page.get_by_label("Course name").fill(name)
    await page.get_by_role("button", name="Create course").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(name)


async def new_term_page(page: Page, course: str) -> None:
    await new_course_page(page, course)
    await page.get_by_role("button", name="Add term").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"{course}, term 0")


async def scrolled_into_view(page: Page, selector: str) -> None:
    """Waits until the element's top is within the window (the browser scrolls after load)."""
    await page.wait_for_function(
        "s => (box => box.top >= 0 && box.top < innerHeight)"
        "(document.querySelector(s).getBoundingClientRect())",
        arg=selector,
    )


async def page_widths(page: Page) -> list[int]:
    """The page's width and the window's, once the page and its style sheet are loaded."""
    await page.wait_for_load_state()
    widths: list[int] = await page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    return widths


async def test_a_second_press_while_the_first_is_on_its_way_sends_nothing(
    page: Page, live: LiveService
) -> None:
    admin = await live.call(make_user(live.runtime, Role.ADMIN))
    await sign_in(page, admin.email)
    await new_course_page(page, "Evening driving")
    sent: list[str] = []

    async def slow_answer(route: Route) -> None:
        sent.append(route.request.url)
        await page.wait_for_timeout(300)
        await route.continue_()

    await page.route("**/admin/courses/*/terms", slow_answer)
    add_term = page.get_by_role("button", name="Add term")
    await add_term.evaluate("button => { button.click(); setTimeout(() => button.click(), 100); }")

    await expect(page.get_by_role("heading", level=1)).to_have_text("Evening driving, term 0")
    assert len(sent) == 1


async def test_a_refused_import_comes_back_scrolled_to_its_problems(
    page: Page, live: LiveService, tmp_path: Path
) -> None:
    admin = await live.call(make_user(live.runtime, Role.ADMIN))
    await sign_in(page, admin.email)
    await new_term_page(page, "Learn Python")
    sheet = tmp_path / "lessons.xlsx"
    sheet.write_bytes(lesson_workbook(lessons=[("Loops", "not a date", "10:00", 60, None, "")]))

    await page.get_by_label("Spreadsheet").set_input_files(sheet)
    await page.get_by_role("button", name="Import lessons").click()

    errors = page.get_by_role("list", name="Problems in the spreadsheet")
    await expect(errors.locator('[data-row="6"]')).to_be_visible()
    await scrolled_into_view(page, "ul.row-errors")


async def test_a_very_long_name_wraps_on_the_term_page_and_in_the_roster(
    page: Page, live: LiveService
) -> None:
    admin = await live.call(make_user(live.runtime, Role.ADMIN))
    await sign_in(page, admin.email)
    await page.goto("/admin/users")
    await page.get_by_label("Email").fill("zoe@school.example")
    await page.get_by_label("Full name").fill(f"Zoë {UNBROKEN}")
    await page.get_by_label("Username").fill("zoe")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    await expect(page.get_by_role("status")).to_have_text("The account is created.")
    widths_on_users = await page_widths(page)
    await new_term_page(page, "Long names")
    await page.get_by_label("Email of the person to enrol").fill("zoe@school.example")
    await page.get_by_role("button", name="Enrol").click()
    await page.get_by_label("Title").fill("Parking")
    await page.get_by_label("Planned start (UTC)").fill("2026-03-02T12:00")
    await page.get_by_role("button", name="Plan lesson").click()
    await expect(page.get_by_role("status")).to_have_text("The lesson is planned.")
    widths_on_term = await page_widths(page)
    await page.get_by_role("link", name="Parking").click()

    assert widths_on_users[0] <= widths_on_users[1]
    assert widths_on_term[0] <= widths_on_term[1]
    await page.wait_for_load_state()
    decision = page.get_by_role("columnheader", name="Decision")
    box = await decision.bounding_box()
    assert box is not None and box["x"] + box["width"] <= page.viewport_size["width"]  # type: ignore[index]
