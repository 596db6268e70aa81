"""Staff forms in process: a refused form says why beside the field and keeps what was typed;
long lists come a page at a time; an administrator cannot lock themselves out."""

import re

import httpx
from sqlalchemy import select

from tests.support.factories import make_user
from tests.support.presence import add_check
from tests.web.test_admin_pages import SAME_SITE, page_sign_in
from trust_lesson.models import Lesson, Role
from trust_lesson.presence.verdicts import ChallengeKind
from trust_lesson.runtime import Runtime


async def new_term(client: httpx.AsyncClient, csrf: str) -> str:
    course = await client.post(
        "/admin/courses", data={"name": "Driving", "csrf_token": csrf}, headers=SAME_SITE
    )
    term = await client.post(
        f"{course.headers['location']}/terms", data={"csrf_token": csrf}, headers=SAME_SITE
    )
    return str(term.headers["location"])


def selected_option(page: str, select_id: str) -> list[str]:
    select = re.search(rf'<select id="{select_id}".*?</select>', page, re.S)
    assert select is not None, select_id
    return re.findall(r'<option value="(\w*)" selected>', select.group(0))


async def test_a_refused_enrolment_says_why_beside_the_role_and_keeps_it(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    student = await make_user(runtime, Role.STUDENT)
    csrf = await page_sign_in(client, teacher)
    term_url = await new_term(client, csrf)

    refused = await client.post(
        f"{term_url}/members",
        data={"email": student.email, "role": "INSTRUCTOR", "csrf_token": csrf},
        headers=SAME_SITE,
    )

    assert refused.status_code == 422
    assert re.search(r'id="f-member-role-problem">A student account cannot teach', refused.text)
    assert selected_option(refused.text, "f-member-role") == ["INSTRUCTOR"]
    assert f'value="{student.email}"' in refused.text


async def test_an_unknown_time_zone_is_named_beside_the_import_field(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    csrf = await page_sign_in(client, teacher)
    term_url = await new_term(client, csrf)

    refused = await client.post(
        f"{term_url}/import",
        data={"timezone": "Mars/Phobos", "csrf_token": csrf},
        files={"file": ("lessons.xlsx", b"PK\x03\x04", "application/octet-stream")},
        headers=SAME_SITE,
    )

    assert refused.status_code == 422
    assert re.search(r'id="f-timezone-problem">&#34;Mars/Phobos&#34; is not a known', refused.text)
    assert 'value="Mars/Phobos"' in refused.text


async def test_an_instructor_plans_their_own_lesson_unless_they_choose_a_colleague(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    colleague = await make_user(runtime, Role.INSTRUCTOR)
    admin = await make_user(runtime, Role.ADMIN)
    csrf = await page_sign_in(client, teacher)
    term_url = await new_term(client, csrf)
    await client.post(
        f"{term_url}/members",
        data={"email": colleague.email, "role": "INSTRUCTOR", "csrf_token": csrf},
        headers=SAME_SITE,
    )

    teachers_form = await client.get(term_url, headers=SAME_SITE)
    client.cookies.clear()
    await page_sign_in(client, admin)
    admins_form = await client.get(term_url, headers=SAME_SITE)

    assert selected_option(teachers_form.text, "f-instructor_id") == []  # the first: me
    assert selected_option(admins_form.text, "f-instructor_id") == [str(colleague.id)]


async def test_a_refused_review_keeps_the_chosen_verdict_and_the_typed_reason(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    student = await make_user(runtime, Role.STUDENT)
    csrf = await page_sign_in(client, teacher)
    term_url = await new_term(client, csrf)
    await client.post(
        f"{term_url}/members",
        data={"email": student.email, "role": "STUDENT", "csrf_token": csrf},
        headers=SAME_SITE,
    )
    await client.post(
        f"{term_url}/lessons",
        data={"title": "Parking", "start_date": "2026-03-02T12:00", "duration_min": "60"}
        | {"csrf_token": csrf},
        headers=SAME_SITE,
    )
    async with runtime.session_factory() as db:
        lesson_id = (await db.execute(select(Lesson.id))).scalar_one()
    analysing = await add_check(
        runtime, lesson_id=lesson_id, user_id=student.id, kind=ChallengeKind.ENTRY,
        issued_at=runtime.clock(), verdict=None,
    )  # fmt: skip

    refused = await client.post(
        f"/captures/{analysing.capture_id}/review",
        data={"decision": "WRONG_PERSON", "reason": "his brother, seen on the call"}
        | {"csrf_token": csrf},
        headers=SAME_SITE,
    )

    assert refused.status_code == 409
    assert "still being analysed" in refused.text
    assert selected_option(refused.text, f"verdict-{analysing.capture_id}") == ["WRONG_PERSON"]
    assert ">his brother, seen on the call</textarea>" in refused.text
