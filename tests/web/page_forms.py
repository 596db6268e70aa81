"""Pages used as a person uses them: signed in through the form, then a course, a term, its
members and a lesson made through the staff's forms; a long list followed page by page."""

import html
import re

import httpx
from sqlalchemy import select

from tests.support.factories import PASSWORD
from trust_lesson.models import Lesson, User
from trust_lesson.runtime import Runtime

SAME_SITE = {"Sec-Fetch-Site": "same-origin", "Accept": "text/html"}


async def page_sign_in(client: httpx.AsyncClient, user: User) -> str:
    """Signs in through the sign-in form; the page's CSRF token."""
    signed = await client.post(
        "/login", data={"email": user.email, "password": PASSWORD}, headers=SAME_SITE
    )
    assert signed.status_code == 303
    page = await client.get("/password", headers=SAME_SITE)
    found = re.search(r'name="csrf-token" content="([0-9a-f]+)"', page.text)
    assert found is not None
    return found.group(1)


async def new_course(client: httpx.AsyncClient, csrf: str, name: str = "Driving") -> str:
    made = await client.post(
        "/admin/courses", data={"name": name, "csrf_token": csrf}, headers=SAME_SITE
    )
    assert made.status_code == 303
    return str(made.headers["location"])


async def new_term(client: httpx.AsyncClient, csrf: str, course: str = "Driving") -> str:
    course_url = await new_course(client, csrf, course)
    term = await client.post(f"{course_url}/terms", data={"csrf_token": csrf}, headers=SAME_SITE)
    return str(term.headers["location"])


async def enrol(
    client: httpx.AsyncClient, csrf: str, term_url: str, person: User, role: str
) -> httpx.Response:
    return await client.post(
        f"{term_url}/members",
        data={"email": person.email, "role": role, "csrf_token": csrf},
        headers=SAME_SITE,
    )


async def lesson_of(
    client: httpx.AsyncClient, runtime: Runtime, csrf: str, *, student: User, title: str
) -> int:
    """A new term with ``student`` enrolled and one lesson planned; its id."""
    term_url = await new_term(client, csrf)
    await enrol(client, csrf, term_url, student, "STUDENT")
    await client.post(
        f"{term_url}/lessons",
        data={"title": title, "start_date": "2026-03-02T12:00", "duration_min": "60"}
        | {"csrf_token": csrf},
        headers=SAME_SITE,
    )
    async with runtime.session_factory() as db:
        return (await db.execute(select(Lesson.id))).scalar_one()


async def every_row_by_next_page(
    client: httpx.AsyncClient, url: str, pages_label: str, row: str
) -> list[str]:
    """What a person reaches from `url` by following the list's "Next page" until the last:
    the `row` attribute (say `data-course-id`) of each item of the list, in the order shown."""
    found: list[str] = []
    while True:
        page = (await client.get(url, headers=SAME_SITE)).text
        found += re.findall(rf'<li [^>]*?\b{row}="(\d+)"', page)
        pager = re.search(
            rf'<nav class="pager actions" aria-label="{pages_label}">.*?</nav>', page, re.S
        )
        following = re.search(r'rel="next" href="([^"]+)"', pager.group(0)) if pager else None
        if following is None:
            return found
        url = html.unescape(following.group(1)).split("#")[0]


def row_of(page: httpx.Response, user_id: int) -> str:
    """The accounts page's row of one person, its words unescaped."""
    found = re.search(rf'<tr id="user-{user_id}".*?</tr>', page.text, re.S)
    assert found is not None, user_id
    return html.unescape(found.group(0))
