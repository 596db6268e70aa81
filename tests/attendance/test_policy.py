"""A course's attendance policy: the defaults until its instructor or an admin sets one."""

import httpx

from tests.support.clock import FakeClock
from tests.support.factories import signed_in
from tests.support.presence import running_lesson
from trust_lesson.models import Role
from trust_lesson.presence.policy import AttendancePolicy
from trust_lesson.runtime import Runtime

DEFAULTS = AttendancePolicy().model_dump(mode="json")


async def test_the_instructor_sets_the_policy_and_members_read_it(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    room = await running_lesson(client, runtime, clock, students=1)
    url = f"/api/v1/courses/{room.course['id']}/policy"
    student = room.students[0]

    before = await client.get(url, headers=student.headers)
    changed = await client.put(
        url,
        json={"verified_share_needed_percent": 60, "answer_deadline_s": 90},
        headers=room.teacher.headers,
    )
    after = await client.get(url, headers=student.headers)
    reset = await client.delete(url, headers=room.teacher.headers)

    assert before.status_code == 200
    assert before.json() == DEFAULTS
    assert changed.status_code == 200, changed.text
    assert after.json() == {
        **DEFAULTS,
        "verified_share_needed_percent": 60,
        "answer_deadline_s": 90,
    }
    assert reset.json() == DEFAULTS
    assert (await client.get(url, headers=student.headers)).json() == DEFAULTS


async def test_an_incoherent_or_unknown_policy_is_refused_and_nothing_changes(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    room = await running_lesson(client, runtime, clock, students=1)
    url = f"/api/v1/courses/{room.course['id']}/policy"

    answers = [
        await client.put(url, json=body, headers=room.teacher.headers)
        for body in (
            {"review_at": 95, "verified_at": 90},
            {"verified_share_needed_percent": 0},
            {"verified_share_needed_percent": 101},
            {"answer_deadline_s": 600},
            {"bonus_points": 3},
            {"verified_at": "NaN"},
            {"answer_deadline_s": 1e308},
            {"image_retention_days": 10**12},
        )
    ]

    assert [answer.status_code for answer in answers] == [422] * 8
    assert (await client.get(url, headers=room.teacher.headers)).json() == DEFAULTS


async def test_an_admin_sets_any_policy_and_a_student_none(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    room = await running_lesson(client, runtime, clock, students=1)
    url = f"/api/v1/courses/{room.course['id']}/policy"
    admin = await signed_in(client, runtime, Role.ADMIN)
    body = {"verified_share_needed_percent": 75}

    by_student = await client.put(url, json=body, headers=room.students[0].headers)
    by_admin = await client.put(url, json=body, headers=admin.headers)

    assert by_student.status_code == 403
    assert by_admin.status_code == 200
    assert by_admin.json()["verified_share_needed_percent"] == 75
