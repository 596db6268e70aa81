"""Withdrawing consent deletes the document portrait's descriptor too (R24); enrolment then
waits for a new verification, so a withdrawal never opens the door to enrolling someone else."""

from datetime import UTC, datetime

import httpx
import numpy as np
from sqlalchemy import select

from tests.biometrics.conftest import files, jpeg
from tests.identity.stories import ANNA, ready_to_verify
from tests.support.factories import Person, signed_in
from trust_lesson.biometrics.service import embedding_bytes
from trust_lesson.db import transaction
from trust_lesson.identity.records import current_record
from trust_lesson.models import IdentityVerification, VerificationStatus
from trust_lesson.runtime import Runtime


async def verified_with_portrait(runtime: Runtime, person: Person) -> None:
    """What the worker leaves after a VERIFIED reading (its own stories run the models)."""
    portrait = np.random.default_rng(5).normal(0, 0.1, 128).astype(np.float32)
    async with transaction(runtime.session_factory) as db:
        record = await current_record(db=db, user_id=person.id)
        assert record is not None
        db.add(
            IdentityVerification(
                user_id=person.id, record_id=record.id, status=VerificationStatus.VERIFIED,
                machine_status=VerificationStatus.VERIFIED, reasons=[], fields=[],
                not_match_fields=[], not_found_fields=[], portrait_similarity=94.0,
                portrait_embedding=embedding_bytes(portrait), attempts=1,
                created_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
            )
        )  # fmt: skip


async def portraits_kept(runtime: Runtime, person: Person) -> list[bytes | None]:
    async with transaction(runtime.session_factory) as db:
        query = select(IdentityVerification.portrait_embedding).where(
            IdentityVerification.user_id == person.id
        )
        return list((await db.execute(query)).scalars())


async def test_withdrawal_deletes_the_portrait_and_enrolment_waits_for_a_new_verification(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    anna = await signed_in(client, runtime)
    await ready_to_verify(client, anna, ANNA)
    await verified_with_portrait(runtime, anna)
    consent = f"/api/v1/users/{anna.id}/consent"

    withdrawn = await client.delete(consent, headers=anna.headers)
    await client.post(consent, headers=anna.headers)
    enrolment = await client.post(
        f"/api/v1/users/{anna.id}/face-enrolment",
        files=files(jpeg(np.full((480, 640, 3), 128, dtype=np.uint8))),
        headers=anna.headers,
    )

    assert withdrawn.status_code == 204
    assert await portraits_kept(runtime, anna) == [None]
    assert enrolment.status_code == 409 and enrolment.json()["code"] == "identity_portrait_gone"
    assert "verify your identity again" in enrolment.json()["detail"]
