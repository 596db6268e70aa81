"""Issue 8/6: every policy number has a floor and a ceiling; a join plans a bounded schedule."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from tests.presence.live import join, live_lesson, planned
from tests.support.clock import FakeClock
from tests.support.cost import cpu_seconds, thread_cpu_seconds
from tests.support.factories import signed_in
from tests.support.school import make_course
from trust_lesson.models import Role
from trust_lesson.presence.policy import AttendancePolicy
from trust_lesson.presence.schedule import MAX_CHALLENGES, plan_challenges
from trust_lesson.runtime import Runtime

FLOORS = [
    ("entry_tolerance_min", 0.1),
    ("recheck_mean_interval_min", 0.02),
    ("recheck_min_gap_min", 0.01),
    ("answer_deadline_s", 1),
    ("end_check_lead_min", 0.01),
    ("verified_at", 10),
    ("review_at", 10),
    ("verified_share_needed_percent", 5),
]


@pytest.mark.parametrize(("field", "value"), FLOORS)
async def test_a_value_under_its_floor_is_refused_and_nothing_changes(
    client: httpx.AsyncClient, runtime: Runtime, field: str, value: float
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    course = await make_course(client, teacher)
    url = f"/api/v1/courses/{course['id']}/policy"

    refused = await client.put(url, json={field: value}, headers=teacher.headers)
    after = await client.get(url, headers=teacher.headers)

    assert refused.status_code == 422
    assert field in refused.json()["detail"]
    assert after.json()[field] == AttendancePolicy().model_dump()[field]


def test_the_tightest_policy_on_a_day_long_lesson_plans_at_most_the_cap_quickly() -> None:
    tightest = AttendancePolicy(
        recheck_min_gap_min=1 / 6, recheck_mean_interval_min=0.25, answer_deadline_s=5
    )
    start = datetime(2026, 3, 2, 8, tzinfo=UTC)
    with thread_cpu_seconds() as cost:
        schedule = plan_challenges(
            lesson_start=start,
            lesson_end=start + timedelta(hours=24),
            joined_at=start,
            policy=tightest,
        )

    assert cost.cpu_s < 0.05
    assert len(schedule.challenges) == MAX_CHALLENGES == 200


async def test_joining_a_day_long_lesson_with_the_tightest_policy_stays_fast(
    api: httpx.AsyncClient, app: FastAPI, runtime: Runtime, clock: FakeClock
) -> None:
    tightest = {
        "recheck_min_gap_min": 1 / 6,
        "recheck_mean_interval_min": 0.25,
        "answer_deadline_s": 5,
    }
    live = await live_lesson(api, runtime, clock, duration_min=1440, policy=tightest)
    with cpu_seconds() as cost:
        joined = await join(api, live, live.student)
        health = await api.get("/health")

    assert cost.cpu_s < 2.0
    assert joined["challenge"]["kind"] == "ENTRY" and health.status_code == 200
    assert len(await planned(runtime, live, live.student)) == MAX_CHALLENGES
