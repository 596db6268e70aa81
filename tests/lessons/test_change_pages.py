"""A lesson changed and deleted from its page, as PATCH and DELETE /api/v1/lessons/{id} do:
what was typed comes back beside its problem, a lesson already given keeps its schedule and
its records, and a deleted lesson is named on the lessons list."""

import html
import re
from datetime import UTC, datetime
from typing import Any

import httpx

from tests.support.clock import FakeClock
from tests.support.factories import Person, signed_in
from tests.support.presence import join, running_lesson
from tests.support.school import enrol, make_course, make_lesson, make_term
from tests.web.page_forms import SAME_SITE, page_sign_in
from trust_lesson.models import Role
from trust_lesson.runtime import Runtime

TUESDAY = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)


def problem_beside(page: httpx.Response, name: str) -> str:
    found = re.search(rf'id="f-{name}-problem">([^<]*)<', page.text)
    assert found is not None, name
    return html.unescape(found.group(1))


def typed_in(page: httpx.Response, name: str) -> str:
    found = re.search(rf'<input id="f-{name}" name="{name}" [^>]*value="([^"]*)"', page.text)
    assert found is not None, name
    return html.unescape(found.group(1))


async def planned(
    client: httpx.AsyncClient, runtime: Runtime
) -> tuple[Person, dict[str, Any], str]:
    """A teacher signed in on the pages, with a lesson of theirs planned on Tuesday."""
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    term = await make_term(client, teacher, (await make_course(client, teacher))["id"])
    made = await make_lesson(client, teacher, term["id"], start=TUESDAY)
    csrf = await page_sign_in(client, teacher.user)
    return teacher, made, csrf


async def test_a_planned_lesson_is_moved_renamed_and_given_to_a_colleague_from_its_page(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher, lesson, csrf = await planned(client, runtime)
    colleague = await signed_in(client, runtime, Role.INSTRUCTOR, name="Ines")
    await enrol(client, teacher, lesson["term_id"], colleague, "INSTRUCTOR")
    url = f"/lessons/{lesson['id']}"

    shown = await client.get(url, headers=SAME_SITE)
    changed = await client.post(
        f"{url}/edit",
        data={"title": "Loops", "start_date": "2026-03-04T09:30", "duration_min": "45"}
        | {"instructor_id": str(colleague.id), "description": "Bring a laptop"}
        | {"csrf_token": csrf},
        headers=SAME_SITE,
    )
    after = await client.get(changed.headers["location"], headers=SAME_SITE)
    read = (await client.get(f"/api/v1/lessons/{lesson['id']}", headers=teacher.headers)).json()

    assert typed_in(shown, "title") == "Variables"
    assert typed_in(shown, "start_date") == "2026-03-03T14:00"
    assert changed.status_code == 303
    assert 'role="status" id="notice">The lesson is changed.' in after.text
    assert "<h1>Loops</h1>" in after.text
    assert (read["title"], read["start_date"], read["duration_min"]) == (
        "Loops",
        "2026-03-04T09:30:00Z",
        45,
    )
    assert (read["instructor_id"], read["description"]) == (colleague.id, "Bring a laptop")


async def test_a_change_to_a_title_and_start_already_planned_is_refused_beside_the_title(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher, lesson, csrf = await planned(client, runtime)
    await make_lesson(client, teacher, lesson["term_id"], start=TUESDAY, title="Loops")

    refused = await client.post(
        f"/lessons/{lesson['id']}/edit",
        data={"title": " loops ", "start_date": "2026-03-03T14:00", "duration_min": "50"}
        | {"csrf_token": csrf},
        headers=SAME_SITE,
    )

    assert refused.status_code == 409
    assert problem_beside(refused, "title") == (
        'The lesson "loops" at 2026-03-03 14:00 UTC is already planned in this term.'
    )
    assert typed_in(refused, "title") == " loops "
    assert typed_in(refused, "duration_min") == "50"
    assert '<details class="change" open>' in refused.text
    assert "<h1>Variables</h1>" in refused.text  # the lesson as it still is


async def test_a_start_that_has_passed_is_refused_beside_it_and_nothing_changes(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher, lesson, csrf = await planned(client, runtime)

    refused = await client.post(
        f"/lessons/{lesson['id']}/edit",
        data={"title": "Variables", "start_date": "2026-03-01T14:00", "duration_min": "60"}
        | {"csrf_token": csrf},
        headers=SAME_SITE,
    )
    read = (await client.get(f"/api/v1/lessons/{lesson['id']}", headers=teacher.headers)).json()

    assert refused.status_code == 422
    assert problem_beside(refused, "start_date") == (
        "This time has passed (it is 2026-03-02 12:00 UTC); plan a lesson before it starts."
    )
    assert typed_in(refused, "start_date") == "2026-03-01T14:00"
    assert read["start_date"] == "2026-03-03T14:00:00Z"


async def test_a_form_sent_unchanged_says_nothing_changed(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, lesson, csrf = await planned(client, runtime)

    same = await client.post(
        f"/lessons/{lesson['id']}/edit",
        data={"title": "Variables", "start_date": "2026-03-03T14:00", "duration_min": "60"}
        | {"csrf_token": csrf},
        headers=SAME_SITE,
    )
    after = await client.get(same.headers["location"], headers=SAME_SITE)

    assert 'role="status" id="notice">Nothing changed.' in after.text


async def test_a_running_lesson_offers_no_new_schedule_and_refuses_one_in_words(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    room = await running_lesson(client, runtime, clock, students=1)
    csrf = await page_sign_in(client, room.teacher.user)
    url = f"/lessons/{room.lesson_id}"

    page = await client.get(url, headers=SAME_SITE)
    renamed = await client.post(
        f"{url}/edit", data={"title": "Parking", "csrf_token": csrf}, headers=SAME_SITE
    )
    moved = await client.post(  # a form of another tab, shown before the start
        f"{url}/edit",
        data={"title": "Parking", "start_date": "2026-03-05T10:00", "csrf_token": csrf},
        headers=SAME_SITE,
    )

    assert 'id="f-start_date"' not in page.text
    assert "The lesson is running: its start, length and instructor stay as they were." in (
        html.unescape(page.text)
    )
    assert f'action="{url}/delete"' not in page.text
    assert renamed.status_code == 303
    assert moved.status_code == 409
    assert 'role="alert">A running lesson cannot be rescheduled.' in moved.text


async def test_a_lesson_not_started_is_deleted_after_a_question_and_named_on_the_list(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher, lesson, csrf = await planned(client, runtime)
    url = f"/lessons/{lesson['id']}"

    page = await client.get(url, headers=SAME_SITE)
    deleted = await client.post(f"{url}/delete", data={"csrf_token": csrf}, headers=SAME_SITE)
    listed = await client.get(deleted.headers["location"], headers=SAME_SITE)
    forged = await client.get(
        "/lessons?deleted=Your+account+is+closed.&sealed=" + "0" * 32, headers=SAME_SITE
    )

    delete_form = re.search(rf'<form method="post" action="{url}/delete"[^>]*>', page.text)
    assert delete_form is not None
    asked = 'data-confirm="Delete the lesson "Variables" planned 2026-03-03 14:00 UTC? It is'
    assert asked in html.unescape(delete_form.group(0))
    assert deleted.status_code == 303
    notice = re.search(r'role="status" id="notice">([^<]*)<', listed.text)
    assert notice is not None
    assert html.unescape(notice.group(1)) == (
        'The lesson "Variables" planned 2026-03-03 14:00 UTC is deleted.'
    )
    assert (await client.get(url, headers=SAME_SITE)).status_code == 404
    assert (await client.get(f"/api/v1{url}", headers=teacher.headers)).status_code == 404
    assert "Your account is closed." not in forged.text


async def test_a_lesson_given_is_kept_and_its_page_says_why(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    room = await running_lesson(client, runtime, clock, students=1)
    await join(runtime, lesson_id=room.lesson_id, user_id=room.students[0].id, at=clock())
    csrf = await page_sign_in(client, room.teacher.user)
    url = f"/lessons/{room.lesson_id}"

    while_running = await client.post(f"{url}/delete", data={"csrf_token": csrf}, headers=SAME_SITE)
    await client.post(f"{url}/stop", data={"csrf_token": csrf}, headers=SAME_SITE)
    once_given = await client.post(f"{url}/delete", data={"csrf_token": csrf}, headers=SAME_SITE)

    assert while_running.status_code == 409
    assert 'role="alert">A running lesson cannot be deleted; stop it first.' in while_running.text
    assert once_given.status_code == 409
    kept = r"This lesson keeps attendance evidence \(1 student joined, .*\): it cannot be deleted\."
    assert re.search(f'role="alert">{kept}', once_given.text)
    assert (await client.get(url, headers=SAME_SITE)).status_code == 200


async def test_a_colleague_of_another_course_can_neither_change_nor_delete_the_lesson(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher, lesson, _ = await planned(client, runtime)
    stranger = await signed_in(client, runtime, Role.INSTRUCTOR)
    client.cookies.clear()
    csrf = await page_sign_in(client, stranger.user)
    url = f"/lessons/{lesson['id']}"

    changed = await client.post(
        f"{url}/edit", data={"title": "Mine now", "csrf_token": csrf}, headers=SAME_SITE
    )
    deleted = await client.post(f"{url}/delete", data={"csrf_token": csrf}, headers=SAME_SITE)
    read = (await client.get(f"/api/v1{url}", headers=teacher.headers)).json()

    assert (changed.status_code, deleted.status_code) == (404, 404)
    assert read["title"] == "Variables"
