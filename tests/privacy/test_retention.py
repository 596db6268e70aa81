"""R25, issue 11 Done-when 3: moving the service clock past each retention period deletes
the pictures and templates and keeps the hashes, verdicts, decisions and certificates, which
still verify; every purge is a log entry."""

import asyncio

import httpx
import pytest
from typer.testing import CliRunner

from tests.presence.live import load_capture, stored_blobs
from tests.privacy.stories import (
    AttendedLesson,
    attended_lesson,
    log_entries,
    log_holds,
    templates_of,
    verified_identity,
)
from tests.support.clock import FakeClock
from tests.support.presence import add_check
from tests.support.school import enrol, make_course, make_term
from trust_lesson.cli import app
from trust_lesson.db import transaction
from trust_lesson.evidence.certificate_check import check_certificate
from trust_lesson.models import AttendanceDecision, Course, IdentityVerification, Term
from trust_lesson.presence.verdicts import ChallengeKind, Verdict
from trust_lesson.runtime import Runtime
from trust_lesson.settings import Settings


def sweep(runtime: Runtime) -> int:
    purged: int = runtime.worker.tasks["retention"].call_local()
    return purged


def evidence_verify(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TL_ENV", "test")
    monkeypatch.setenv("TL_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("TL_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.delenv("TL_REDIS_URL", raising=False)
    result = CliRunner().invoke(app, ["evidence", "verify"])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
async def story(client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock) -> AttendedLesson:
    lesson = await attended_lesson(client, runtime, clock)
    await verified_identity(client, runtime, lesson.live.student, decided_at=clock.now)
    return lesson


async def test_each_kind_of_data_goes_when_its_retention_ends_and_the_evidence_stays(
    runtime: Runtime,
    settings: Settings,
    clock: FakeClock,
    story: AttendedLesson,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    student = story.live.student
    assert len(stored_blobs(settings.data_dir)) == 3  # the capture, the document, the selfie
    clock.advance(days=29)
    assert sweep(runtime) == 0

    clock.advance(days=2)  # 31 days: the identity documents' 30 are over
    assert sweep(runtime) == 1
    assert len(stored_blobs(settings.data_dir)) == 1
    async with transaction(runtime.session_factory) as db:
        [verification] = (await db.execute(IdentityVerification.__table__.select())).all()
    assert verification.status == "VERIFIED" and verification.document_key is None
    assert verification.portrait_embedding is not None  # the enrolment anchor: a template

    clock.advance(days=150)  # 181 days: the pictures' 180 are over
    assert sweep(runtime) == 1
    assert stored_blobs(settings.data_dir) == []
    capture = await load_capture(runtime, story.capture_id)
    assert (capture.blob_key, capture.verdict, len(capture.sha256)) == (None, "VERIFIED", 64)
    assert await templates_of(runtime, student.id) == 1

    clock.advance(days=3 * 365 - 181 + 1)  # three years after the last picture
    assert sweep(runtime) == 2  # both students' templates
    assert await templates_of(runtime, student.id) == 0
    async with transaction(runtime.session_factory) as db:
        [verification] = (await db.execute(IdentityVerification.__table__.select())).all()
    assert verification.portrait_embedding is None and verification.status == "VERIFIED"

    async with transaction(runtime.session_factory) as db:
        decisions = (await db.execute(AttendanceDecision.__table__.select())).all()
    assert {(d.user_id, d.decision) for d in decisions} >= {(student.id, "ATTENDED")}
    check_certificate(story.certificate, runtime.school_keys.public)
    assert await log_holds(runtime)
    output = await asyncio.to_thread(evidence_verify, settings, monkeypatch)
    assert output.startswith("valid")
    purges = [entry["data"] for entry in await log_entries(runtime, "data.purged")]
    assert [(p["what"], p["user"]) for p in purges] == [
        ("identity document pictures", student.id),
        ("capture pictures", student.id),
        ("face templates", student.id),
        ("face templates", story.live.students[1].id),
    ]
    assert purges[1]["captures"] == [story.capture_id]
    assert all(p["why"].startswith("retention: ") for p in purges)


async def test_a_course_s_shorter_retention_is_kept(
    runtime: Runtime, clock: FakeClock, story: AttendedLesson
) -> None:
    async with transaction(runtime.session_factory) as db:
        term = await db.get_one(Term, story.live.term_id)
        course = await db.get_one(Course, term.course_id)
        course.policy = {"image_retention_days": 60}
    clock.advance(days=59)
    sweep(runtime)
    assert (await load_capture(runtime, story.capture_id)).blob_key is not None

    clock.advance(days=2)
    sweep(runtime)

    assert (await load_capture(runtime, story.capture_id)).blob_key is None
    [purge] = [
        e
        for e in await log_entries(runtime, "data.purged")
        if e["data"]["what"] == "capture pictures"
    ]
    assert purge["data"]["why"] == "retention: 60 days after the picture was taken"


async def test_a_recent_picture_keeps_the_templates(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    """Activity is the newest of the enrolment and the pictures: a student who enrolled long
    ago but answered a check lately keeps their templates; the other one's go."""
    clock.advance(days=-3 * 365)
    story = await attended_lesson(client, runtime, clock, students=2)
    seen_lately, idle = story.live.students
    clock.advance(days=3 * 365 - 10)
    await add_check(
        runtime, lesson_id=story.live.lesson_id, user_id=seen_lately.id,
        kind=ChallengeKind.RANDOM, issued_at=clock.now, verdict=Verdict.VERIFIED,
    )  # fmt: skip
    clock.advance(days=11)

    sweep(runtime)

    assert await templates_of(runtime, idle.id) == 0
    assert await templates_of(runtime, seen_lately.id) == 1


async def test_templates_follow_the_longest_retention_among_the_persons_courses(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    """One enrolment serves every course: a course keeping templates 30 days purges them for
    its students, unless another course of theirs still keeps them (3 years by default)."""
    story = await attended_lesson(client, runtime, clock, students=2)
    only_here, also_elsewhere = story.live.students
    teacher = story.live.instructor
    term = (await client.get(f"/api/v1/terms/{story.live.term_id}", headers=teacher.headers)).json()
    policy = {"template_retention_days": 30, "liveness_checks": "NONE"}
    url = f"/api/v1/courses/{term['course_id']}/policy"
    assert (await client.put(url, json=policy, headers=teacher.headers)).status_code == 200
    other = await make_term(client, teacher, (await make_course(client, teacher, "Other"))["id"])
    await enrol(client, teacher, other["id"], also_elsewhere)

    clock.advance(days=29)
    sweep(runtime)
    kept = [await templates_of(runtime, p.id) for p in (only_here, also_elsewhere)]
    clock.advance(days=2)
    sweep(runtime)
    after_31_days = [await templates_of(runtime, p.id) for p in (only_here, also_elsewhere)]
    clock.advance(days=3 * 365)
    sweep(runtime)

    assert kept == [1, 1]
    assert after_31_days == [0, 1]
    assert await templates_of(runtime, also_elsewhere.id) == 0
    purges = [e["data"] for e in await log_entries(runtime, "data.purged")]
    why = "retention: {} days after the person's last activity (their courses' longest)"
    assert [(p["user"], p["why"]) for p in purges if p["what"] == "face templates"] == [
        (only_here.id, why.format(30)), (also_elsewhere.id, why.format(3 * 365)),
    ]  # fmt: skip
    assert await log_holds(runtime)
