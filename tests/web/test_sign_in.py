"""Signing in and out through the pages, in a real browser."""

import pytest
from playwright.async_api import Page, expect

from tests.support.factories import PASSWORD, make_user
from tests.support.live_server import LiveService
from tests.support.pages import sign_in
from trust_lesson.models import Role

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="session")]


async def test_a_person_signs_in_lands_where_they_were_going_and_signs_out(
    page: Page, live: LiveService
) -> None:
    student = await live.call(make_user(live.runtime, Role.STUDENT))

    await page.goto("/password")
    await expect(page).to_have_url(f"{live.url}/login?next=%2Fpassword")
    await page.get_by_label("Email").fill(student.email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()

    await expect(page).to_have_url(f"{live.url}/password")
    await expect(page.get_by_role("heading", name="Change password")).to_be_visible()
    await expect(page.get_by_text(f"{student.full_name} (student)")).to_be_visible()
    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(f"{live.url}/login?done=signed-out")
    await expect(page.get_by_role("status")).to_have_text("You are signed out.")
    await page.goto("/password")
    await expect(page).to_have_url(f"{live.url}/login?next=%2Fpassword")


async def test_a_wrong_password_is_told_without_saying_which_part_was_wrong(
    page: Page, live: LiveService
) -> None:
    student = await live.call(make_user(live.runtime, Role.STUDENT))

    await page.goto("/login")
    await page.get_by_label("Email").fill(student.email)
    await page.get_by_label("Password").fill("not the password at all")
    await page.get_by_role("button", name="Sign in").click()

    await expect(page.get_by_role("alert")).to_have_text("The email or password is not correct.")
    await expect(page.get_by_label("Email")).to_have_value(student.email)


async def test_the_session_cookie_is_http_only_and_same_site(page: Page, live: LiveService) -> None:
    student = await live.call(make_user(live.runtime, Role.STUDENT))

    await sign_in(page, student.email, next="/password")

    (cookie,) = await page.context.cookies()
    assert cookie["name"] == "tl_session"
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert cookie["secure"] is False  # plain http here; https: see test_browser_sessions
    assert await page.evaluate("document.cookie") == ""


async def test_a_student_registers_and_changes_their_password(
    page: Page, live: LiveService
) -> None:
    await page.goto("/register")
    await page.get_by_label("Email").fill("new.student@school.example")
    await page.get_by_label("Full name").fill("New Student")
    await page.get_by_label("Username").fill("new.student")
    await page.get_by_label("Password").fill("password")
    await page.get_by_role("button", name="Register").click()
    await expect(page.locator("#f-password-problem")).to_contain_text("at least 12 characters")

    await page.get_by_label("Password").fill("a long and unusual passphrase")
    await page.get_by_role("button", name="Register").click()
    await page.wait_for_url(lambda url: "/register" not in url)

    await page.goto("/password")
    account = page.locator('input[autocomplete="username"]')  # a password manager's anchor
    await expect(account).to_have_value("new.student@school.example")
    await page.get_by_label("Current password").fill("a long and unusual passphrase")
    await page.get_by_label("New password", exact=True).fill("another long passphrase here")
    await page.get_by_label("New password again").fill("another long passphrase here")
    await page.get_by_role("button", name="Change password").click()
    await expect(page.get_by_role("status")).to_contain_text("Your password is changed")
    await page.reload()  # shows the page again, never posts the old form a second time
    await expect(page.get_by_role("heading", name="Change password")).to_be_visible()
    await expect(page.get_by_role("status")).to_contain_text("Your password is changed")
    await page.get_by_role("button", name="Sign out").click()
    await sign_in(
        page, "new.student@school.example", "another long passphrase here", next="/password"
    )
    await expect(page).to_have_url(f"{live.url}/password")


async def test_keyboard_alone_signs_in(page: Page, live: LiveService) -> None:
    student = await live.call(make_user(live.runtime, Role.STUDENT))

    await page.goto("/login?next=/password")
    await page.keyboard.press("Tab")  # the skip link comes first, then the brand
    await page.keyboard.press("Tab")
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("Email")).to_be_focused()
    await page.keyboard.type(student.email)
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")

    await expect(page).to_have_url(f"{live.url}/password")


async def test_the_sign_in_pages_fit_a_360_pixel_phone(page: Page, live: LiveService) -> None:
    student = await live.call(make_user(live.runtime, Role.STUDENT))
    await page.set_viewport_size({"width": 360, "height": 740})

    for path in ("/login", "/register"):
        await page.goto(path)
        assert await page.evaluate("document.documentElement.scrollWidth") <= 360, path
    await sign_in(page, student.email, next="/password")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
