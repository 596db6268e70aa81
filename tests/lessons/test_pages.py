"""The instructor's lesson pages: the days the list shows come from the address, within range,
each lesson with its course and term; a lesson's page and its Start and Stop are staff's."""

import html
import re
from datetime import timedelta

import httpx

from tests.support.clock import FakeClock
from tests.support.factories import PASSWORD, make_user, signed_in
from tests.support.school import make_course, make_lesson, make_term
from tests.web.page_forms import SAME_SITE, page_sign_in
from trust_lesson.models import Role
from trust_lesson.runtime import Runtime

HTML = {"Accept": "text/html"}


async def test_a_day_out_of_range_in_the_address_is_a_clear_error_not_a_crash(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    signed = await client.post(
        "/login",
        data={"email": teacher.email, "password": PASSWORD},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert signed.status_code == 303

    for query in ("to=9999-12-31", "from=0001-01-01", "from=2200-01-01"):
        refused = await client.get(f"/lessons?{query}", headers=HTML)
        assert refused.status_code == 422, query
        named = query.split("=")[0]  # the page names the value and what it must be
        assert f"{named}: Must be between 1970 and 2200" in refused.text, query

    widest = await client.get("/lessons?from=1970-01-01&to=2199-12-31", headers=HTML)
    assert widest.status_code == 200
    assert "Lessons" in widest.text


async def test_an_instructor_made_a_student_has_no_lesson_page_and_an_admin_still_has(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """The pages are staff's (a student account is refused before the lesson is looked at);
    an administrator still sees the lesson, says who starts it, and offers no Start of theirs."""
    admin = await signed_in(client, runtime, Role.ADMIN)
    smith = await signed_in(client, runtime, Role.INSTRUCTOR, name="Smith")
    term = await make_term(client, smith, (await make_course(client, smith))["id"])
    lesson = await make_lesson(client, smith, term["id"])
    demoted = await client.patch(
        f"/api/v1/users/{smith.id}", json={"role": "STUDENT"}, headers=admin.headers
    )
    csrf = await page_sign_in(client, smith.user)

    start = await client.post(
        f"/lessons/{lesson['id']}/start", data={"csrf_token": csrf}, headers=SAME_SITE
    )
    page = await client.get(f"/lessons/{lesson['id']}", headers=SAME_SITE)
    client.cookies.clear()
    await page_sign_in(client, admin.user)
    admins_page = await client.get(f"/lessons/{lesson['id']}", headers=SAME_SITE)

    assert demoted.status_code == 200
    assert (start.status_code, page.status_code) == (403, 403)
    assert admins_page.status_code == 200
    assert "Only the lesson's instructor starts and stops it." in admins_page.text
    assert f'action="/lessons/{lesson["id"]}/start"' not in admins_page.text


async def test_the_lessons_list_names_each_lessons_course_and_term_and_its_status_in_words(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    """The status as the term page writes it ("late", not LATE): one home for the words."""
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    driving = await make_course(client, teacher, "Driving")
    await make_term(client, teacher, driving["id"])
    second = await make_term(client, teacher, driving["id"])
    late = await make_lesson(client, teacher, second["id"], start=clock.now - timedelta(days=2))
    coming = await make_lesson(client, teacher, second["id"], title="Parking")
    await page_sign_in(client, teacher.user)

    listed = await client.get("/lessons", headers=HTML)
    term_page = await client.get(f"/admin/terms/{second['id']}", headers=HTML)

    rows = {
        int(found[0]): [html.unescape(re.sub(r"<[^>]+>", "", cell)) for cell in found[1:]]
        for found in re.findall(
            r'<tr data-lesson-id="(\d+)">\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>.*?</td>'
            r"\s*<td>.*?</td>\s*<td [^>]*>(.*?)</td>",
            listed.text,
            re.S,
        )
    }
    assert rows == {
        late["id"]: ["Variables", "Driving, term 1", "late"],
        coming["id"]: ["Parking", "Driving, term 1", "waiting"],
    }
    assert "min, late</span>" in term_page.text
    assert "min, waiting</span>" in term_page.text
