"""R24, issue 11 Done-when 3: a student without consent (or after withdrawing it) attends.

No face of theirs is processed (the process that judged their picture built no face model),
their pictures go to a person for review, or the instructor marks their presence with a
reason; every decision says which path it took.
"""

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.presence.live import LiveLesson, join, live_lesson, picture_file, small_jpeg
from tests.presence.verdict_support import FACES, enrol_face, face_template, read_capture, send
from tests.privacy.stories import log_entries
from tests.support.clock import FakeClock
from tests.support.factories import Person, signed_in
from trust_lesson.presence.judging import NO_ENROLMENT
from trust_lesson.runtime import Runtime
from trust_lesson.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


async def judged_elsewhere(settings: Settings, *capture_ids: int) -> list[dict[str, Any]]:
    """The verdicts, written by a fresh worker process, and the face models it had built."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.privacy.judge_process", settings.model_dump_json(),
        *map(str, capture_ids), cwd=ROOT, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()[-2000:]
    return [json.loads(line) for line in out.decode().splitlines()]


async def withdraw(client: httpx.AsyncClient, person: Person) -> None:
    url = f"/api/v1/users/{person.id}/consent"
    assert (await client.post(url, headers=person.headers)).status_code == 201
    assert (await client.delete(url, headers=person.headers)).status_code == 204


def paths(attendance: httpx.Response) -> dict[int, tuple[str, str]]:
    return {row["user_id"]: (row["decision"], row["path"]) for row in attendance.json()}


@pytest.fixture
async def lesson(client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock) -> LiveLesson:
    """Two students: the first never consented, the second consented and withdrew."""
    live = await live_lesson(client, runtime, clock, students=2)
    await withdraw(client, live.students[1])
    return live


async def test_no_face_is_processed_and_a_review_confirms_the_check(
    client: httpx.AsyncClient, runtime: Runtime, settings: Settings, lesson: LiveLesson
) -> None:
    student, teacher = lesson.student, lesson.instructor
    challenge = (await join(client, lesson, student))["challenge"]
    capture_id = await send(client, lesson, student, challenge, small_jpeg(size=200))

    [judged] = await judged_elsewhere(settings, capture_id)

    assert judged == {"capture": capture_id, "verdict": "NEEDS_REVIEW", "models": []}
    seen = await read_capture(client, student, capture_id)
    assert seen["reasons"] == [NO_ENROLMENT] and seen["faces"] is None
    items = await client.get("/api/v1/reviews", headers=teacher.headers)
    assert [item["capture_id"] for item in items.json()] == [capture_id]
    review = {"decision": "VERIFIED", "reason": "I saw the student in the video call"}
    reviewed = await client.post(
        f"/api/v1/captures/{capture_id}/review", json=review, headers=teacher.headers
    )
    assert reviewed.status_code == 201, reviewed.text
    assert (await client.post(lesson.url("stop"), headers=teacher.headers)).is_success
    attendance = await client.get(lesson.url("attendance"), headers=teacher.headers)
    assert paths(attendance)[student.id] == ("ATTENDED", "NON_BIOMETRIC")
    decided = await log_entries(runtime, "attendance.decided")
    assert {e["data"]["student"]: e["data"]["path"] for e in decided}[student.id] == (
        "NON_BIOMETRIC"
    )


async def test_the_instructor_marks_the_presence_of_a_student_without_consent(
    client: httpx.AsyncClient, runtime: Runtime, lesson: LiveLesson
) -> None:
    teacher, withdrawn = lesson.instructor, lesson.students[1]
    url = lesson.url(f"attendance/{withdrawn.id}")
    mark = {"decision": "ATTENDED", "reason": "Present in the video call; camera consent withdrawn"}
    too_early = await client.post(url, json=mark, headers=teacher.headers)
    assert (await client.post(lesson.url("stop"), headers=teacher.headers)).is_success

    marked = await client.post(url, json=mark, headers=teacher.headers)

    assert too_early.status_code == 409
    assert marked.status_code == 201, marked.text
    body = marked.json()
    assert (body["decision"], body["path"], body["decided_by"]) == (
        "ATTENDED", "INSTRUCTOR", teacher.id,
    )  # fmt: skip
    assert body["reason"] == mark["reason"]
    mine = await client.get(lesson.url("attendance"), headers=withdrawn.headers)
    assert paths(mine) == {withdrawn.id: ("ATTENDED", "INSTRUCTOR")}
    [entry] = [
        e
        for e in await log_entries(runtime, "attendance.decided")
        if e["data"]["path"] == "INSTRUCTOR"
    ]
    assert entry["actor"] == teacher.id and entry["data"]["reason"] == mark["reason"]


async def test_only_the_lesson_s_staff_mark_a_student_of_the_lesson_with_a_reason(
    client: httpx.AsyncClient, runtime: Runtime, lesson: LiveLesson
) -> None:
    teacher, student = lesson.instructor, lesson.student
    assert (await client.post(lesson.url("stop"), headers=teacher.headers)).is_success
    stranger = await signed_in(client, runtime)
    url = lesson.url(f"attendance/{student.id}")
    mark = {"decision": "ATTENDED", "reason": "seen"}

    by_student = await client.post(url, json=mark, headers=student.headers)
    not_a_student = await client.post(
        lesson.url(f"attendance/{stranger.id}"), json=mark, headers=teacher.headers
    )
    no_reason = await client.post(url, json={"decision": "ATTENDED"}, headers=teacher.headers)
    pending = await client.post(
        url, json={"decision": "PENDING_REVIEW", "reason": "x"}, headers=teacher.headers
    )

    assert by_student.status_code == 403
    assert not_a_student.status_code == 404
    assert (no_reason.status_code, pending.status_code) == (422, 422)
    attendance = await client.get(lesson.url("attendance"), headers=teacher.headers)
    assert "INSTRUCTOR" not in {path for _, path in paths(attendance).values()}


@pytest.mark.slow
async def test_with_consent_the_same_worker_process_does_build_face_models(
    client: httpx.AsyncClient,
    runtime: Runtime,
    settings: Settings,
    clock: FakeClock,
    testdata: Path,
) -> None:
    """The control of the first story: the probe sees face processing when there is some."""
    live = await live_lesson(client, runtime, clock, students=2)
    await enrol_face(runtime, live.student, face_template(testdata, FACES + "obama.jpg"))
    face = picture_file(testdata / FACES / "obama2.jpg")
    without = (await join(client, live, live.students[1]))["challenge"]
    consented = (await join(client, live, live.student))["challenge"]
    first = await send(client, live, live.students[1], without, face)
    second = await send(client, live, live.student, consented, face)

    judged = await judged_elsewhere(settings, first, second)

    assert [(j["verdict"], j["models"] == []) for j in judged] == [
        ("NEEDS_REVIEW", True), ("VERIFIED", False),
    ]  # fmt: skip
    assert (await client.post(live.url("stop"), headers=live.instructor.headers)).is_success
    attendance = await client.get(live.url("attendance"), headers=live.instructor.headers)
    assert paths(attendance)[live.student.id][1] == "BIOMETRIC"
    assert paths(attendance)[live.students[1].id] == ("PENDING_REVIEW", "NON_BIOMETRIC")
