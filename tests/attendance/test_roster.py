"""The instructor's live roster: who joined, their last check, counts, what is open now."""

from datetime import timedelta

import httpx

from tests.support.clock import FakeClock
from tests.support.presence import add_check, add_timeline, running_lesson
from tests.support.statements import statements
from trust_lesson.presence.verdicts import ChallengeKind, Verdict
from trust_lesson.runtime import Runtime

V, R, W, M = Verdict.VERIFIED, Verdict.NEEDS_REVIEW, Verdict.WRONG_PERSON, Verdict.MISSED
L = Verdict.LIVENESS_FAILED


async def test_the_roster_shows_each_students_checks_and_state_now(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    room = await running_lesson(client, runtime, clock, students=6)
    present, asked, analysing, failing, away, still = room.students
    start = clock()
    for student, verdicts in (
        (present, (V, V, M, V)),
        (asked, (V, V)),
        (analysing, (V, R, None)),
        (failing, (V, W)),
        (still, (V, L)),
    ):
        await add_timeline(
            runtime, lesson_id=room.lesson_id, user_id=student.id, start=start, verdicts=verdicts
        )
    await add_check(
        runtime,
        lesson_id=room.lesson_id,
        user_id=asked.id,
        kind=ChallengeKind.RANDOM,
        issued_at=start + timedelta(minutes=16),
        verdict=None,
        answered=False,
    )
    await add_check(  # planned for later: not shown, not counted
        runtime,
        lesson_id=room.lesson_id,
        user_id=present.id,
        kind=ChallengeKind.RANDOM,
        issued_at=start + timedelta(minutes=40),
        verdict=None,
        answered=False,
    )
    clock.advance(minutes=16, seconds=30)

    answer = await client.get(f"{room.url}/roster", headers=room.teacher.headers)

    assert answer.status_code == 200, answer.text
    rows = {row["user_id"]: row for row in answer.json()}
    assert {user: row["state"] for user, row in rows.items()} == {
        present.id: "VERIFIED",
        asked.id: "CHECK_OPEN",
        analysing.id: "ANALYSING",
        failing.id: "FAILED",
        away.id: "NOT_JOINED",
        still.id: "NEEDS_REVIEW",
    }
    assert rows[present.id]["verdict_counts"] == {"VERIFIED": 3, "MISSED": 1}
    assert rows[present.id]["checks_issued"] == 4
    assert rows[present.id]["last_check_at"] == "2026-03-02T12:15:10Z"
    assert rows[present.id]["last_verdict"] == "VERIFIED"
    assert rows[asked.id]["open_challenge"] is True
    assert rows[asked.id]["open_challenge_deadline"] == "2026-03-02T12:17:00Z"
    assert rows[analysing.id]["checks_analysing"] == 1
    assert rows[analysing.id]["verdict_counts"] == {"VERIFIED": 1, "NEEDS_REVIEW": 1}
    assert rows[failing.id]["last_verdict"] == "WRONG_PERSON"
    assert rows[away.id]["joined"] is False
    assert rows[away.id]["last_check_at"] is None
    assert rows[present.id]["joined_at"] == "2026-03-02T12:00:00Z"


async def test_the_roster_costs_the_same_queries_for_two_students_or_twelve(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    small = await running_lesson(client, runtime, clock, students=2, course_name="Small")
    large = await running_lesson(client, runtime, clock, students=12, course_name="Large")
    for room in (small, large):
        for student in room.students:
            await add_timeline(
                runtime,
                lesson_id=room.lesson_id,
                user_id=student.id,
                start=clock(),
                verdicts=(V, W, R),
            )
    clock.advance(minutes=11)

    counts, presence_queries = [], []
    for room in (small, large):
        with statements(runtime.engine.sync_engine) as seen:
            answer = await client.get(f"{room.url}/roster", headers=room.teacher.headers)
        assert len(answer.json()) == len(room.students)
        counts.append(len(seen))
        presence_queries.append([s for s in seen if "challenges" in s or "presence" in s])

    assert counts[0] == counts[1]
    assert [len(queries) for queries in presence_queries] == [2, 2]
