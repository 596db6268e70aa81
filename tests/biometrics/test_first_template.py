"""The verified selfie as the first face template (issue 10): only with consent in force and
no template yet; an enrolment is never replaced (the worker's story with the real models is
tests/identity/test_verification_worker.py)."""

import httpx
import numpy as np

from tests.support.factories import Person, signed_in
from trust_lesson.biometrics import service
from trust_lesson.db import transaction
from trust_lesson.runtime import Runtime

SELFIE = np.linspace(-1, 1, 128, dtype=np.float32)


async def _adopt(runtime: Runtime, person: Person) -> bool:
    async with transaction(runtime.session_factory) as db:
        return await service.first_template_from_identity(
            db=db, user_id=person.id, selfie=SELFIE, sha256="a" * 64, phash="f" * 16,
            now=runtime.clock(),
        )  # fmt: skip


async def _templates(runtime: Runtime, person: Person) -> list[np.ndarray]:
    async with transaction(runtime.session_factory) as db:
        return await service.reference_embeddings(db=db, user_id=person.id)


async def test_the_selfie_becomes_the_first_template_only_with_consent_and_none_yet(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    anna = await signed_in(client, runtime)
    consent = f"/api/v1/users/{anna.id}/consent"

    without_consent = await _adopt(runtime, anna)
    assert (await client.post(consent, headers=anna.headers)).status_code == 201
    first = await _adopt(runtime, anna)
    enrolled = await client.get(f"/api/v1/users/{anna.id}/face-enrolment", headers=anna.headers)
    async with transaction(runtime.session_factory) as db:
        hashes = await service.enrolment_picture_hashes(db=db, user_id=anna.id)
    again = await _adopt(runtime, anna)

    assert (without_consent, first, again) == (False, True, False)
    assert enrolled.json()["templates"] == 1 and enrolled.json()["enrolled"] is True
    assert hashes == ["f" * 16]  # captures replaying the selfie are caught as replays
    [template] = await _templates(runtime, anna)
    assert np.array_equal(template, SELFIE)


async def test_an_enrolment_is_never_replaced(client: httpx.AsyncClient, runtime: Runtime) -> None:
    anna = await signed_in(client, runtime)
    assert (await client.post(f"/api/v1/users/{anna.id}/consent", headers=anna.headers)).is_success
    enrolled = np.ones(128, dtype=np.float32)
    async with transaction(runtime.session_factory) as db:
        now = runtime.clock()
        await service.replace_templates(
            db=db, user_id=anna.id, faces=[(enrolled, "b" * 64)], now=now
        )

    adopted = await _adopt(runtime, anna)

    assert adopted is False
    [template] = await _templates(runtime, anna)
    assert np.array_equal(template, enrolled)
