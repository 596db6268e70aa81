"""Reviewers settle doubtful pictures with a reason; the student is decided again."""

import httpx

from tests.support.clock import FakeClock
from tests.support.factories import signed_in
from tests.support.presence import add_timeline, running_lesson
from trust_lesson.attendance import reviews
from trust_lesson.models import Role
from trust_lesson.presence.verdicts import Verdict
from trust_lesson.runtime import Runtime

V, R, W = Verdict.VERIFIED, Verdict.NEEDS_REVIEW, Verdict.WRONG_PERSON
L = Verdict.LIVENESS_FAILED


async def test_a_reviewer_verifies_a_doubtful_picture_and_the_student_attends(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    room = await running_lesson(client, runtime, clock, students=1)
    student = room.students[0]
    checks = await add_timeline(
        runtime, lesson_id=room.lesson_id, user_id=student.id, start=clock(), verdicts=(V, V, R, V)
    )
    clock.advance(minutes=20)
    await client.post(f"{room.url}/stop", headers=room.teacher.headers)
    before = (await client.get(f"{room.url}/attendance", headers=room.teacher.headers)).json()
    items = (await client.get("/api/v1/reviews", headers=room.teacher.headers)).json()

    clock.advance(minutes=5)
    reviewed = await client.post(
        f"/api/v1/captures/{checks[2].capture_id}/review",
        json={"decision": "VERIFIED", "reason": "Same person, new glasses."},
        headers=room.teacher.headers,
    )
    now = (await client.get(f"{room.url}/attendance", headers=student.headers)).json()
    history = await client.get(f"{room.url}/attendance?history=true", headers=student.headers)
    left = (await client.get("/api/v1/reviews", headers=room.teacher.headers)).json()

    assert [row["decision"] for row in before] == ["PENDING_REVIEW"]
    assert [(item["capture_id"], item["user_id"], item["similarity"]) for item in items] == [
        (checks[2].capture_id, student.id, 87.5)
    ]
    assert items[0]["lesson_title"] == room.lesson["title"]
    assert reviewed.status_code == 201, reviewed.text
    body = reviewed.json()
    assert body["review"]["verdict"] == "VERIFIED"
    assert body["review"]["reviewer_id"] == room.teacher.id
    assert body["attendance"]["decision"] == "ATTENDED"
    assert body["attendance"]["decided_by"] == room.teacher.id
    assert body["attendance"]["reason"] == "Same person, new glasses."
    assert [row["decision"] for row in now] == ["ATTENDED"]
    assert [row["decision"] for row in history.json()] == ["PENDING_REVIEW", "ATTENDED"]
    assert any("by a reviewer: Same person, new glasses." in r for r in now[0]["reasons"])
    assert left == []


async def test_a_failed_head_turn_goes_to_review_and_a_reviewer_settles_it(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    room = await running_lesson(client, runtime, clock, students=1)
    student = room.students[0]
    checks = await add_timeline(
        runtime, lesson_id=room.lesson_id, user_id=student.id, start=clock(), verdicts=(L, V, L)
    )
    clock.advance(minutes=20)
    await client.post(f"{room.url}/stop", headers=room.teacher.headers)
    before = (await client.get(f"{room.url}/attendance", headers=student.headers)).json()
    items = (await client.get("/api/v1/reviews", headers=room.teacher.headers)).json()

    confirmed = await client.post(
        f"/api/v1/captures/{checks[2].capture_id}/review",
        json={"decision": "LIVENESS_FAILED", "reason": "A photo held up to the camera."},
        headers=room.teacher.headers,
    )
    verified = await client.post(
        f"/api/v1/captures/{checks[0].capture_id}/review",
        json={"decision": "VERIFIED", "reason": "She turned; the light was poor."},
        headers=room.teacher.headers,
    )
    capture = await client.get(f"/api/v1/captures/{checks[2].capture_id}", headers=student.headers)

    assert [row["decision"] for row in before] == ["PENDING_REVIEW"]
    assert before[0]["reasons"][0] == "2 checks awaiting review (2 failed the liveness check)"
    assert [item["capture_id"] for item in items] == [checks[0].capture_id, checks[2].capture_id]
    assert confirmed.json()["attendance"]["decision"] == "PENDING_REVIEW"
    decided = verified.json()["attendance"]
    assert (decided["decision"], decided["checks_verified"]) == ("PARTIAL", 2)
    assert "end check failed: no live head turn" in decided["reasons"]
    assert capture.json()["verdict"] == "LIVENESS_FAILED"


async def test_a_review_needs_a_reason_and_a_settling_verdict(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    room = await running_lesson(client, runtime, clock, students=1)
    checks = await add_timeline(
        runtime, lesson_id=room.lesson_id, user_id=room.students[0].id, start=clock(), verdicts=(R,)
    )
    url = f"/api/v1/captures/{checks[0].capture_id}/review"

    answers = [
        await client.post(url, json=body, headers=room.teacher.headers)
        for body in (
            {"decision": "VERIFIED"},
            {"decision": "VERIFIED", "reason": "   "},
            {"decision": "VERIFIED", "reason": "x" * 1001},
            {"decision": "NEEDS_REVIEW", "reason": "not sure either"},
            {"decision": "MISSED", "reason": "no"},
            {"decision": "MAYBE", "reason": "no"},
            {"decision": "VERIFIED", "reason": "ok", "reviewer_id": 1},
        )
    ]
    items = (await client.get("/api/v1/reviews", headers=room.teacher.headers)).json()

    assert [answer.status_code for answer in answers] == [422] * 7
    assert len(items) == 1


async def test_a_review_while_the_lesson_runs_counts_when_it_stops(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    room = await running_lesson(client, runtime, clock, students=1)
    student = room.students[0]
    checks = await add_timeline(
        runtime, lesson_id=room.lesson_id, user_id=student.id, start=clock(), verdicts=(V, R, V)
    )
    clock.advance(minutes=11)

    reviewed = await client.post(
        f"/api/v1/captures/{checks[1].capture_id}/review",
        json={"decision": "WRONG_PERSON", "reason": "Her sister answered."},
        headers=room.teacher.headers,
    )
    await client.post(f"{room.url}/stop", headers=room.teacher.headers)
    decision = (await client.get(f"{room.url}/attendance", headers=student.headers)).json()[0]

    assert reviewed.status_code == 201
    assert reviewed.json()["attendance"] is None
    assert (decision["decision"], decision["checks_verified"]) == ("PARTIAL", 2)
    assert decision["decided_by"] is None
    assert any("WRONG_PERSON by a reviewer: Her sister answered." in r for r in decision["reasons"])


async def test_a_picture_still_being_analysed_cannot_be_reviewed(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    room = await running_lesson(client, runtime, clock, students=1)
    checks = await add_timeline(
        runtime,
        lesson_id=room.lesson_id,
        user_id=room.students[0].id,
        start=clock(),
        verdicts=(None,),
    )

    answer = await client.post(
        f"/api/v1/captures/{checks[0].capture_id}/review",
        json={"decision": "VERIFIED", "reason": "looks fine"},
        headers=room.teacher.headers,
    )

    assert answer.status_code == 409


async def test_open_reviews_come_oldest_first_page_by_page_and_only_from_ones_own_courses(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    mine = await running_lesson(client, runtime, clock, students=2, course_name="Mine")
    theirs = await running_lesson(client, runtime, clock, students=1, course_name="Theirs")
    first, second = mine.students
    start = clock()
    late = await add_timeline(
        runtime, lesson_id=mine.lesson_id, user_id=second.id, start=start, verdicts=(V, R)
    )
    early = await add_timeline(
        runtime, lesson_id=mine.lesson_id, user_id=first.id, start=start, verdicts=(R, V, R)
    )
    other = await add_timeline(
        runtime,
        lesson_id=theirs.lesson_id,
        user_id=theirs.students[0].id,
        start=start,
        verdicts=(R,),
    )
    admin = await signed_in(client, runtime, Role.ADMIN)

    page1 = await client.get("/api/v1/reviews?limit=2", headers=mine.teacher.headers)
    page2 = await client.get("/api/v1/reviews?limit=2&offset=2", headers=mine.teacher.headers)
    everything = await client.get("/api/v1/reviews", headers=admin.headers)

    ids = [item["capture_id"] for item in page1.json() + page2.json()]
    assert ids == [early[0].capture_id, late[1].capture_id, early[2].capture_id]
    assert len(page1.json()) == 2
    assert other[0].capture_id not in ids
    assert {item["capture_id"] for item in everything.json()} == {*ids, other[0].capture_id}


async def test_the_open_reviews_are_counted_over_all_pages_for_their_reviewers_alone(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    mine = await running_lesson(client, runtime, clock, students=2, course_name="Mine")
    theirs = await running_lesson(client, runtime, clock, students=1, course_name="Theirs")
    first, second = mine.students
    start = clock()
    await add_timeline(
        runtime, lesson_id=mine.lesson_id, user_id=first.id, start=start, verdicts=(R, V, L)
    )
    checks = await add_timeline(
        runtime, lesson_id=mine.lesson_id, user_id=second.id, start=start, verdicts=(R, W)
    )
    await client.post(
        f"/api/v1/captures/{checks[0].capture_id}/review",
        json={"decision": "VERIFIED", "reason": "Same person, new glasses."},
        headers=mine.teacher.headers,
    )

    async with runtime.session_factory() as db:
        listed = await reviews.open_items(db=db, caller=mine.teacher.user, limit=10, offset=0)
        counted = await reviews.open_count(db=db, caller=mine.teacher.user)
        elsewhere = await reviews.open_count(db=db, caller=theirs.teacher.user)

    assert counted == len(listed) == 2  # the first one's R and L; the second's R is settled
    assert elsewhere == 0
