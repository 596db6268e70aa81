"""Every verification reaches one outcome: a lost job is enqueued again, an endless one ends
with a person."""

import asyncio

import httpx
import numpy as np
from sqlalchemy import update

from tests.biometrics.conftest import jpeg
from tests.identity.stories import ANNA, ready_to_verify, verification_url, verify
from tests.support.clock import FakeClock
from tests.support.factories import signed_in
from trust_lesson.db import transaction
from trust_lesson.identity.sweeps import GAVE_UP
from trust_lesson.models import IdentityVerification
from trust_lesson.presence.sweeps import MAX_ATTEMPTS, STUCK_AFTER
from trust_lesson.runtime import Runtime

SWEEP = "resubmit-identity-verifications"
PAGE = np.full((600, 900, 3), 200, dtype=np.uint8)


async def sweep(runtime: Runtime) -> int:
    result: int = await asyncio.to_thread(runtime.worker.tasks[SWEEP].call_local)
    return result


async def test_a_verification_whose_job_was_lost_is_enqueued_again(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    anna = await signed_in(client, runtime)
    await ready_to_verify(client, anna, ANNA)
    await verify(client, anna, jpeg(PAGE), jpeg(PAGE[:400, :400]))
    runtime.worker.huey.flush()  # the job is lost
    clock.advance(seconds=STUCK_AFTER.total_seconds() - 1)
    assert await sweep(runtime) == 0

    clock.advance(seconds=1)
    resubmitted = await sweep(runtime)

    assert resubmitted == 1
    assert runtime.worker.huey.pending_count() == 1


async def test_a_verification_that_keeps_failing_goes_to_review_with_the_reason(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    anna = await signed_in(client, runtime)
    await ready_to_verify(client, anna, ANNA)
    verification_id = await verify(client, anna, jpeg(PAGE), jpeg(PAGE[:400, :400]))
    async with transaction(runtime.session_factory) as db:
        await db.execute(
            update(IdentityVerification)
            .where(IdentityVerification.id == verification_id)
            .values(attempts=MAX_ATTEMPTS)
        )
    clock.advance(seconds=STUCK_AFTER.total_seconds())

    assert await sweep(runtime) == 0
    body = (await client.get(verification_url(verification_id), headers=anna.headers)).json()
    assert (body["status"], body["reasons"]) == ("NEEDS_REVIEW", [GAVE_UP])
