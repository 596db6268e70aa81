"""Uploading a capture: accepted once, refused clearly otherwise, and nothing left behind.

Status codes: not the caller's challenge (or not this lesson's) 404; wrong nonce 403; lesson
not running, challenge already answered or cancelled 409; deadline passed or challenge
MISSED 410 (gone for good); not a picture 415; too many bytes or pixels 413; damaged 422;
blob store down 503.
"""

import asyncio
import hashlib
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.presence.live import (
    LiveLesson,
    capture_count,
    join,
    live_lesson,
    load_capture,
    small_jpeg,
    stored_blobs,
    upload,
)
from tests.support.clock import FakeClock
from tests.support.factories import signed_in
from tests.support.hostile_pictures import header_only_png
from tests.support.school import enrol
from trust_lesson.db import transaction
from trust_lesson.models import Capture, CaptureStatus, Challenge, ChallengeStatus, Role
from trust_lesson.presence import captures
from trust_lesson.presence.sweeps import expire_challenges
from trust_lesson.runtime import Runtime
from trust_lesson.settings import Settings
from trust_lesson.storage.blobs import BlobStore

Entry = tuple[LiveLesson, dict[str, Any]]


@pytest.fixture
async def entry(api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock) -> Entry:
    """A running lesson with two students; the first has joined and holds its ENTRY check."""
    live = await live_lesson(api, runtime, clock, students=2)
    body = await join(api, live, live.student)
    return live, body["challenge"]


async def test_a_picture_is_accepted_stored_and_queued(
    api: httpx.AsyncClient, runtime: Runtime, settings: Settings, entry: Entry
) -> None:
    live, challenge = entry
    picture = small_jpeg()

    response = await upload(api, live, live.student, challenge, picture, filename="../../x.jpg")

    assert response.status_code == 202, response.text
    assert response.json() == {"capture_id": response.json()["capture_id"], "status": "PENDING"}
    capture = await load_capture(runtime, response.json()["capture_id"])
    assert capture.status is CaptureStatus.PENDING
    assert capture.blob_key is not None and "x.jpg" not in capture.blob_key
    stored = await runtime.blobs.get(capture.blob_key)  # re-encoded without metadata
    assert capture.sha256 == hashlib.sha256(stored).hexdigest()
    assert capture.size == len(stored)
    assert await _challenge_status(runtime, challenge["id"]) is ChallengeStatus.ANSWERED
    assert len(stored_blobs(settings.data_dir)) == 1
    assert runtime.worker.huey.pending_count() == 1


async def test_a_second_upload_for_the_same_challenge_is_a_conflict(
    api: httpx.AsyncClient, runtime: Runtime, settings: Settings, entry: Entry
) -> None:
    live, challenge = entry
    first = await upload(api, live, live.student, challenge, small_jpeg())

    second = await upload(api, live, live.student, challenge, small_jpeg((1, 2, 3)))

    assert first.status_code == 202
    assert second.status_code == 409
    assert await capture_count(runtime) == 1
    assert len(stored_blobs(settings.data_dir)) == 1


async def test_two_uploads_at_once_give_one_capture(
    api: httpx.AsyncClient, runtime: Runtime, settings: Settings, entry: Entry
) -> None:
    live, challenge = entry

    answers = await asyncio.gather(
        upload(api, live, live.student, challenge, small_jpeg()),
        upload(api, live, live.student, challenge, small_jpeg((9, 9, 9))),
    )

    assert sorted(answer.status_code for answer in answers) == [202, 409]
    assert await capture_count(runtime) == 1
    assert len(stored_blobs(settings.data_dir)) == 1


@pytest.mark.parametrize(
    ("case", "status"),
    [("wrong nonce", 403), ("other student", 404), ("other lesson", 404), ("late", 410)],
)
async def test_refusals_leave_nothing_behind(
    api: httpx.AsyncClient,
    runtime: Runtime,
    settings: Settings,
    clock: FakeClock,
    entry: Entry,
    case: str,
    status: int,
) -> None:
    live, challenge = entry
    person, url, nonce = live.student, live.url("captures"), challenge["nonce"]
    if case == "wrong nonce":
        nonce = "x" * len(nonce)
    if case == "other student":
        person = live.students[1]
    if case == "other lesson":
        url = f"/api/v1/lessons/{live.lesson_id + 1000}/captures"
    if case == "late":
        clock.advance(seconds=60)

    response = await api.post(
        url,
        data={"challenge_id": str(challenge["id"]), "nonce": nonce},
        files={"image": ("frame.jpg", small_jpeg(), "image/jpeg")},
        headers=person.headers,
    )

    assert response.status_code == status, response.text
    assert challenge["nonce"] not in response.text
    await _nothing_behind(runtime, settings, challenge)


async def test_a_missed_challenge_is_gone(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock, entry: Entry
) -> None:
    live, challenge = entry
    clock.advance(seconds=61)
    async with transaction(runtime.session_factory) as db:
        assert await expire_challenges(db=db, now=clock.now) == 1

    response = await upload(api, live, live.student, challenge, small_jpeg())

    assert response.status_code == 410
    assert response.json()["code"] == "challenge_gone"


async def test_no_upload_once_the_lesson_stopped(
    api: httpx.AsyncClient, runtime: Runtime, settings: Settings, entry: Entry
) -> None:
    live, challenge = entry
    await api.post(live.url("stop"), headers=live.instructor.headers)

    response = await upload(api, live, live.student, challenge, small_jpeg())

    assert response.status_code == 409
    await _nothing_behind(runtime, settings, challenge)


@pytest.mark.parametrize(
    ("content", "status"),
    [
        (b"<html><body><script>alert(1)</script></body></html>", 415),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>', 415),
        (b"GIF89a" + b"\x00" * 64, 415),
        (b"", 415),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 200, 422),
        (None, 413),
    ],
    ids=["html", "svg", "gif", "empty", "broken jpeg", "pixel flood"],
)
async def test_pictures_are_checked_by_content(
    api: httpx.AsyncClient,
    runtime: Runtime,
    settings: Settings,
    entry: Entry,
    content: bytes | None,
    status: int,
) -> None:
    live, challenge = entry

    picture = header_only_png(30_000, 30_000) if content is None else content

    response = await upload(api, live, live.student, challenge, picture)

    assert response.status_code == status, response.text
    assert response.json()["detail"]
    await _nothing_behind(runtime, settings, challenge)


async def test_a_truncated_picture_is_refused(
    api: httpx.AsyncClient, runtime: Runtime, settings: Settings, entry: Entry
) -> None:
    live, challenge = entry
    picture = small_jpeg(size=400)

    response = await upload(api, live, live.student, challenge, picture[: len(picture) // 2])

    assert response.status_code == 422
    await _nothing_behind(runtime, settings, challenge)


async def test_a_file_over_the_cap_is_refused(
    api: httpx.AsyncClient, runtime: Runtime, settings: Settings, entry: Entry
) -> None:
    live, challenge = entry
    oversized = b"\xff\xd8\xff\xe0" + b"\x00" * captures.MAX_CAPTURE_BYTES

    response = await upload(api, live, live.student, challenge, oversized)

    assert response.status_code == 413
    await _nothing_behind(runtime, settings, challenge)


async def test_blob_store_down_answers_503_and_keeps_the_challenge_open(
    api: httpx.AsyncClient, runtime: Runtime, settings: Settings, entry: Entry
) -> None:
    live, challenge = entry
    working = runtime.blobs
    runtime.blobs = BlobStore.from_settings(
        "s3://no-such-bucket?endpoint=http://127.0.0.1:9&allow_http=true", settings.data_dir
    )

    down = await upload(api, live, live.student, challenge, small_jpeg())
    await _nothing_behind(runtime, settings, challenge)
    runtime.blobs = working
    again = await upload(api, live, live.student, challenge, small_jpeg())

    assert down.status_code == 503
    assert down.json()["code"] == "blob_store_unavailable"
    assert again.status_code == 202


async def test_a_failed_write_deletes_the_stored_picture(
    api: httpx.AsyncClient,
    runtime: Runtime,
    settings: Settings,
    entry: Entry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    live, challenge = entry

    async def broken(*_: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(captures, "_record", broken)
    response = await upload(api, live, live.student, challenge, small_jpeg())

    assert response.status_code == 500
    await _nothing_behind(runtime, settings, challenge)


async def test_a_failed_commit_deletes_the_stored_picture(
    api: httpx.AsyncClient,
    runtime: Runtime,
    settings: Settings,
    entry: Entry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    live, challenge = entry
    commit = AsyncSession.commit

    async def failing_commit(self: AsyncSession) -> None:
        if any(isinstance(row, Capture) for row in self.identity_map.values()):
            raise RuntimeError("commit failed")
        await commit(self)

    monkeypatch.setattr(AsyncSession, "commit", failing_commit)
    response = await upload(api, live, live.student, challenge, small_jpeg())
    monkeypatch.setattr(AsyncSession, "commit", commit)
    await asyncio.sleep(0.2)

    assert response.status_code == 500
    await _nothing_behind(runtime, settings, challenge)


async def test_who_reads_a_capture(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock, entry: Entry
) -> None:
    live, challenge = entry
    accepted = await upload(api, live, live.student, challenge, small_jpeg())
    url = f"/api/v1/captures/{accepted.json()['capture_id']}"
    admin = await signed_in(api, runtime, Role.ADMIN)
    other_instructor = await signed_in(api, runtime, Role.INSTRUCTOR)

    owner = await api.get(url, headers=live.student.headers)
    teacher = await api.get(url, headers=live.instructor.headers)
    by_admin = await api.get(url, headers=admin.headers)
    classmate = await api.get(url, headers=live.students[1].headers)
    stranger = await api.get(url, headers=other_instructor.headers)

    assert owner.status_code == teacher.status_code == by_admin.status_code == 200
    assert owner.json()["status"] == "PENDING"
    assert owner.json()["verdict"] is None
    assert {"blob_key", "phash", "sha256"}.isdisjoint(owner.json())
    assert classmate.status_code == stranger.status_code == 404
    assert classmate.json() == {"detail": "No such capture.", "code": "not_found"}


async def test_a_co_instructor_reads_the_captures_they_may_review(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock, entry: Entry
) -> None:
    live, challenge = entry
    accepted = await upload(api, live, live.student, challenge, small_jpeg())
    capture_id = accepted.json()["capture_id"]
    co_instructor = await signed_in(api, runtime, Role.INSTRUCTOR)
    await enrol(api, live.instructor, live.term_id, co_instructor, role="INSTRUCTOR")
    instructor_as_learner = await signed_in(api, runtime, Role.INSTRUCTOR)
    await enrol(api, live.instructor, live.term_id, instructor_as_learner, role="STUDENT")

    read = await api.get(f"/api/v1/captures/{capture_id}", headers=co_instructor.headers)
    queue = await api.get("/api/v1/reviews", headers=co_instructor.headers)
    learner = await api.get(f"/api/v1/captures/{capture_id}", headers=instructor_as_learner.headers)

    assert read.status_code == 200  # was 404: only the lesson's own instructor could read it
    assert read.json()["id"] == capture_id
    assert queue.status_code == 200
    assert learner.status_code == 404


async def _challenge_status(runtime: Runtime, challenge_id: int) -> ChallengeStatus:
    async with transaction(runtime.session_factory) as db:
        return (await db.get_one(Challenge, challenge_id)).status


async def _nothing_behind(runtime: Runtime, settings: Settings, challenge: dict[str, Any]) -> None:
    assert await capture_count(runtime) == 0
    assert stored_blobs(settings.data_dir) == []
    assert runtime.worker.huey.pending_count() == 0
    status = await _challenge_status(runtime, challenge["id"])
    assert status is not ChallengeStatus.ANSWERED
