"""R26, issue 11 Done-when 3: a student downloads all their own data as one archive; every
category is there and nothing of anyone else."""

import io
import json
import zipfile

import httpx
import pytest

from tests.privacy.stories import AttendedLesson, attended_lesson, verified_identity
from tests.support.clock import FakeClock
from tests.support.leaks import FORBIDDEN_MARKERS
from trust_lesson.runtime import Runtime

CATEGORIES = {
    "profile", "consents", "face_enrolment", "identity", "lessons", "checks", "decisions",
    "certificates", "evidence_log",
}  # fmt: skip


@pytest.fixture
async def story(client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock) -> AttendedLesson:
    lesson = await attended_lesson(client, runtime, clock)
    for person in lesson.live.students:
        await verified_identity(client, runtime, person, decided_at=clock.now)
    return lesson


def foreign_traces(story: AttendedLesson) -> list[str]:
    """What would give away another person: the other student, the instructor (whose
    username the story's course is named after: the course name is the student's to see)."""
    other, teacher = story.live.students[1], story.live.instructor
    return [
        other.user.email, other.user.username, other.user.full_name,
        teacher.user.email, teacher.user.full_name,
        f'"student": {other.id}', f'"user": {other.id}', f'"actor": {teacher.id}',
    ]  # fmt: skip


async def test_the_archive_holds_every_category_and_nothing_of_anyone_else(
    client: httpx.AsyncClient, story: AttendedLesson
) -> None:
    student = story.live.student

    answer = await client.get(f"/api/v1/users/{student.id}/export", headers=student.headers)

    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    data = json.loads(archive.read("data.json"))
    assert data.keys() >= CATEGORIES and all(data[name] for name in CATEGORIES)
    assert data["profile"]["email"] == student.user.email
    [check] = [c for c in data["checks"] if "capture" in c]
    assert check["capture"]["verdict"] == "VERIFIED" and check["capture"]["reviews"] == []
    picture = check["capture"]["picture"]
    assert picture in archive.namelist() and archive.read(picture)[:2] == b"\xff\xd8"
    assert data["identity"]["records"][0]["document_number"] == "L898902C3"
    [verification] = data["identity"]["verifications"]
    photos = verification["pictures"]  # the document photo and the selfie, still kept
    assert [p.rsplit("-", 1)[1] for p in photos] == ["document.jpg", "selfie.jpg"]
    assert all(archive.read(photo)[:2] == b"\xff\xd8" for photo in photos)
    assert data["decisions"][0]["decision"] == "ATTENDED"
    assert data["certificates"][0]["credential_id"] == story.certificate["id"]
    everything = "\n".join(archive.read(name).decode("latin-1") for name in archive.namelist())
    leaks = [trace for trace in foreign_traces(story) if trace in everything]
    assert leaks == []
    for marker in (*FORBIDDEN_MARKERS, "embedding", "portrait_embedding", "blob_key"):
        assert marker not in everything


async def test_only_the_person_exports_their_data(
    client: httpx.AsyncClient, story: AttendedLesson
) -> None:
    student, other = story.live.students
    url = f"/api/v1/users/{student.id}/export"

    by_other = await client.get(url, headers=other.headers)
    by_teacher = await client.get(url, headers=story.live.instructor.headers)

    assert by_other.status_code == 404 and by_teacher.status_code == 404
    assert student.user.email not in by_other.text + by_teacher.text


async def test_the_archive_holds_the_persons_appeals_and_not_who_answered(
    client: httpx.AsyncClient, story: AttendedLesson
) -> None:
    absent, teacher = story.live.students[1], story.live.instructor
    [decision] = (await client.get(story.live.url("attendance"), headers=absent.headers)).json()
    filed = await client.post(
        f"/api/v1/decisions/{decision['id']}/appeals",
        json={"reason": "I was on the call."},
        headers=absent.headers,
    )
    await client.post(
        f"/api/v1/appeals/{filed.json()['id']}/answer",
        json={"outcome": "UPHELD", "reply": "No picture was sent."},
        headers=teacher.headers,
    )

    answer = await client.get(f"/api/v1/users/{absent.id}/export", headers=absent.headers)

    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    data = json.loads(archive.read("data.json"))
    [appeal] = data["appeals"]
    assert (appeal["decision"], appeal["reason"]) == ("ABSENT", "I was on the call.")
    assert (appeal["outcome"], appeal["reply"]) == ("UPHELD", "No picture was sent.")
    answered = [e for e in data["evidence_log"] if e["type"] == "appeal.answered"]
    assert [(e["data"]["outcome"], e["actor"]) for e in answered] == [("UPHELD", None)]
    assert f'"actor": {teacher.id}' not in archive.read("data.json").decode()
