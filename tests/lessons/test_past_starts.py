"""A lesson whose start has passed: the term page's form and import refuse it in words (most
likely a slip of the day, the year or the time zone, and a lesson nobody can attend when it
says), a start a few minutes back is still "now", and the API keeps accepting it (its
contract: timetables kept elsewhere, a term's sheet with the lessons already given)."""

import html
import re
from datetime import UTC, datetime

import httpx
from sqlalchemy import func, select

from tests.support.factories import make_user, signed_in
from tests.support.school import make_course, make_lesson, make_term
from tests.support.spreadsheets import lesson_workbook
from tests.web.page_forms import SAME_SITE, new_term, page_sign_in
from trust_lesson.models import Lesson, Role
from trust_lesson.runtime import Runtime

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The service clock stands at 2026-03-02 12:00 UTC.


async def lessons_planned(runtime: Runtime) -> int:
    async with runtime.session_factory() as db:
        return (await db.execute(select(func.count(Lesson.id)))).scalar_one()


async def test_the_plan_form_refuses_a_start_that_has_passed_beside_it(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    csrf = await page_sign_in(client, teacher)
    term_url = await new_term(client, csrf)

    async def plan(start: str, title: str) -> httpx.Response:
        data = {"title": title, "start_date": start, "duration_min": "60", "csrf_token": csrf}
        return await client.post(f"{term_url}/lessons", data=data, headers=SAME_SITE)

    yesterday = await plan("2026-03-01T12:00", "Parking")
    just_begun = await plan("2026-03-02T11:50", "Roundabouts")

    assert yesterday.status_code == 422
    problem = re.search(r'id="f-start_date-problem">([^<]*)<', yesterday.text)
    assert problem is not None
    assert html.unescape(problem.group(1)) == (
        "This time has passed (it is 2026-03-02 12:00 UTC); plan a lesson before it starts."
    )
    assert 'value="2026-03-01T12:00"' in yesterday.text
    assert 'value="Parking"' in yesterday.text
    assert just_begun.status_code == 303
    assert await lessons_planned(runtime) == 1


async def test_the_import_form_names_each_row_that_has_passed_and_plans_nothing(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    csrf = await page_sign_in(client, teacher)
    term_url = await new_term(client, csrf, "Learn Python")
    given = ("Loops", "2026-02-23", "14:30", 60, None, "")
    coming = ("Functions", "2026-03-09", "14:30", 60, None, "")

    refused = await client.post(
        f"{term_url}/import",
        data={"timezone": "America/Sao_Paulo", "csrf_token": csrf},
        files={"file": ("lessons.xlsx", lesson_workbook(lessons=[given, coming]), XLSX)},
        headers=SAME_SITE,
    )

    assert refused.status_code == 422
    rows = re.findall(r'<li data-row="(\d+)">([^<]*)</li>', refused.text)
    assert [(row, html.unescape(words)) for row, words in rows] == [
        (
            "6",
            "Row 6: 2026-02-23 14:30 has passed (it is 2026-03-02 09:00 in America/Sao_Paulo):"
            " plan only lessons still to come (remove the rows of lessons already given).",
        )
    ]
    assert await lessons_planned(runtime) == 0


async def test_the_api_still_plans_moves_and_imports_a_start_that_has_passed(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    term = await make_term(client, teacher, (await make_course(client, teacher))["id"])
    lesson = await make_lesson(client, teacher, term["id"], start=datetime(2026, 2, 1, tzinfo=UTC))

    moved = await client.patch(
        f"/api/v1/lessons/{lesson['id']}",
        json={"start_date": "2026-02-02T10:00:00Z"},
        headers=teacher.headers,
    )
    imported = await client.post(
        f"/api/v1/terms/{term['id']}/lessons/import",
        data={"timezone": "UTC"},
        files={"file": ("lessons.xlsx", lesson_workbook(lessons=[("Loops", "2026-02-23",
               "14:30", 60, None, "")]), XLSX)},
        headers=teacher.headers,
    )  # fmt: skip

    assert lesson["status"] == "LATE"
    assert moved.status_code == 200
    assert imported.status_code == 201, imported.text
    assert imported.json()[0]["status"] == "LATE"
