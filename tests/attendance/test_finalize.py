"""Lessons nobody stopped are stopped by the system after their planned end and a grace."""

import asyncio
from datetime import timedelta

import httpx

from tests.support.clock import FakeClock
from tests.support.factories import login
from tests.support.presence import (
    ALL_VERIFIED,
    Classroom,
    add_check,
    add_timeline,
    again,
    running_lesson,
)
from tests.support.school import make_lesson
from trust_lesson.attendance.tasks import FINALIZE
from trust_lesson.presence.verdicts import ChallengeKind, Verdict
from trust_lesson.runtime import Runtime


async def _run_job(runtime: Runtime) -> int:
    finalized: int = await asyncio.to_thread(runtime.worker.tasks[FINALIZE].call_local)
    return finalized


async def test_a_forgotten_lesson_is_finished_at_its_planned_end_and_decided_once(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    room = await running_lesson(client, runtime, clock, students=2, duration_min=60)
    present, absent = room.students
    await add_timeline(
        runtime, lesson_id=room.lesson_id, user_id=present.id, start=clock(), verdicts=ALL_VERIFIED
    )

    clock.advance(minutes=60 + 15)
    within_grace = await _run_job(runtime)
    clock.advance(seconds=1)
    after_grace = await _run_job(runtime)
    clock.advance(minutes=1)
    once_more = await _run_job(runtime)
    headers = await again(client, room.teacher)
    lesson = (await client.get(room.url, headers=headers)).json()
    history = await client.get(f"{room.url}/attendance?history=true", headers=headers)

    assert (within_grace, after_grace, once_more) == (0, 1, 0)
    assert lesson["status"] == "FINISHED"
    assert lesson["effective_duration_min"] == 60
    assert {row["user_id"]: row["decision"] for row in history.json()} == {
        present.id: "ATTENDED",
        absent.id: "ABSENT",
    }
    assert len(history.json()) == 2
    assert {row["decided_at"] for row in history.json()} == {"2026-03-02T13:15:01Z"}


async def test_a_lesson_started_late_runs_its_full_duration_and_others_are_left_alone(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    room = await running_lesson(client, runtime, clock, students=1, duration_min=30)
    planned = clock()
    late = await make_lesson(
        client, room.teacher, room.term["id"], start=planned, duration_min=30, title="Late"
    )
    await make_lesson(
        client, room.teacher, room.term["id"], start=planned, duration_min=30, title="Waiting"
    )
    clock.advance(minutes=20)
    await client.post(f"/api/v1/lessons/{late['id']}/start", headers=room.teacher.headers)

    clock.advance(minutes=26)  # 12:46: the first lesson is overdue, the late one ends at 12:50
    first_run = await _run_job(runtime)
    clock.advance(minutes=20)  # 13:06: the late one is overdue too
    second_run = await _run_job(runtime)
    headers = await login(client, room.teacher.user.email)
    statuses = {
        lesson["title"]: (lesson["status"], lesson["effective_duration_min"])
        for lesson in (await client.get("/api/v1/lessons", headers=headers)).json()
    }

    assert (first_run, second_run) == (1, 1)
    assert statuses == {
        room.lesson["title"]: ("FINISHED", 30),
        "Late": ("FINISHED", 30),
        "Waiting": ("WAITING", None),
    }


async def test_the_instructors_stop_and_the_job_never_decide_twice(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    room = await running_lesson(client, runtime, clock, students=1, duration_min=30)
    clock.advance(minutes=50)
    stopped = await client.post(f"{room.url}/stop", headers=await again(client, room.teacher))

    job = await _run_job(runtime)
    history = await client.get(
        f"{room.url}/attendance?history=true", headers=await again(client, room.teacher)
    )

    assert stopped.status_code == 200
    assert job == 0
    assert len(history.json()) == 1
    assert stopped.json()["effective_duration_min"] == 50


MIXED = (
    Verdict.VERIFIED,
    Verdict.MISSED,
    Verdict.VERIFIED,
    Verdict.WRONG_PERSON,
    Verdict.VERIFIED,
    Verdict.VERIFIED,
    Verdict.LOW_QUALITY,
    Verdict.VERIFIED,
    Verdict.VERIFIED,
    Verdict.VERIFIED,
)


async def _same_story(runtime: Runtime, room: Classroom) -> None:
    """One student with a mixed timeline and a last check left unanswered, one never joined."""
    student = room.students[0]
    start = room.started_at
    await add_timeline(
        runtime, lesson_id=room.lesson_id, user_id=student.id, start=start, verdicts=MIXED
    )
    await add_check(
        runtime,
        lesson_id=room.lesson_id,
        user_id=student.id,
        kind=ChallengeKind.RANDOM,
        issued_at=start + timedelta(minutes=57),
        verdict=None,
        answered=False,
    )


async def _decisions(client: httpx.AsyncClient, room: Classroom) -> list[tuple[object, ...]]:
    headers = await again(client, room.teacher)
    rows = (await client.get(f"{room.url}/attendance", headers=headers)).json()
    position = {student.id: number for number, student in enumerate(room.students)}
    return sorted(
        (
            position[row["user_id"]],
            row["decision"],
            tuple(row["reasons"]),
            row["checks_total"],
            row["checks_verified"],
        )
        for row in rows
    )


async def test_the_instructors_stop_and_the_job_decide_the_same_story_alike(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    stopped_room = await running_lesson(client, runtime, clock, students=2, duration_min=60)
    forgotten_room = await running_lesson(client, runtime, clock, students=2, duration_min=60)
    for room in (stopped_room, forgotten_room):
        await _same_story(runtime, room)

    clock.advance(minutes=60)
    stop = await client.post(
        f"{stopped_room.url}/stop", headers=await again(client, stopped_room.teacher)
    )
    clock.advance(minutes=15, seconds=1)
    finalized = await _run_job(runtime)

    assert stop.status_code == 200
    assert finalized == 1
    by_stop = await _decisions(client, stopped_room)
    by_job = await _decisions(client, forgotten_room)
    assert by_stop == by_job
    assert [row[1] for row in by_stop] == ["PARTIAL", "ABSENT"]
