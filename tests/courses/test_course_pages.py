"""The course page does what the API does for a course: rename it or change its description
(a refused form shown again with what was typed), delete it (asked first); a course whose
lessons were given is kept, and the page says why."""

import httpx

from tests.support.clock import FakeClock
from tests.support.factories import make_user
from tests.support.presence import running_lesson
from tests.web.page_forms import SAME_SITE, enrol, new_course, page_sign_in
from trust_lesson.models import Role
from trust_lesson.runtime import Runtime


async def test_a_course_is_renamed_and_a_refused_name_keeps_what_was_typed(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    csrf = await page_sign_in(client, teacher)
    await new_course(client, csrf, "Motorcycles")
    course = await new_course(client, csrf, "Driving")

    def about(name: str, description: str) -> dict[str, str]:
        return {"name": name, "description": description, "csrf_token": csrf}

    empty = await client.post(course, data=about("", "At night"), headers=SAME_SITE)
    taken = await client.post(course, data=about("motorcycles", "At night"), headers=SAME_SITE)
    saved = await client.post(course, data=about("Night driving", "After dark"), headers=SAME_SITE)
    after = await client.get(saved.headers["location"], headers=SAME_SITE)

    assert empty.status_code == 422
    assert 'id="f-name-problem">Write at least 1 character.' in empty.text
    assert ">At night</textarea>" in empty.text
    assert taken.status_code == 409
    assert 'role="alert">A course with this name already exists.' in taken.text
    assert 'value="motorcycles"' in taken.text and "<h1>Driving</h1>" in taken.text
    assert saved.headers["location"] == f"{course}?saved=course#about"
    assert "<h1>Night driving</h1>" in after.text and ">After dark</textarea>" in after.text
    assert "The course&#39;s name and description are saved." in after.text


async def test_a_course_without_given_lessons_is_deleted_with_its_terms(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    pupil = await make_user(runtime, Role.STUDENT)
    csrf = await page_sign_in(client, teacher)
    course = await new_course(client, csrf, "Driving")
    term = await client.post(f"{course}/terms", data={"csrf_token": csrf}, headers=SAME_SITE)
    await enrol(client, csrf, term.headers["location"], pupil, "STUDENT")
    shown = await client.get(course, headers=SAME_SITE)

    deleted = await client.post(f"{course}/delete", data={"csrf_token": csrf}, headers=SAME_SITE)
    listed = await client.get(deleted.headers["location"], headers=SAME_SITE)
    gone = await client.get(course, headers=SAME_SITE)

    assert 'data-confirm="Delete the course Driving?' in shown.text
    assert deleted.headers["location"] == "/admin/courses?done=deleted"
    assert 'role="status">The course is deleted, with its terms' in listed.text
    assert "Driving" not in listed.text
    assert gone.status_code == 404


async def test_a_course_whose_lesson_was_given_is_kept_and_the_page_says_why(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    room = await running_lesson(client, runtime, clock, students=1)
    csrf = await page_sign_in(client, room.teacher.user)
    course = f"/admin/courses/{room.course['id']}"

    refused = await client.post(f"{course}/delete", data={"csrf_token": csrf}, headers=SAME_SITE)
    still = await client.get("/admin/courses", headers=SAME_SITE)

    assert refused.status_code == 409
    assert 'role="alert">This course has lessons that were given: it keeps the attendance' in (
        refused.text
    )
    assert room.course["name"] in still.text
