"""Steps of the biometric stories, through the public API."""

from typing import Any

import httpx
import numpy as np

from tests.support.factories import Person
from trust_lesson.biometrics import service
from trust_lesson.db import transaction
from trust_lesson.runtime import Runtime


def consent_url(person: Person) -> str:
    return f"/api/v1/users/{person.id}/consent"


def enrolment_url(person: Person) -> str:
    return f"/api/v1/users/{person.id}/face-enrolment"


async def give_consent(client: httpx.AsyncClient, person: Person) -> dict[str, Any]:
    response = await client.post(consent_url(person), headers=person.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def enrol(
    client: httpx.AsyncClient, person: Person, images: list[tuple[str, Any]]
) -> httpx.Response:
    return await client.post(enrolment_url(person), files=images, headers=person.headers)


async def enrolment(client: httpx.AsyncClient, person: Person) -> dict[str, Any]:
    response = await client.get(enrolment_url(person), headers=person.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def references(runtime: Runtime, person: Person) -> list[np.ndarray]:
    async with transaction(runtime.session_factory) as db:
        return await service.reference_embeddings(db=db, user_id=person.id)
