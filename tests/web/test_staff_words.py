"""Staff pages in process, read as a demanding person reads them: what an action did is said
where the page comes back to, a refusal shows the page as it is with the reason, a problem
says what to write, sentences do not run together, and every staff member can find their
courses."""

import html
import re
from datetime import timedelta

import httpx
from sqlalchemy import select

from tests.support.clock import FakeClock
from tests.support.factories import make_user
from tests.web.page_forms import SAME_SITE, new_course, new_term, page_sign_in, row_of
from trust_lesson.models import Lesson, Role
from trust_lesson.runtime import Runtime


def text_of(page: httpx.Response) -> str:
    """The page's words as a person reads them: tags gone, spaces as they render."""
    words = re.sub(r"<[^>]+>", " ", page.text.split("<main", 1)[1])
    return re.sub(r"\s+([,.])", r"\1", re.sub(r"\s+", " ", html.unescape(words)))


async def test_an_instructor_finds_their_courses_in_the_navigation(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    await page_sign_in(client, teacher)

    start = await client.get("/lessons", headers=SAME_SITE)

    nav = re.search(r'<nav aria-label="Main">.*?</nav>', start.text, re.S)
    assert nav is not None
    assert '<a href="/admin/courses">Courses</a>' in nav.group(0)


async def test_the_signing_keys_dates_read_like_every_other_date(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await make_user(runtime, Role.ADMIN)
    await page_sign_in(client, admin)

    page = await client.get("/admin/evidence", headers=SAME_SITE)

    created = re.search(
        r'<tr data-key-id="[^"]+">(?:\s*<td>.*?</td>){2}\s*<td>(.*?)</td>', page.text
    )
    assert created is not None
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", created.group(1))


async def test_the_course_page_keeps_its_sentences_apart_and_says_the_defaults_are_back(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await make_user(runtime, Role.ADMIN)
    csrf = await page_sign_in(client, admin)
    course_url = await new_course(client, csrf)

    first = await client.get(course_url, headers=SAME_SITE)
    reset = await client.post(
        f"{course_url}/policy", data={"reset": "defaults", "csrf_token": csrf}, headers=SAME_SITE
    )
    after = await client.get(reset.headers["location"], headers=SAME_SITE)

    assert "This course uses the defaults. Each field shows its default" in text_of(first)
    assert 'role="status">The policy is back to the defaults' in after.text


async def test_a_lesson_says_how_long_it_lasted_in_words(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    csrf = await page_sign_in(client, teacher)
    term_url = await new_term(client, csrf)
    start = clock.now.strftime("%Y-%m-%dT%H:%M")
    await client.post(
        f"{term_url}/lessons",
        data={"title": "Parking", "start_date": start, "duration_min": "1", "csrf_token": csrf},
        headers=SAME_SITE,
    )
    async with runtime.session_factory() as db:
        lesson_id = (await db.execute(select(Lesson.id))).scalar_one()

    await client.post(f"/lessons/{lesson_id}/start", data={"csrf_token": csrf}, headers=SAME_SITE)
    clock.advance(minutes=1)
    await client.post(f"/lessons/{lesson_id}/stop", data={"csrf_token": csrf}, headers=SAME_SITE)
    page = await client.get(f"/lessons/{lesson_id}", headers=SAME_SITE)

    assert re.search(r"for 1 minute\. Started [\d-]+ [\d:]+ UTC\. Lasted 1 minute\.", text_of(page))


async def test_form_problems_say_what_to_write_not_the_librarys_words(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await make_user(runtime, Role.ADMIN)
    csrf = await page_sign_in(client, admin)
    term_url = await new_term(client, csrf)

    empty = await client.post(
        f"{term_url}/lessons",
        data={"title": "", "start_date": "", "duration_min": "", "csrf_token": csrf},
        headers=SAME_SITE,
    )
    wrong = await client.post(
        f"{term_url}/lessons",
        data={"title": "Loops", "start_date": "2026-13-01T10:00", "duration_min": "0"}
        | {"csrf_token": csrf},
        headers=SAME_SITE,
    )
    account = await client.post(
        "/admin/users",
        data={"email": "eva", "full_name": "", "username": "e", "password": "x"}
        | {"role": "STUDENT", "csrf_token": csrf},
        headers=SAME_SITE,
    )

    assert 'id="f-title-problem">Write at least 1 character.' in empty.text
    assert 'id="f-start_date-problem">Fill this in.' in empty.text
    assert 'id="f-duration_min-problem">Fill this in.' in empty.text
    assert (
        'id="f-start_date-problem">Write a date and time, such as 2026-03-02 14:30.' in wrong.text
    )
    assert 'id="f-duration_min-problem">Write 1 or more.' in wrong.text
    assert 'id="f-email-problem">An email address must have an @-sign.' in account.text
    assert 'id="f-username-problem">Write at least 3 characters.' in account.text
    for page in (empty, wrong, account):
        assert "should" not in page.text and "Input" not in page.text


async def test_an_admin_refused_a_change_of_their_own_account_sees_why_in_its_row(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await make_user(runtime, Role.ADMIN)
    csrf = await page_sign_in(client, admin)

    demoted = await client.post(
        f"/admin/users/{admin.id}", data={"role": "STUDENT", "csrf_token": csrf}, headers=SAME_SITE
    )

    assert demoted.status_code == 422
    assert "<title>Users - Trust Lesson</title>" in demoted.text
    row = row_of(demoted, admin.id)
    assert re.search(r'role="alert">You cannot take away your own administrator role', row)
    assert re.search(r'<option value="ADMIN" selected>', row)


async def test_a_changed_role_is_said_in_its_row_on_the_page_it_was_changed_on(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await make_user(runtime, Role.ADMIN)
    pupil = await make_user(runtime, Role.STUDENT)
    csrf = await page_sign_in(client, admin)

    promoted = await client.post(
        f"/admin/users/{pupil.id}",
        data={"role": "INSTRUCTOR", "page": "1", "csrf_token": csrf},
        headers=SAME_SITE,
    )
    again = await client.post(
        f"/admin/users/{pupil.id}",
        data={"role": "INSTRUCTOR", "csrf_token": csrf},
        headers=SAME_SITE,
    )
    disabled = await client.post(
        f"/admin/users/{pupil.id}", data={"active": "false", "csrf_token": csrf}, headers=SAME_SITE
    )
    after_promotion = await client.get(promoted.headers["location"], headers=SAME_SITE)
    after_again = await client.get(again.headers["location"], headers=SAME_SITE)
    after_disabling = await client.get(disabled.headers["location"], headers=SAME_SITE)

    assert promoted.headers["location"].startswith("/admin/users?page=1&")
    assert promoted.headers["location"].endswith(f"#user-{pupil.id}")
    assert 'role="status">The role is changed.' in row_of(after_promotion, pupil.id)
    assert 'role="status">Nothing changed: the account already has that role.' in row_of(
        after_again, pupil.id
    )
    assert 'role="status">The account is disabled' in row_of(after_disabling, pupil.id)
    assert 'role="status"' not in row_of(after_disabling, admin.id)


async def test_a_second_start_shows_the_running_lesson_with_why_nothing_happened(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    csrf = await page_sign_in(client, teacher)
    term_url = await new_term(client, csrf)
    start = (clock.now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    await client.post(
        f"{term_url}/lessons",
        data={"title": "Parking", "start_date": start, "duration_min": "60", "csrf_token": csrf},
        headers=SAME_SITE,
    )
    async with runtime.session_factory() as db:
        lesson_id = (await db.execute(select(Lesson.id))).scalar_one()
    start_url = f"/lessons/{lesson_id}/start"

    first = await client.post(start_url, data={"csrf_token": csrf}, headers=SAME_SITE)
    again = await client.post(start_url, data={"csrf_token": csrf}, headers=SAME_SITE)

    assert first.status_code == 303
    assert again.status_code == 409
    assert "<title>Parking - Trust Lesson</title>" in again.text
    assert 'data-lesson-status="RUNNING"' in again.text
    assert 'role="alert">This lesson is already running.' in again.text
    assert ">Stop lesson</button>" in again.text


async def test_the_import_form_says_what_the_sheet_looks_like_and_problems_come_back_in_view(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    csrf = await page_sign_in(client, teacher)
    term_url = await new_term(client, csrf, "Learn Python")
    term_id = term_url.rsplit("/", 1)[1]

    page = await client.get(term_url, headers=SAME_SITE)
    words = text_of(page)

    assert "Course name: with Learn Python in the cell to its right" in words
    assert "Term number: with 0 to its right" in words
    assert "from A: Title, Date, Time, Duration, Instructor (optional), Description." in words
    for form in ("members#members", "lessons#plan", "import#import"):
        assert f'action="/admin/terms/{term_id}/{form}"' in page.text
    for anchor in ('id="members"', 'id="plan"', 'id="import"'):
        assert anchor in page.text


async def test_an_address_without_a_page_and_a_forms_address_are_explained(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    csrf = await page_sign_in(client, teacher)
    term_url = await new_term(client, csrf)

    nowhere = await client.get("/no-such-page", headers=SAME_SITE)
    form_address = await client.get(f"{term_url}/import", headers=SAME_SITE)

    assert nowhere.status_code == 404
    assert "There is no page at this address" in nowhere.text
    assert "Not Found" not in nowhere.text
    assert form_address.status_code == 405
    assert "This address receives a form; it is not a page to open." in form_address.text
    assert "Method Not Allowed" not in form_address.text
