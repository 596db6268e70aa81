"""A student appeals an attendance decision; a reviewer of the lesson answers it."""

import asyncio
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select

from tests.support.clock import FakeClock
from tests.support.factories import Person, signed_in
from tests.support.presence import CheckIds, Classroom, add_timeline, running_lesson
from trust_lesson.attendance import appeals
from trust_lesson.db import transaction
from trust_lesson.models import EvidenceEntry, Role
from trust_lesson.presence.verdicts import Verdict
from trust_lesson.runtime import Runtime

V, W = Verdict.VERIFIED, Verdict.WRONG_PERSON
REASON = "I was there the whole lesson; my brother's photo was on the wall behind me."


@dataclass
class Stopped:
    """A stopped lesson: `absent` failed every check, `present` passed every one."""

    room: Classroom
    absent: Person
    present: Person
    absent_checks: list[CheckIds]

    @property
    def teacher(self) -> Person:
        return self.room.teacher

    async def decision_of(self, client: httpx.AsyncClient, person: Person) -> dict[str, Any]:
        answer = await client.get(f"{self.room.url}/attendance", headers=person.headers)
        [decision] = answer.json()
        return dict(decision)


async def stopped_lesson(client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock) -> Stopped:
    room = await running_lesson(client, runtime, clock, students=2)
    absent, present = room.students
    start = clock()
    checks = await add_timeline(
        runtime, lesson_id=room.lesson_id, user_id=absent.id, start=start, verdicts=(W, W)
    )
    await add_timeline(
        runtime, lesson_id=room.lesson_id, user_id=present.id, start=start, verdicts=(V, V)
    )
    clock.advance(minutes=20)
    stopped = await client.post(f"{room.url}/stop", headers=room.teacher.headers)
    assert stopped.status_code == 200, stopped.text
    return Stopped(room, absent, present, checks)


async def appeal(
    client: httpx.AsyncClient, person: Person, decision_id: int, reason: str = REASON
) -> httpx.Response:
    url = f"/api/v1/decisions/{decision_id}/appeals"
    return await client.post(url, json={"reason": reason}, headers=person.headers)


async def answer(
    client: httpx.AsyncClient, person: Person, appeal_id: int, outcome: str, reply: str
) -> httpx.Response:
    url = f"/api/v1/appeals/{appeal_id}/answer"
    body = {"outcome": outcome, "reply": reply}
    return await client.post(url, json=body, headers=person.headers)


async def appeals_seen_by(client: httpx.AsyncClient, person: Person) -> list[dict[str, Any]]:
    listed = await client.get("/api/v1/appeals", headers=person.headers)
    assert listed.status_code == 200, listed.text
    return list(listed.json())


async def log_entries(runtime: Runtime, kind: str) -> list[dict[str, Any]]:
    async with transaction(runtime.session_factory) as db:
        rows = await db.scalars(select(EvidenceEntry.entry).order_by(EvidenceEntry.index))
        return [entry for entry in map(json.loads, rows) if entry["type"] == kind]


async def test_a_student_appeals_an_absence_and_the_reviewer_corrects_it_and_grants_it(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    lesson = await stopped_lesson(client, runtime, clock)
    absence = await lesson.decision_of(client, lesson.absent)

    filed = await appeal(client, lesson.absent, absence["id"], reason=f"  {REASON}  ")
    queue = await appeals_seen_by(client, lesson.teacher)
    for check in lesson.absent_checks:
        reviewed = await client.post(
            f"/api/v1/captures/{check.capture_id}/review",
            json={"decision": "VERIFIED", "reason": "The face is hers; a photo hung behind."},
            headers=lesson.teacher.headers,
        )
        assert reviewed.status_code == 201, reviewed.text
    granted = await answer(
        client, lesson.teacher, filed.json()["id"], "GRANTED", "You were right: corrected."
    )
    seen_by_student = await appeals_seen_by(client, lesson.absent)
    now = await lesson.decision_of(client, lesson.absent)

    assert absence["decision"] == "ABSENT"
    assert filed.status_code == 201, filed.text
    assert (filed.json()["reason"], filed.json()["outcome"]) == (REASON, None)
    [item] = queue
    assert (item["full_name"], item["decision"]) == (lesson.absent.user.full_name, "ABSENT")
    assert item["capture_ids"] == [check.capture_id for check in lesson.absent_checks]
    assert item["decision_reasons"] == absence["reasons"]
    assert granted.status_code == 200, granted.text
    assert [(a["outcome"], a["reply"]) for a in seen_by_student] == [
        ("GRANTED", "You were right: corrected.")
    ]
    assert now["decision"] == "ATTENDED"
    assert await appeals_seen_by(client, lesson.teacher) == []


async def test_filing_and_answering_are_logged_with_the_texts_hashes_only(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    lesson = await stopped_lesson(client, runtime, clock)
    absence = await lesson.decision_of(client, lesson.absent)

    filed = (await appeal(client, lesson.absent, absence["id"])).json()
    await answer(client, lesson.teacher, filed["id"], "UPHELD", "Two failed checks stand.")
    [filing] = await log_entries(runtime, "appeal.filed")
    [answering] = await log_entries(runtime, "appeal.answered")

    assert filing["actor"] == lesson.absent.id
    assert filing["data"] == {
        "appeal": filed["id"], "decision": absence["id"], "lesson": lesson.room.lesson_id,
        "student": lesson.absent.id,
        "reason_sha256": hashlib.sha256(REASON.encode()).hexdigest(),
    }  # fmt: skip
    assert answering["actor"] == lesson.teacher.id
    assert answering["data"]["outcome"] == "UPHELD"
    assert answering["data"]["reply_sha256"] == (
        hashlib.sha256(b"Two failed checks stand.").hexdigest()
    )
    assert REASON not in json.dumps([filing, answering])


async def test_a_student_cannot_appeal_anothers_decision_an_attendance_or_twice(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    lesson = await stopped_lesson(client, runtime, clock)
    absence = await lesson.decision_of(client, lesson.absent)
    attendance = await lesson.decision_of(client, lesson.present)

    someone_elses = await appeal(client, lesson.present, absence["id"])
    attended = await appeal(client, lesson.present, attendance["id"])
    blank = await appeal(client, lesson.absent, absence["id"], reason="   ")
    too_long = await appeal(client, lesson.absent, absence["id"], reason="x" * 1001)
    first = await appeal(client, lesson.absent, absence["id"])
    second = await appeal(client, lesson.absent, absence["id"], reason="And again.")

    assert someone_elses.status_code == 404
    assert someone_elses.json()["detail"] == "No such attendance decision."
    assert attended.status_code == 409
    assert attended.json()["detail"] == "This decision is ATTENDED: there is nothing to appeal."
    assert (blank.status_code, too_long.status_code) == (422, 422)
    assert first.status_code == 201
    assert second.status_code == 409
    assert second.json()["detail"] == "An appeal of this decision is already open."
    assert [a["reason"] for a in await appeals_seen_by(client, lesson.absent)] == [REASON]
    assert await appeals_seen_by(client, lesson.present) == []


async def test_only_the_reviewers_of_the_lesson_see_and_answer_an_appeal(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    lesson = await stopped_lesson(client, runtime, clock)
    elsewhere = await running_lesson(client, runtime, clock, students=1, course_name="Elsewhere")
    absence = await lesson.decision_of(client, lesson.absent)
    filed = (await appeal(client, lesson.absent, absence["id"])).json()

    foreign_queue = await appeals_seen_by(client, elsewhere.teacher)
    by_foreign_teacher = await answer(client, elsewhere.teacher, filed["id"], "UPHELD", "No.")
    by_student = await answer(client, lesson.present, filed["id"], "UPHELD", "No.")
    by_appellant = await answer(client, lesson.absent, filed["id"], "GRANTED", "Yes.")
    granted_uncorrected = await answer(client, lesson.teacher, filed["id"], "GRANTED", "Sure.")
    still_open = await appeals_seen_by(client, lesson.teacher)

    assert foreign_queue == []
    assert by_foreign_teacher.status_code == 404
    assert REASON not in by_foreign_teacher.text
    assert (by_student.status_code, by_appellant.status_code) == (403, 403)
    assert granted_uncorrected.status_code == 409
    assert "correct the decision first" in granted_uncorrected.json()["detail"]
    assert [a["id"] for a in still_open] == [filed["id"]]


async def test_a_later_decision_of_the_lesson_can_be_appealed_again(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    lesson = await stopped_lesson(client, runtime, clock)
    absence = await lesson.decision_of(client, lesson.absent)
    filed = (await appeal(client, lesson.absent, absence["id"])).json()
    await answer(client, lesson.teacher, filed["id"], "UPHELD", "Both checks show someone else.")

    again = await appeal(client, lesson.absent, absence["id"], reason="Please look again.")
    await client.post(
        f"/api/v1/captures/{lesson.absent_checks[0].capture_id}/review",
        json={"decision": "VERIFIED", "reason": "The entry picture is hers after all."},
        headers=lesson.teacher.headers,
    )
    partial = await lesson.decision_of(client, lesson.absent)
    old_one = await appeal(client, lesson.absent, absence["id"], reason="The first one.")
    new_one = await appeal(client, lesson.absent, partial["id"], reason="The end check too.")

    assert again.status_code == 409
    assert "has been answered" in again.json()["detail"]
    assert partial["decision"] == "PARTIAL"
    assert old_one.status_code == 409
    assert old_one.json()["detail"].startswith("A newer decision replaced this one")
    assert new_one.status_code == 201, new_one.text
    mine = await appeals_seen_by(client, lesson.absent)
    assert [(a["decision"], a["outcome"]) for a in mine] == [
        ("ABSENT", "UPHELD"),
        ("PARTIAL", None),
    ]


async def test_two_reviewers_answering_at_once_one_answer_counts(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    lesson = await stopped_lesson(client, runtime, clock)
    admin = await signed_in(client, runtime, Role.ADMIN)
    absence = await lesson.decision_of(client, lesson.absent)
    filed = (await appeal(client, lesson.absent, absence["id"])).json()

    answers = await asyncio.gather(
        answer(client, lesson.teacher, filed["id"], "UPHELD", "From the instructor."),
        answer(client, admin, filed["id"], "UPHELD", "From the administrator."),
    )
    [kept] = await appeals_seen_by(client, lesson.absent)

    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    [won] = [a for a in answers if a.status_code == 200]
    [lost] = [a for a in answers if a.status_code == 409]
    assert lost.json()["detail"] == "This appeal has already been answered."
    assert kept["reply"] == won.json()["reply"]
    assert len(await log_entries(runtime, "appeal.answered")) == 1


async def test_the_open_appeals_are_counted_over_all_pages_for_their_reviewers_alone(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    lesson = await stopped_lesson(client, runtime, clock)
    elsewhere = await running_lesson(client, runtime, clock, students=1, course_name="Elsewhere")
    absence = await lesson.decision_of(client, lesson.absent)
    filed = (await appeal(client, lesson.absent, absence["id"])).json()

    before = await open_appeals_counted(runtime, lesson.teacher, elsewhere.teacher)
    await answer(client, lesson.teacher, filed["id"], "UPHELD", "The pictures are not you.")
    after = await open_appeals_counted(runtime, lesson.teacher, elsewhere.teacher)

    assert before == [1, 0]
    assert after == [0, 0]


async def open_appeals_counted(runtime: Runtime, *reviewers: Person) -> list[int]:
    async with runtime.session_factory() as db:
        return [await appeals.to_answer_count(db=db, caller=r.user) for r in reviewers]
