"""Identity stories: the Utopia specimen's holder as a record, and the routes' addresses."""

import asyncio
import time
from typing import Any

import httpx
from sqlalchemy import update

from tests.support.factories import Person
from trust_lesson.db import transaction
from trust_lesson.models import IdentityVerification, VerificationStatus
from trust_lesson.runtime import Runtime

# The ICAO 9303 "Utopia" passport specimen (../shared/testdata/id_documents, passport-td3.*):
# what its holder would type. A passport prints no parent's name.
ANNA = {
    "document_number": "L898902C3",
    "document_type": "PASSPORT",
    "full_name": "Anna Maria Eriksson",
    "parent_full_name": "Erik Eriksson",
    "birth_date": "1974-08-12",
    "expiry_date": "2012-04-15",
    "country": "UTO",
}


def identity_url(person: Person) -> str:
    return f"/api/v1/users/{person.id}/identity"


async def put_record(
    client: httpx.AsyncClient, person: Person, record: dict[str, Any], *, by: Person | None = None
) -> httpx.Response:
    return await client.put(identity_url(person), json=record, headers=(by or person).headers)


def verifications_url(person: Person) -> str:
    return f"/api/v1/users/{person.id}/identity/verifications"


def verification_url(verification_id: int) -> str:
    return f"/api/v1/identity-verifications/{verification_id}"


async def ready_to_verify(
    client: httpx.AsyncClient, person: Person, record: dict[str, Any]
) -> None:
    """The record written and biometric consent given: what a verification needs first."""
    assert (await put_record(client, person, record)).status_code == 200
    consent = await client.post(f"/api/v1/users/{person.id}/consent", headers=person.headers)
    assert consent.status_code == 201, consent.text


async def send_pictures(
    client: httpx.AsyncClient,
    person: Person,
    document: bytes,
    selfie: bytes,
    document_back: bytes | None = None,
) -> httpx.Response:
    files = {
        "document": ("document.jpg", document, "image/jpeg"),
        "selfie": ("selfie.jpg", selfie, "image/jpeg"),
    }
    if document_back is not None:
        files["document_back"] = ("back.jpg", document_back, "image/jpeg")
    return await client.post(verifications_url(person), files=files, headers=person.headers)


async def verify(client: httpx.AsyncClient, person: Person, document: bytes, selfie: bytes) -> int:
    response = await send_pictures(client, person, document, selfie)
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "PENDING"
    verification_id: int = response.json()["id"]
    return verification_id


async def outcome(
    client: httpx.AsyncClient, person: Person, verification_id: int, within_s: float = 120
) -> dict[str, Any]:
    """The verification once the worker has read it (polled as a client would)."""
    deadline = time.monotonic() + within_s
    while True:
        response = await client.get(verification_url(verification_id), headers=person.headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if body["status"] != "PENDING" or time.monotonic() > deadline:
            return body
        await asyncio.sleep(0.25)


async def read_by_worker(runtime: Runtime, verification_id: int) -> None:
    """What the worker leaves when a person must look (its own stories run the models)."""
    async with transaction(runtime.session_factory) as db:
        await db.execute(
            update(IdentityVerification)
            .where(IdentityVerification.id == verification_id)
            .values(
                status=VerificationStatus.NEEDS_REVIEW,
                machine_status=VerificationStatus.NEEDS_REVIEW,
                reasons=["selfie: similarity 87.0 between 85 and 90: kept for human review"],
                portrait_similarity=87.0,
            )
        )
