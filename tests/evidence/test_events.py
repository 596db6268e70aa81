"""A lesson told through the API leaves its evidence in the log: consent, the picture's
hash, the verdict, the review, the decision, and a checkpoint signed at the stop."""

import json
from typing import Any

import httpx
from sqlalchemy import select

from tests.presence.live import join, live_lesson, small_jpeg, upload
from tests.support.clock import FakeClock
from trust_lesson.db import transaction
from trust_lesson.evidence import checkpoint, merkle
from trust_lesson.evidence.verify import verify_log
from trust_lesson.models import Capture, EvidenceCheckpoint, EvidenceEntry
from trust_lesson.presence.judging import Judgement
from trust_lesson.presence.verdict_job import write_verdict
from trust_lesson.presence.verdicts import Verdict
from trust_lesson.runtime import Runtime


async def _entries(runtime: Runtime) -> list[dict[str, Any]]:
    async with transaction(runtime.session_factory) as db:
        rows = await db.scalars(select(EvidenceEntry).order_by(EvidenceEntry.index))
        return [json.loads(row.entry) for row in rows]


async def test_a_lesson_leaves_every_event_in_the_signed_log(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(client, runtime, clock, students=1)
    student = live.student
    consent = f"/api/v1/users/{student.id}/consent"
    assert (await client.post(consent, json={}, headers=student.headers)).status_code == 201
    challenge = (await join(client, live, student))["challenge"]
    uploaded = await upload(client, live, student, challenge, small_jpeg())
    capture_id = uploaded.json()["capture_id"]
    async with transaction(runtime.session_factory) as db:
        grey = Judgement(Verdict.NEEDS_REVIEW, ["similarity in the grey zone"], similarity=87.25)
        assert await write_verdict(db=db, capture_id=capture_id, judgement=grey, now=clock.now)
        sha256 = (await db.get_one(Capture, capture_id)).sha256
    reviewed = await client.post(
        f"/api/v1/captures/{capture_id}/review",
        json={"decision": "VERIFIED", "reason": "the same person, seen on the call"},
        headers=live.instructor.headers,
    )
    assert reviewed.status_code in (200, 201), reviewed.text
    assert (await client.delete(consent, headers=student.headers)).status_code == 204
    stopped = await client.post(live.url("stop"), headers=live.instructor.headers)
    assert stopped.status_code == 200

    entries = await _entries(runtime)
    assert [e["type"] for e in entries] == [
        "consent.given",
        "capture.received",
        "capture.judged",
        "capture.reviewed",
        "consent.withdrawn",
        "attendance.decided",
    ]
    received, judged, review, decided = entries[1], entries[2], entries[3], entries[5]
    assert received["data"] == {
        "capture": capture_id, "lesson": live.lesson_id, "student": student.id,
        "challenge": challenge["id"], "sha256": sha256, "bytes": received["data"]["bytes"],
    }  # fmt: skip
    assert (received["actor"], received["address"]) == (student.id, "127.0.0.1")
    assert judged["data"] == {
        "capture": capture_id, "verdict": "NEEDS_REVIEW",
        "reasons": ["similarity in the grey zone"], "similarity": 87.25,
    }  # fmt: skip
    assert review["actor"] == live.instructor.id
    assert review["data"]["verdict"] == "VERIFIED"
    assert decided["data"]["student"] == student.id
    assert decided["data"]["lesson"] == live.lesson_id

    async with transaction(runtime.session_factory) as db:
        signed = (await db.scalars(select(EvidenceCheckpoint))).one()
        report = await verify_log(db, runtime.school_keys.public)
    head = checkpoint.open_checkpoint(signed.note, runtime.school_keys.public.trusted())
    assert head.size == len(entries) == report.entries and report.valid
    assert head.signed_at == clock.now.replace(microsecond=0)
    assert head.root != merkle.EMPTY_ROOT
