"""Joining a running lesson and asking for the challenge due now (FakeClock, seeded schedule)."""

from collections.abc import Awaitable
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import event

from tests.presence.live import first_of, join, live_lesson, planned, travel
from tests.support.clock import FakeClock
from tests.support.factories import signed_in
from tests.support.statements import statements
from trust_lesson.models import Role
from trust_lesson.presence.service import POLL_AGAIN
from trust_lesson.presence.verdicts import ChallengeKind
from trust_lesson.runtime import Runtime


async def test_joining_gives_the_entry_challenge_at_once(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(api, runtime, clock)

    body = await join(api, live, live.student)

    challenge = body["challenge"]
    assert challenge["kind"] == "ENTRY"
    assert challenge["lesson_id"] == live.lesson_id
    assert len(challenge["nonce"]) >= 40
    assert _at(challenge["issued_at"]) == clock.now
    assert _at(challenge["deadline"]) == clock.now + timedelta(seconds=60)
    assert _at(body["next_poll_after"]) == clock.now + timedelta(seconds=60)


async def test_joining_again_returns_the_same_state(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(api, runtime, clock)
    first = await join(api, live, live.student)
    schedule = await planned(runtime, live, live.student)
    clock.advance(seconds=10)

    again = await join(api, live, live.student)

    assert again["challenge"] == first["challenge"]
    assert again["joined_at"] == first["joined_at"]
    assert [c.id for c in await planned(runtime, live, live.student)] == [c.id for c in schedule]


async def test_every_student_gets_own_nonces(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(api, runtime, clock, students=2)

    one = await join(api, live, live.students[0])
    two = await join(api, live, live.students[1])

    assert one["challenge"]["id"] != two["challenge"]["id"]
    assert one["challenge"]["nonce"] != two["challenge"]["nonce"]


async def test_the_random_check_is_shown_only_when_due(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(api, runtime, clock)
    await join(api, live, live.student)
    random_check = first_of(await planned(runtime, live, live.student), ChallengeKind.RANDOM)
    await travel(api, clock, random_check.issued_at - timedelta(seconds=30), live.student)

    before = await api.get(live.url("challenges/next"), headers=live.student.headers)
    clock.now = random_check.issued_at + timedelta(seconds=1)
    during = await api.get(live.url("challenges/next"), headers=live.student.headers)

    assert before.status_code == 200
    assert before.json()["challenge"] is None
    asked_at = random_check.issued_at - timedelta(seconds=30)
    assert _at(before.json()["next_poll_after"]) == asked_at + POLL_AGAIN
    assert before.json()["retry_after_seconds"] == POLL_AGAIN.total_seconds()
    assert random_check.nonce not in before.text
    assert during.json()["challenge"]["id"] == random_check.id
    assert during.json()["challenge"]["kind"] == "RANDOM"


async def test_waiting_tells_nothing_about_when_the_next_check_comes(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(api, runtime, clock, students=2)
    for student in live.students:
        await join(api, live, student)
    one, two = [await planned(runtime, live, student) for student in live.students]
    assert one[1].issued_at != two[1].issued_at
    await travel(api, clock, max(one[0].deadline, two[0].deadline), *live.students)

    answers = [
        await api.get(live.url("challenges/next"), headers=student.headers)
        for student in live.students
    ]

    assert answers[0].content == answers[1].content
    body = answers[0].json()
    assert body["challenge"] is None
    assert _at(body["next_poll_after"]) == clock.now + POLL_AGAIN
    assert body["retry_after_seconds"] == POLL_AGAIN.total_seconds()


async def test_the_same_seed_plans_the_same_schedule(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    first = await live_lesson(api, runtime, clock, seed=11)
    await join(api, first, first.student)
    second = await live_lesson(api, runtime, clock, seed=11)
    await join(api, second, second.student)

    times_one = [c.issued_at for c in await planned(runtime, first, first.student)]
    times_two = [c.issued_at for c in await planned(runtime, second, second.student)]

    assert times_one == times_two
    assert len(times_one) >= 3


async def test_after_the_end_check_the_answer_still_says_nothing_yet(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(api, runtime, clock)
    await join(api, live, live.student)
    end = first_of(await planned(runtime, live, live.student), ChallengeKind.END)
    await travel(api, clock, end.deadline, live.student)

    body = (await api.get(live.url("challenges/next"), headers=live.student.headers)).json()

    assert body["challenge"] is None
    assert _at(body["next_poll_after"]) == clock.now + POLL_AGAIN


async def test_who_may_join(api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock) -> None:
    live = await live_lesson(api, runtime, clock)
    outsider = await signed_in(api, runtime, Role.STUDENT)

    by_instructor = await api.post(live.url("join"), headers=live.instructor.headers)
    by_outsider = await api.post(live.url("join"), headers=outsider.headers)
    anonymous = await api.post(live.url("join"))

    assert by_instructor.status_code == 403
    assert by_outsider.status_code == 404
    assert anonymous.status_code == 401


async def test_a_lesson_that_is_not_running_cannot_be_joined(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(api, runtime, clock)
    stopped = await api.post(live.url("stop"), headers=live.instructor.headers)
    assert stopped.status_code == 200

    response = await api.post(live.url("join"), headers=live.student.headers)

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


async def test_asking_before_joining_says_join_first(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(api, runtime, clock)
    outsider = await signed_in(api, runtime, Role.STUDENT)

    own = await api.get(live.url("challenges/next"), headers=live.student.headers)
    foreign = await api.get(live.url("challenges/next"), headers=outsider.headers)

    assert own.status_code == 409
    assert foreign.status_code == 404


async def test_a_stopped_lesson_shows_no_more_challenges(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(api, runtime, clock)
    await join(api, live, live.student)
    await api.post(live.url("stop"), headers=live.instructor.headers)

    body = (await api.get(live.url("challenges/next"), headers=live.student.headers)).json()

    assert body["challenge"] is None
    assert body["next_poll_after"] is None


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def test_asking_costs_one_query_beyond_signing_in(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(api, runtime, clock, students=3)
    for student in live.students:
        await join(api, live, student)
    me = await _statements(runtime, api.get("/api/v1/users/me", headers=live.student.headers))

    asking = await _statements(
        runtime, api.get(live.url("challenges/next"), headers=live.student.headers)
    )

    assert len(asking) == len(me) + 1
    assert "FROM challenges" in asking[-1]


async def _statements(runtime: Runtime, request: Awaitable[httpx.Response]) -> list[str]:
    """The SQL statements one request runs (BEGIN/COMMIT and savepoints left out)."""
    with statements(runtime.engine.sync_engine) as seen:
        response = await request
    assert response.status_code == 200, response.text
    kinds = ("SELECT", "UPDATE", "INSERT", "DELETE")
    return [sql for sql in seen if sql.strip().split()[0].upper() in kinds]


async def test_a_late_student_gets_no_entry_check_but_later_ones(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(api, runtime, clock)
    clock.advance(minutes=20)

    body = await join(api, live, live.student)

    kinds = [challenge.kind for challenge in await planned(runtime, live, live.student)]
    assert ChallengeKind.ENTRY not in kinds
    assert kinds[-1] is ChallengeKind.END
    assert body["challenge"] is None
    assert _at(body["next_poll_after"]) > clock.now


async def test_the_course_policy_sets_the_deadline(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(api, runtime, clock, policy={"answer_deadline_s": 30})

    body = await join(api, live, live.student)

    assert _at(body["challenge"]["deadline"]) == clock.now + timedelta(seconds=30)


async def test_a_join_writes_the_whole_schedule_with_one_insert(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    """The lesson's checks are one INSERT of many rows, however many are planned: SQLite's
    write lock is held for one statement, not one per check (the ORM's flush wrote ~120
    one by one in the capacity bench's lesson)."""
    live = await live_lesson(api, runtime, clock, duration_min=240)
    inserts: list[int] = []

    def count(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, many: bool) -> None:
        if statement.lstrip().startswith("INSERT INTO challenges"):
            inserts.append(len(params) if many else 1)

    event.listen(runtime.engine.sync_engine, "before_cursor_execute", count)
    try:
        await join(api, live, live.student)
    finally:
        event.remove(runtime.engine.sync_engine, "before_cursor_execute", count)

    schedule = await planned(runtime, live, live.student)
    assert len(schedule) >= 10
    assert inserts == [len(schedule)]
