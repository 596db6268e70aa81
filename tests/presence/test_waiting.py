"""The held `challenges/next?wait=N`: a check is learnt of when it is issued, never before."""

import asyncio
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from tests.presence.live import LiveLesson, first_of, join, live_lesson, planned, travel
from tests.support.clock import FakeClock
from tests.support.factories import Person
from trust_lesson.presence import service
from trust_lesson.presence.verdicts import ChallengeKind
from trust_lesson.presence.waiting import hold
from trust_lesson.presence.watch import LessonWatch
from trust_lesson.runtime import Runtime


@pytest.fixture(autouse=True)
def quick_watch(runtime: Runtime) -> LessonWatch:
    """Waits look at the clock and the lesson every 50 ms here (5 s in service)."""
    runtime.lesson_watch = LessonWatch(fresh_s=0.2, recheck_s=0.05)
    return runtime.lesson_watch


async def test_a_held_request_answers_when_the_check_is_issued(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live, random_check = await _waiting_for_a_random_check(api, runtime, clock)

    held = asyncio.create_task(_ask(api, live, live.student, wait=30))
    await asyncio.sleep(0.3)
    assert not held.done()
    clock.now = random_check.issued_at
    body = (await asyncio.wait_for(held, timeout=5)).json()

    assert body["challenge"]["id"] == random_check.id
    assert body["challenge"]["nonce"] == random_check.nonce
    assert _at(body["next_poll_after"]) == random_check.deadline


async def test_nothing_yet_after_the_wait_is_the_same_for_every_student(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(api, runtime, clock, students=2)
    for student in live.students:
        await join(api, live, student)
    one, two = [await planned(runtime, live, student) for student in live.students]
    assert one[1].issued_at != two[1].issued_at
    await travel(api, clock, max(one[0].deadline, two[0].deadline), *live.students)

    started = asyncio.get_running_loop().time()
    answers = await asyncio.gather(*(_ask(api, live, s, wait=1) for s in live.students))
    waited = asyncio.get_running_loop().time() - started

    assert waited >= 1
    assert answers[0].content == answers[1].content
    assert answers[0].json() == {
        "challenge": None,
        "next_poll_after": answers[0].json()["next_poll_after"],
        "retry_after_seconds": 0,
    }
    assert _at(answers[0].json()["next_poll_after"]) == clock.now


async def test_a_stop_ends_every_wait(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live, _ = await _waiting_for_a_random_check(api, runtime, clock)

    held = asyncio.create_task(_ask(api, live, live.student, wait=30))
    await asyncio.sleep(0.3)
    stopped = await api.post(live.url("stop"), headers=live.instructor.headers)
    body = (await asyncio.wait_for(held, timeout=5)).json()

    assert stopped.status_code == 200
    assert body == {"challenge": None, "next_poll_after": None, "retry_after_seconds": None}


async def test_waiting_students_hold_no_connection_and_share_one_lesson_read(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(api, runtime, clock, students=5)
    for student in live.students:
        await join(api, live, student)
    schedules = [await planned(runtime, live, student) for student in live.students]
    await travel(api, clock, max(s[0].deadline for s in schedules), *live.students)
    statements: list[str] = []
    event.listen(runtime.engine.sync_engine, "before_cursor_execute", _recorder(statements))

    held = [asyncio.create_task(_ask(api, live, s, wait=4)) for s in live.students]
    await _first_looks_done(runtime, statements, len(live.students))  # all are waiting now
    in_use = await _connections_in_use_while(runtime, seconds=1)
    answers = await asyncio.gather(*held)

    assert max(in_use) <= 1  # at most the shared lesson read, never one per waiting student
    assert all(a.json()["challenge"] is None for a in answers)
    challenge_reads = [s for s in statements if "FROM challenges" in s]
    lesson_reads = [s for s in statements if s.startswith("SELECT lessons.status FROM lessons")]
    assert len(challenge_reads) == len(live.students)  # the first look of each request only
    assert 1 <= len(lesson_reads) <= 4 / 0.2 + 1  # one per lesson and 200 ms, not per student


async def test_a_waiting_student_s_request_reads_three_times_before_it_waits(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    """Thousands of students each ask once a minute: the session (unless it lives in Redis),
    its user and the first open challenge are read, nothing else, before the wait."""
    live = await live_lesson(api, runtime, clock, students=1)
    await join(api, live, live.student)
    entry = (await planned(runtime, live, live.student))[0]
    await travel(api, clock, entry.deadline, live.student)  # the entry check missed: waiting
    statements: list[str] = []
    event.listen(runtime.engine.sync_engine, "before_cursor_execute", _recorder(statements))

    answer = await _ask(api, live, live.student, wait=1)

    watch = "SELECT lessons.status FROM lessons"  # the lesson's shared read while waiting
    reads = [s for s in statements if s.startswith("SELECT") and not s.startswith(watch)]
    assert answer.json()["challenge"] is None
    sessions = [r for r in reads if "FROM auth_sessions" in r]  # none when they live in Redis
    rest = [r.split(" WHERE ")[0].rsplit(" FROM ", 1)[-1] for r in reads if r not in sessions]
    assert len(sessions) <= 1, sessions
    assert rest == ["users", "challenges JOIN lessons ON lessons.id = challenges.lesson_id"]


async def _first_looks_done(runtime: Runtime, statements: list[str], students: int) -> None:
    """Every request has read its challenges once and given its connection back (3 s at most,
    the wait is 4: a request that kept its connection while waiting would never get here)."""
    pool = runtime.engine.pool
    for _ in range(150):
        looked = sum("FROM challenges" in s for s in statements)
        if looked == students and pool.checkedout() <= 1:  # type: ignore[attr-defined]
            return
        await asyncio.sleep(0.02)
    in_use = pool.checkedout()  # type: ignore[attr-defined]
    raise AssertionError(f"{looked} first looks, {in_use} connections still in use")


async def _connections_in_use_while(runtime: Runtime, *, seconds: float) -> list[int]:
    """The pool's checked-out connections, sampled every 20 ms."""
    samples = []
    for _ in range(int(seconds / 0.02)):
        samples.append(runtime.engine.pool.checkedout())  # type: ignore[attr-defined]
        await asyncio.sleep(0.02)
    return samples


async def test_the_wait_is_bounded(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(api, runtime, clock)
    await join(api, live, live.student)

    too_long = await api.get(live.url("challenges/next?wait=61"), headers=live.student.headers)
    negative = await api.get(live.url("challenges/next?wait=-1"), headers=live.student.headers)

    assert too_long.status_code == 422
    assert negative.status_code == 422


async def test_a_due_check_is_answered_without_waiting(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(api, runtime, clock)
    entry = (await join(api, live, live.student))["challenge"]

    body = (await asyncio.wait_for(_ask(api, live, live.student, wait=30), timeout=2)).json()

    assert body["challenge"] == entry


async def _waiting_for_a_random_check(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> tuple[LiveLesson, Any]:
    live = await live_lesson(api, runtime, clock)
    await join(api, live, live.student)
    random_check = first_of(await planned(runtime, live, live.student), ChallengeKind.RANDOM)
    await travel(api, clock, random_check.issued_at - timedelta(minutes=2), live.student)
    return live, random_check


async def _ask(api: httpx.AsyncClient, live: LiveLesson, who: Person, wait: int) -> httpx.Response:
    response = await api.get(live.url(f"challenges/next?wait={wait}"), headers=who.headers)
    assert response.status_code == 200, response.text
    return response


def _recorder(seen: list[str]) -> Any:
    def record(*args: Any) -> None:
        seen.append(" ".join(str(args[2]).split()))

    return record


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def test_a_wait_ends_soon_after_the_student_hangs_up(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live, random_check = await _waiting_for_a_random_check(api, runtime, clock)
    first = service.nothing_yet(clock.now, held=False, upcoming_at=random_check.issued_at)

    async def hung_up() -> bool:
        return True

    answer = await asyncio.wait_for(
        hold(
            first=first,
            seconds=30,
            lesson_id=live.lesson_id,
            user_id=live.student.id,
            factory=runtime.session_factory,
            watch=runtime.lesson_watch,
            clock=clock,
            gone=hung_up,
        ),
        timeout=2,
    )

    assert answer.challenge is None
