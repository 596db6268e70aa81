"""Stopping a lesson decides every student by the course's policy; every decision is kept."""

from datetime import timedelta

import httpx

from tests.support.clock import FakeClock
from tests.support.presence import (
    ALL_VERIFIED,
    add_check,
    add_timeline,
    again,
    analyse,
    join,
    running_lesson,
)
from trust_lesson.presence.verdicts import ChallengeKind, Verdict
from trust_lesson.runtime import Runtime

V, W, M, R = Verdict.VERIFIED, Verdict.WRONG_PERSON, Verdict.MISSED, Verdict.NEEDS_REVIEW
SEVEN_OF_TEN = (V, V, W, V, V, M, V, W, V, V)


async def test_stopping_the_lesson_decides_full_partial_and_absent_students(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    room = await running_lesson(client, runtime, clock, students=4)
    present, halfway, silent, never = room.students
    for student, verdicts in (
        (present, ALL_VERIFIED),
        (halfway, SEVEN_OF_TEN),
        (silent, (M,) * 10),
    ):
        await add_timeline(
            runtime, lesson_id=room.lesson_id, user_id=student.id, start=clock(), verdicts=verdicts
        )

    clock.advance(minutes=50)
    stopped = await client.post(f"{room.url}/stop", headers=await again(client, room.teacher))
    attendance = await client.get(
        f"{room.url}/attendance", headers=await again(client, room.teacher)
    )

    assert stopped.status_code == 200
    by_student = {row["user_id"]: row for row in attendance.json()}
    assert {user: row["decision"] for user, row in by_student.items()} == {
        present.id: "ATTENDED",
        halfway.id: "PARTIAL",
        silent.id: "ABSENT",
        never.id: "ABSENT",
    }
    assert by_student[present.id]["checks_total"] == 10
    assert by_student[halfway.id]["checks_verified"] == 7
    assert "7 of 10 checks verified (70 %, policy needs 80 %)" in by_student[halfway.id]["reasons"]
    assert by_student[never.id]["reasons"] == ["no check was issued: the student never joined"]
    assert all(row["decided_by"] is None for row in by_student.values())
    assert all(row["decided_at"] == "2026-03-02T12:50:00Z" for row in by_student.values())


async def test_challenges_not_yet_due_at_the_stop_are_cancelled_and_do_not_count(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    room = await running_lesson(client, runtime, clock, students=1)
    student = room.students[0]
    start = clock()
    await add_timeline(
        runtime, lesson_id=room.lesson_id, user_id=student.id, start=start, verdicts=ALL_VERIFIED
    )
    for minutes in (49.5, 55):  # one open when the lesson stops, one planned after it
        await add_check(
            runtime,
            lesson_id=room.lesson_id,
            user_id=student.id,
            kind=ChallengeKind.RANDOM,
            issued_at=start + timedelta(minutes=minutes),
            verdict=None,
            answered=False,
        )

    clock.advance(minutes=50)
    await client.post(f"{room.url}/stop", headers=await again(client, room.teacher))
    clock.advance(minutes=10)
    decision = (
        await client.get(f"{room.url}/attendance", headers=await again(client, student))
    ).json()

    assert [(row["decision"], row["checks_total"]) for row in decision] == [("ATTENDED", 10)]


async def test_an_end_check_the_stop_cancelled_is_not_said_never_issued(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    """The student saw the end check in the room: the reasons must not tell them none was
    issued. The last check stands for it, as for a lesson stopped before its end check was
    due."""
    room = await running_lesson(client, runtime, clock, students=1)
    student = room.students[0]
    start = clock()
    await join(runtime, lesson_id=room.lesson_id, user_id=student.id, at=start)
    for kind, minutes, verdict, answered in (
        (ChallengeKind.ENTRY, 0.0, V, True),
        (ChallengeKind.RANDOM, 20.0, V, True),
        (ChallengeKind.END, 49.5, None, False),  # still answerable when the lesson stops
    ):
        await add_check(
            runtime,
            lesson_id=room.lesson_id,
            user_id=student.id,
            kind=kind,
            issued_at=start + timedelta(minutes=minutes),
            verdict=verdict,
            answered=answered,
        )

    clock.advance(minutes=50)
    await client.post(f"{room.url}/stop", headers=await again(client, room.teacher))
    decision = (
        await client.get(f"{room.url}/attendance", headers=await again(client, student))
    ).json()[0]

    assert (decision["decision"], decision["checks_total"]) == ("ATTENDED", 2)
    assert (
        "the lesson stopped before the end check could be answered; the last check"
        " (random at 12:20 UTC) stands for it: verified"
    ) in decision["reasons"]
    assert not any("no end check was issued" in reason for reason in decision["reasons"])


async def test_a_check_past_its_deadline_and_unanswered_at_the_stop_counts_as_missed(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    room = await running_lesson(client, runtime, clock, students=1)
    student = room.students[0]
    await add_timeline(
        runtime, lesson_id=room.lesson_id, user_id=student.id, start=clock(), verdicts=(V, V, V)
    )
    await add_check(
        runtime,
        lesson_id=room.lesson_id,
        user_id=student.id,
        kind=ChallengeKind.RANDOM,
        issued_at=clock() + timedelta(minutes=20),
        verdict=None,
        answered=False,
    )

    clock.advance(minutes=30)
    await client.post(f"{room.url}/stop", headers=await again(client, room.teacher))
    decision = (
        await client.get(f"{room.url}/attendance", headers=await again(client, student))
    ).json()[0]

    assert (decision["decision"], decision["checks_total"], decision["checks_verified"]) == (
        "PARTIAL",
        4,
        3,
    )


async def test_the_course_policy_decides_a_60_percent_threshold(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    strict = await running_lesson(client, runtime, clock, students=1, course_name="Strict")
    lenient = await running_lesson(client, runtime, clock, students=1, course_name="Lenient")
    policy = await client.put(
        f"/api/v1/courses/{lenient.course['id']}/policy",
        json={"verified_share_needed_percent": 60},
        headers=lenient.teacher.headers,
    )
    for room in (strict, lenient):
        await add_timeline(
            runtime,
            lesson_id=room.lesson_id,
            user_id=room.students[0].id,
            start=clock(),
            verdicts=SEVEN_OF_TEN,
        )

    clock.advance(minutes=50)
    decisions = {}
    for room in (strict, lenient):
        await client.post(f"{room.url}/stop", headers=await again(client, room.teacher))
        answer = await client.get(
            f"{room.url}/attendance", headers=await again(client, room.teacher)
        )
        decisions[room.course["name"]] = answer.json()[0]

    assert policy.status_code == 200
    assert decisions["Strict"]["decision"] == "PARTIAL"
    assert decisions["Lenient"]["decision"] == "ATTENDED"
    assert "7 of 10 checks verified (70 %, policy needs 60 %)" in decisions["Lenient"]["reasons"]


async def test_a_picture_still_analysed_at_the_stop_is_decided_once_its_verdict_arrives(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    room = await running_lesson(client, runtime, clock, students=1)
    student = room.students[0]
    checks = await add_timeline(
        runtime, lesson_id=room.lesson_id, user_id=student.id, start=clock(), verdicts=(V, V, None)
    )
    clock.advance(minutes=11)
    await client.post(f"{room.url}/stop", headers=await again(client, room.teacher))
    url = f"{room.url}/attendance?history=true"
    before = (await client.get(url, headers=await again(client, room.teacher))).json()

    clock.advance(seconds=30)
    end_capture = checks[-1].capture_id
    assert end_capture is not None
    await analyse(runtime, capture_id=end_capture, verdict=V, at=clock())
    clock.advance(minutes=1)
    await _run_finalize_job(runtime)
    await _run_finalize_job(runtime)
    after = (await client.get(url, headers=await again(client, room.teacher))).json()

    assert [row["decision"] for row in before] == ["PENDING_REVIEW"]
    assert before[0]["reasons"] == ["1 check still being analysed"]
    assert [row["decision"] for row in after] == ["PENDING_REVIEW", "ATTENDED"]


async def _run_finalize_job(runtime: Runtime) -> None:
    import asyncio

    task = runtime.worker.tasks["finalize-ended-lessons"]
    await asyncio.to_thread(task.call_local)


async def test_a_student_who_joins_and_never_answers_is_absent_with_missed_checks(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    room = await running_lesson(client, runtime, clock, students=1, duration_min=30)
    student = room.students[0]
    joined = await client.post(f"{room.url}/join", headers=student.headers)

    clock.advance(minutes=20)
    await client.post(f"{room.url}/stop", headers=room.teacher.headers)
    decision = (await client.get(f"{room.url}/attendance", headers=student.headers)).json()[0]

    assert joined.status_code in (200, 201), joined.text
    assert decision["decision"] == "ABSENT"
    assert decision["checks_verified"] == 0
    assert decision["checks_total"] >= 1
    assert "entry check missed" in decision["reasons"]
    stood_in = "the lesson stopped before the end check could be answered; the last check"
    assert any(reason.startswith(stood_in) for reason in decision["reasons"])
