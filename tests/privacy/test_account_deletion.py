"""Issue 8/11, R25: deleting an account deletes the person's data, never the evidence of
their attendance (a pseudonym keeps it), and leaves no picture on disk."""

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tests.presence.live import (
    join,
    live_lesson,
    load_capture,
    small_jpeg,
    stored_blobs,
    upload_burst,
)
from tests.privacy.stories import (
    AttendedLesson,
    check_person_gone_evidence_kept,
    log_entries,
    queued_deletions,
    templates_of,
)
from tests.support.clock import FakeClock
from tests.support.factories import PASSWORD, Person, signed_in
from trust_lesson.db import transaction
from trust_lesson.models import (
    AttendanceAppeal,
    AttendanceDecision,
    EvidenceEntry,
    Role,
    User,
)
from trust_lesson.runtime import Runtime
from trust_lesson.settings import Settings
from trust_lesson.storage.blobs import BlobStore


@pytest.fixture
async def admin(client: httpx.AsyncClient, runtime: Runtime) -> Person:
    return await signed_in(client, runtime, Role.ADMIN)


async def test_the_evidence_stays_under_a_pseudonym_and_the_person_goes(
    client: httpx.AsyncClient,
    runtime: Runtime,
    settings: Settings,
    story: AttendedLesson,
    admin: Person,
) -> None:
    student = story.live.student
    assert len(stored_blobs(settings.data_dir)) == 3  # the capture, the document, the selfie

    deleted = await client.delete(f"/api/v1/users/{student.id}", headers=admin.headers)

    assert deleted.status_code == 204
    await check_person_gone_evidence_kept(client, runtime, settings, story)


async def test_the_deletion_and_each_purge_are_log_entries(
    client: httpx.AsyncClient, runtime: Runtime, story: AttendedLesson, admin: Person
) -> None:
    student = story.live.student

    await client.delete(f"/api/v1/users/{student.id}", headers=admin.headers)

    [deletion] = await log_entries(runtime, "account.deleted")
    assert deletion["data"] == {"user": student.id} and deletion["actor"] == admin.id
    purges = {
        entry["data"]["what"]: entry["data"] for entry in await log_entries(runtime, "data.purged")
    }
    assert purges["capture pictures"]["captures"] == [story.capture_id]
    assert purges["face templates"]["count"] == 1
    assert purges["identity document pictures"]["count"] == 1
    assert purges["identity records"]["count"] == 1
    assert {p["why"] for p in purges.values()} == {"account deleted"}
    [withdrawn] = [e for e in await log_entries(runtime, "consent.withdrawn")]
    assert withdrawn["data"] == {"user": student.id}


async def test_a_deleted_account_is_no_user_any_more(
    client: httpx.AsyncClient, runtime: Runtime, story: AttendedLesson, admin: Person
) -> None:
    student = story.live.student

    await client.delete(f"/api/v1/users/{student.id}", headers=admin.headers)

    signed = await client.post(
        "/api/v1/auth/login", json={"email": student.user.email, "password": PASSWORD}
    )
    assert signed.status_code == 401
    assert (
        await client.get(f"/api/v1/users/{student.id}", headers=admin.headers)
    ).status_code == 404
    again = await client.delete(f"/api/v1/users/{student.id}", headers=admin.headers)
    assert again.status_code == 404
    listed = await client.get("/api/v1/users", headers=admin.headers, params={"limit": 200})
    assert student.id not in {row["id"] for row in listed.json()}
    other = story.live.students[1]
    assert await templates_of(runtime, other.id) == 1  # nobody else's data went


async def test_the_database_refuses_to_delete_a_person_with_evidence(
    runtime: Runtime, story: AttendedLesson
) -> None:
    """The foreign keys of the evidence restrict: a stray DELETE cannot cascade it away."""
    with pytest.raises(IntegrityError):
        async with transaction(runtime.session_factory) as db:
            await db.execute(sa.delete(User).where(User.id == story.live.student.id))
    async with transaction(runtime.session_factory) as db:
        decisions = await db.scalar(
            sa.select(sa.func.count(AttendanceDecision.id)).where(
                AttendanceDecision.user_id == story.live.student.id
            )
        )
    assert decisions == 1


async def test_a_picture_the_store_could_not_delete_goes_with_the_next_sweep(
    client: httpx.AsyncClient,
    runtime: Runtime,
    settings: Settings,
    story: AttendedLesson,
    admin: Person,
) -> None:
    working = runtime.blobs
    runtime.blobs = BlobStore.from_settings(
        "s3://no-such-bucket?endpoint=http://127.0.0.1:9&allow_http=true", settings.data_dir
    )
    deleted = await client.delete(f"/api/v1/users/{story.live.student.id}", headers=admin.headers)
    runtime.blobs = working
    assert deleted.status_code == 204
    assert len(stored_blobs(settings.data_dir)) == 3 and await queued_deletions(runtime) == 3

    swept = runtime.worker.tasks["retention"].call_local()

    assert swept == 3
    assert stored_blobs(settings.data_dir) == [] and await queued_deletions(runtime) == 0


async def test_every_frame_of_a_liveness_burst_goes_with_the_account(
    client: httpx.AsyncClient,
    runtime: Runtime,
    clock: FakeClock,
    settings: Settings,
    admin: Person,
) -> None:
    live = await live_lesson(client, runtime, clock, liveness_checks=None)
    entry = (await join(client, live, live.student))["challenge"]
    frames = [small_jpeg((40 * n, 90, 150), size=200) for n in range(5)]
    sent = await upload_burst(client, live, live.student, entry, frames)
    assert len(stored_blobs(settings.data_dir)) == 5

    deleted = await client.delete(f"/api/v1/users/{live.student.id}", headers=admin.headers)

    assert deleted.status_code == 204
    capture = await load_capture(runtime, sent.json()["capture_id"])
    assert (capture.blob_key, capture.frame_keys) == (None, None)
    assert stored_blobs(settings.data_dir) == [] and await queued_deletions(runtime) == 0


async def test_the_persons_appeals_go_with_the_account_and_the_log_keeps_only_hashes(
    client: httpx.AsyncClient, runtime: Runtime, story: AttendedLesson, admin: Person
) -> None:
    """The student who never came appealed their absence: their words are theirs."""
    absent = story.live.students[1]
    reason = "My camera broke; the instructor saw me on the call."
    [decision] = (await client.get(story.live.url("attendance"), headers=absent.headers)).json()
    url = f"/api/v1/decisions/{decision['id']}/appeals"
    filed = await client.post(url, json={"reason": reason}, headers=absent.headers)
    assert filed.status_code == 201, filed.text

    await client.delete(f"/api/v1/users/{absent.id}", headers=admin.headers)

    listed = await client.get("/api/v1/appeals", headers=story.live.instructor.headers)
    assert listed.json() == []
    async with transaction(runtime.session_factory) as db:
        appeals = await db.scalar(sa.select(sa.func.count(AttendanceAppeal.id)))
        kept = await db.get_one(AttendanceDecision, decision["id"])
    assert appeals == 0 and kept.decision == "ABSENT"
    purges = [e["data"] for e in await log_entries(runtime, "data.purged")]
    assert {"user": absent.id, "what": "attendance appeals", "why": "account deleted",
            "count": 1} in purges  # fmt: skip
    [filing] = await log_entries(runtime, "appeal.filed")
    assert filing["data"]["student"] == absent.id
    async with transaction(runtime.session_factory) as db:
        log_text = " ".join((await db.scalars(sa.select(EvidenceEntry.entry))).all())
    assert reason not in log_text


async def test_the_api_refuses_an_admin_deleting_their_own_account(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await signed_in(client, runtime, Role.ADMIN)

    own = await client.delete(f"/api/v1/users/{admin.id}", headers=admin.headers)

    assert own.status_code == 409
    assert "You cannot delete your own account" in own.json()["detail"]
