"""Identity outcomes in the evidence log: the worker's outcome (once, however often a job
runs), a verification given up to a person, and a reviewer's decision with its reason; the
entries name fields, never the document's values."""

import json
from typing import Any

import httpx
import numpy as np
from sqlalchemy import select, update

from tests.biometrics.conftest import jpeg
from tests.identity.stories import ANNA, ready_to_verify, verification_url, verify
from tests.identity.test_sweeps import sweep
from tests.identity.test_verification_reviews import school
from tests.support.clock import FakeClock
from trust_lesson.db import transaction
from trust_lesson.evidence.verify import verify_log
from trust_lesson.identity.comparison import (
    FieldComparison,
    FieldStatus,
    IdentityComparison,
    Source,
)
from trust_lesson.identity.examination import Examination, PortraitCheck, SelfieFace
from trust_lesson.identity.outcome import Outcome, outcome_of
from trust_lesson.identity.sweeps import GAVE_UP
from trust_lesson.identity.verification_job import save_outcome
from trust_lesson.models import EvidenceEntry, IdentityVerification, VerificationStatus
from trust_lesson.presence.sweeps import MAX_ATTEMPTS, STUCK_AFTER
from trust_lesson.presence.verdicts import Verdict
from trust_lesson.runtime import Runtime
from trust_lesson.worker.worker import TaskResources

PAGE = np.full((600, 900, 3), 200, dtype=np.uint8)
EXPIRED = Outcome(VerificationStatus.REJECTED, ["document expired on 2012-04-15"])


async def _identity_entries(runtime: Runtime) -> list[dict[str, Any]]:
    async with transaction(runtime.session_factory) as db:
        rows = await db.scalars(select(EvidenceEntry).order_by(EvidenceEntry.index))
        entries = [json.loads(row.entry) for row in rows]
    return [entry for entry in entries if entry["type"].startswith("identity.")]


async def test_outcomes_and_decisions_are_logged_with_their_event(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    s = await school(client, runtime)
    await ready_to_verify(client, s.student, ANNA)
    resources = TaskResources(runtime.engine, runtime.session_factory, runtime.blobs)
    read = await verify(client, s.student, jpeg(PAGE), jpeg(PAGE[:400, :400]))
    first = await save_outcome(resources, read, EXPIRED, None, clock.now)
    again = await save_outcome(resources, read, EXPIRED, None, clock.now)  # a retried job
    stuck = await verify(client, s.student, jpeg(PAGE), jpeg(PAGE[:300, :300]))
    async with transaction(runtime.session_factory) as db:
        await db.execute(
            update(IdentityVerification)
            .where(IdentityVerification.id == stuck)
            .values(attempts=MAX_ATTEMPTS)
        )
    clock.advance(seconds=STUCK_AFTER.total_seconds())
    await sweep(runtime)
    decided = await client.post(
        f"{verification_url(stuck)}/review",
        json={"decision": "VERIFIED", "reason": "passport shown on the call"},
        headers=s.teacher.headers,
    )

    assert (first, again, decided.status_code) == (True, False, 200)
    judged, gave_up, reviewed = await _identity_entries(runtime)
    assert judged["data"] == {
        "verification": read, "user": s.student.id, "status": "REJECTED",
        "reasons": ["document expired on 2012-04-15"], "not_match_fields": [],
        "not_found_fields": [], "portrait_similarity": None,
    }  # fmt: skip
    assert judged["actor"] is None
    assert (gave_up["data"]["verification"], gave_up["data"]["status"]) == (stuck, "NEEDS_REVIEW")
    assert gave_up["data"]["reasons"] == [GAVE_UP]
    assert reviewed["actor"] == s.teacher.id
    assert reviewed["data"] | {"review": 0} == {
        "verification": stuck, "user": s.student.id, "review": 0, "decision": "VERIFIED",
        "reason": "passport shown on the call",
    }  # fmt: skip
    async with transaction(runtime.session_factory) as db:
        assert (await verify_log(db, runtime.school_keys.public)).valid


async def test_a_decision_refused_leaves_no_entry(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    s = await school(client, runtime)
    await ready_to_verify(client, s.student, ANNA)
    pending = await verify(client, s.student, jpeg(PAGE), jpeg(PAGE[:400, :400]))

    refused = await client.post(
        f"{verification_url(pending)}/review",
        json={"decision": "VERIFIED", "reason": "too early"},
        headers=s.teacher.headers,
    )

    assert refused.status_code == 409
    assert await _identity_entries(runtime) == []


def _verified_examination(selfie: np.ndarray) -> Examination:
    """What the worker's examination holds for a matching document (the models' stories are
    test_verification_worker.py; here the outcome's writing alone)."""
    number = FieldComparison(
        "document_number", "L898902C3", "L898902C3", Source.MRZ, 0.88, FieldStatus.MATCH
    )
    parent = FieldComparison("parent_full_name", "Erik Eriksson", None, None, 0.0,
                             FieldStatus.NOT_FOUND)  # fmt: skip
    face = SelfieFace(selfie, "c" * 64, "e" * 16)
    portrait = PortraitCheck(Verdict.VERIFIED, ["selfie: similarity 94.0 >= 90"], 94.0, face)
    return Examination(IdentityComparison((number, parent), ()), True, portrait, selfie)


async def test_a_verified_outcome_is_logged_and_its_selfie_becomes_the_first_template(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    s = await school(client, runtime)
    await ready_to_verify(client, s.student, ANNA)
    resources = TaskResources(runtime.engine, runtime.session_factory, runtime.blobs)
    sent = await verify(client, s.student, jpeg(PAGE), jpeg(PAGE[:400, :400]))
    selfie = np.linspace(-1, 1, 128, dtype=np.float32)
    examination = _verified_examination(selfie)

    written = await save_outcome(resources, sent, outcome_of(examination), examination, clock.now)

    enrolment = f"/api/v1/users/{s.student.id}/face-enrolment"
    enrolled = (await client.get(enrolment, headers=s.student.headers)).json()
    [judged] = await _identity_entries(runtime)
    assert written and enrolled["templates"] == 1
    assert judged["data"]["status"] == "VERIFIED"
    assert judged["data"]["not_found_fields"] == ["parent_full_name"]
    assert judged["data"]["portrait_similarity"] == 94.0
    assert "L898902C3" not in json.dumps(judged)
