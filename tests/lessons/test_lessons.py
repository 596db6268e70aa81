from datetime import UTC, datetime

import httpx
import pytest

from tests.support.clock import FakeClock
from tests.support.factories import login, signed_in
from tests.support.school import enrol, make_course, make_lesson, make_term
from trust_lesson.lessons import service as lessons
from trust_lesson.models import Lesson, Role, User
from trust_lesson.runtime import Runtime

MONDAY = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


async def test_an_instructor_plans_changes_and_deletes_a_lesson(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    term = await make_term(client, teacher, (await make_course(client, teacher))["id"])
    lesson = await make_lesson(client, teacher, term["id"], start=MONDAY)
    url = f"/api/v1/lessons/{lesson['id']}"

    changed = await client.patch(
        url,
        json={"title": "Loops", "start_date": "2026-03-03T11:00:00-03:00"},
        headers=teacher.headers,
    )
    deleted = await client.delete(url, headers=teacher.headers)

    assert lesson["status"] == "WAITING"
    assert lesson["instructor_id"] == teacher.id
    assert lesson["effective_start_date"] is None
    assert changed.json()["title"] == "Loops"
    assert changed.json()["start_date"] == "2026-03-03T14:00:00Z"
    assert deleted.status_code == 204
    assert (await client.get(url, headers=teacher.headers)).status_code == 404


async def test_a_planned_start_needs_a_time_zone(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    term = await make_term(client, teacher, (await make_course(client, teacher))["id"])

    naive = await client.post(
        "/api/v1/lessons",
        json={
            "term_id": term["id"],
            "title": "X",
            "start_date": "2026-03-02T14:00:00",
            "duration_min": 60,
        },
        headers=teacher.headers,
    )

    assert naive.status_code == 422


async def test_the_instructor_starts_and_stops_a_lesson_and_times_are_recorded(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    term = await make_term(client, teacher, (await make_course(client, teacher))["id"])
    lesson = await make_lesson(client, teacher, term["id"], start=MONDAY)
    url = f"/api/v1/lessons/{lesson['id']}"

    clock.now = datetime(2026, 3, 2, 14, 3, tzinfo=UTC)
    started = await client.post(f"{url}/start", headers=await login(client, teacher.user.email))
    clock.advance(minutes=44, seconds=1)
    stopped = await client.post(f"{url}/stop", headers=await login(client, teacher.user.email))

    assert started.status_code == 200
    assert started.json()["status"] == "RUNNING"
    assert started.json()["effective_start_date"] == "2026-03-02T14:03:00Z"
    assert stopped.json()["status"] == "FINISHED"
    assert stopped.json()["effective_duration_min"] == 45


async def test_a_lesson_stopped_at_once_lasted_one_minute(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    term = await make_term(client, teacher, (await make_course(client, teacher))["id"])
    url = f"/api/v1/lessons/{(await make_lesson(client, teacher, term['id']))['id']}"

    await client.post(f"{url}/start", headers=teacher.headers)
    stopped = await client.post(f"{url}/stop", headers=teacher.headers)

    assert stopped.json()["effective_duration_min"] == 1


async def test_start_and_stop_in_the_wrong_state_conflict(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    term = await make_term(client, teacher, (await make_course(client, teacher))["id"])
    url = f"/api/v1/lessons/{(await make_lesson(client, teacher, term['id']))['id']}"

    early_stop = await client.post(f"{url}/stop", headers=teacher.headers)
    await client.post(f"{url}/start", headers=teacher.headers)
    twice = await client.post(f"{url}/start", headers=teacher.headers)
    running_delete = await client.delete(url, headers=teacher.headers)
    await client.post(f"{url}/stop", headers=teacher.headers)
    restart = await client.post(f"{url}/start", headers=teacher.headers)
    stop_again = await client.post(f"{url}/stop", headers=teacher.headers)
    reschedule = await client.patch(
        url, json={"start_date": "2026-04-01T10:00:00Z"}, headers=teacher.headers
    )

    assert early_stop.status_code == 409
    assert (
        early_stop.json()["detail"]
        == "This lesson has not started yet; start it before stopping it."
    )
    assert twice.json()["detail"] == "This lesson is already running."
    assert running_delete.status_code == 409
    assert restart.json()["detail"] == "This lesson has already finished; it cannot start again."
    assert stop_again.json()["detail"] == "This lesson has already finished."
    assert reschedule.status_code == 409


async def test_only_the_lessons_instructor_starts_it(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    colleague = await signed_in(client, runtime, Role.INSTRUCTOR)
    admin = await signed_in(client, runtime, Role.ADMIN)
    student = await signed_in(client, runtime, Role.STUDENT)
    term = await make_term(client, teacher, (await make_course(client, teacher))["id"])
    await enrol(client, teacher, term["id"], colleague, "INSTRUCTOR")
    await enrol(client, teacher, term["id"], student)
    url = f"/api/v1/lessons/{(await make_lesson(client, teacher, term['id']))['id']}/start"

    for person in (colleague, admin, student):
        response = await client.post(url, headers=person.headers)
        assert response.status_code == 403, response.text

    assert (await client.post(url, headers=teacher.headers)).status_code == 200


async def test_a_late_lesson_can_still_start(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    term = await make_term(client, teacher, (await make_course(client, teacher))["id"])
    lesson = await make_lesson(client, teacher, term["id"], start=datetime(2026, 2, 1, tzinfo=UTC))

    started = await client.post(f"/api/v1/lessons/{lesson['id']}/start", headers=teacher.headers)

    assert lesson["status"] == "LATE"
    assert started.json()["status"] == "RUNNING"


async def test_the_lesson_list_filters_by_dates_and_term_and_pages(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    course = await make_course(client, teacher)
    first = await make_term(client, teacher, course["id"])
    second = await make_term(client, teacher, course["id"])
    for day in (2, 3, 4, 5):
        start = datetime(2026, 3, day, 14, 0, tzinfo=UTC)
        await make_lesson(client, teacher, first["id"], start=start, title=f"March {day}")
    await make_lesson(client, teacher, second["id"], title="Other term")

    async def titles(query: str) -> list[str]:
        response = await client.get(f"/api/v1/lessons?{query}", headers=teacher.headers)
        assert response.status_code == 200, response.text
        return [lesson["title"] for lesson in response.json()]

    window = "start=2026-03-03T00:00:00Z&end=2026-03-05T00:00:00Z"
    assert await titles(window) == ["March 3", "March 4"]
    assert await titles("start=2026-03-04T11:00:00-03:00") == ["March 4", "March 5"]
    assert await titles(f"term_id={second['id']}") == ["Other term"]
    assert await titles(f"term_id={first['id']}&limit=2&offset=1") == ["March 3", "March 4"]
    bad = await client.get("/api/v1/lessons?start=yesterday", headers=teacher.headers)
    assert bad.status_code == 422


@pytest.mark.parametrize(
    "change", [{"role": "STUDENT"}, {"is_active": False}], ids=["made-student", "disabled"]
)
async def test_an_instructor_whose_account_changed_after_enrolling_no_longer_teaches(
    client: httpx.AsyncClient, runtime: Runtime, change: dict[str, object]
) -> None:
    """The rule that refuses to enrol such an account also stops it being given lessons."""
    admin = await signed_in(client, runtime, Role.ADMIN)
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    smith = await signed_in(client, runtime, Role.INSTRUCTOR, name="Smith")
    term = await make_term(client, teacher, (await make_course(client, teacher))["id"])
    await enrol(client, teacher, term["id"], smith, "INSTRUCTOR")
    changed = await client.patch(f"/api/v1/users/{smith.id}", json=change, headers=admin.headers)
    lesson = {"term_id": term["id"], "title": "Loops", "start_date": MONDAY.isoformat()}

    planned = await client.post(
        "/api/v1/lessons",
        json=lesson | {"duration_min": 60, "instructor_id": smith.id},
        headers=teacher.headers,
    )

    assert changed.status_code == 200, changed.text
    assert planned.status_code == 422
    assert "instructor_id: not an instructor of this term" in planned.text


async def test_an_instructor_made_a_student_no_longer_starts_stops_or_reviews_their_lessons(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """The lessons stay given to them until a manager gives them to another, but only while
    their account may teach (enrolment's rule) do they start or stop one."""
    admin = await signed_in(client, runtime, Role.ADMIN)
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    smith = await signed_in(client, runtime, Role.INSTRUCTOR, name="Smith")
    jones = await signed_in(client, runtime, Role.INSTRUCTOR, name="Jones")
    term = await make_term(client, teacher, (await make_course(client, teacher))["id"])
    for colleague in (smith, jones):
        await enrol(client, teacher, term["id"], colleague, "INSTRUCTOR")
    smiths = [
        await make_lesson(client, teacher, term["id"], title=title, given_to=smith)
        for title in ("Loops", "Lists")
    ]
    waiting, running = (f"/api/v1/lessons/{lesson['id']}" for lesson in smiths)
    started = await client.post(f"{running}/start", headers=smith.headers)
    demoted = await client.patch(
        f"/api/v1/users/{smith.id}", json={"role": "STUDENT"}, headers=admin.headers
    )

    start = await client.post(f"{waiting}/start", headers=smith.headers)
    stop = await client.post(f"{running}/stop", headers=smith.headers)
    review = await client.get(f"{running}/roster", headers=smith.headers)
    admins_review = await client.get(f"{running}/roster", headers=admin.headers)
    reassigned = await client.patch(
        waiting, json={"instructor_id": jones.id}, headers=admin.headers
    )
    started_by_jones = await client.post(f"{waiting}/start", headers=jones.headers)

    assert (started.status_code, demoted.status_code) == (200, 200)
    for refused in (start, stop):
        assert refused.status_code == 403, refused.text
        assert refused.json()["detail"] == "Only the lesson's instructor may start or stop it."
    assert review.status_code == 403
    assert admins_review.status_code == 200
    assert reassigned.status_code == 200, reassigned.text
    assert started_by_jones.json()["status"] == "RUNNING"


async def test_an_admin_who_teaches_a_lesson_starts_it(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await signed_in(client, runtime, Role.ADMIN)
    term = await make_term(client, admin, (await make_course(client, admin))["id"])
    lesson = await make_lesson(client, admin, term["id"])

    started = await client.post(f"/api/v1/lessons/{lesson['id']}/start", headers=admin.headers)

    assert started.status_code == 200, started.text


@pytest.mark.parametrize(
    ("role", "active", "teaching"),
    [
        (Role.INSTRUCTOR, True, True),
        (Role.ADMIN, True, True),
        (Role.STUDENT, True, False),
        (Role.INSTRUCTOR, False, False),
    ],
)
def test_a_lessons_instructor_teaches_it_while_their_account_may_teach(
    role: Role, active: bool, teaching: bool
) -> None:
    person = User(id=7, role=role, is_active=active)

    assert lessons.teaches(person, Lesson(instructor_id=7, title="Loops")) is teaching
    assert lessons.teaches(person, Lesson(instructor_id=8, title="Loops")) is False
