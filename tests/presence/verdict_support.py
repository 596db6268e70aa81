"""Real faces for the verdict stories: enrolment through the biometrics service, the task run."""

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from tests.presence.live import LiveLesson, picture_file, upload
from tests.support.factories import Person
from trust_lesson.biometrics import service as biometrics
from trust_lesson.biometrics.schemas import ConsentGive
from trust_lesson.db import transaction
from trust_lesson.presence.tasks import run_verdict
from trust_lesson.presence.verdicts import Verdict
from trust_lesson.runtime import Runtime
from trust_lesson.vision import decode_image
from trust_lesson.vision.faces import largest_face_embedding

FACES = "face_verification/face_recognition/"


def face_template(testdata: Path, relative: str) -> np.ndarray:
    embedding = largest_face_embedding(decode_image((testdata / relative).read_bytes()).rgb)
    assert embedding is not None, relative
    return embedding


async def enrol_face(runtime: Runtime, person: Person, template: np.ndarray) -> None:
    """Consent, then one face template, as the biometrics service stores them."""
    now = runtime.clock()
    async with transaction(runtime.session_factory) as db:
        await biometrics.give_consent(db=db, user_id=person.id, data=ConsentGive(), now=now)
        await biometrics.replace_templates(
            db=db, user_id=person.id, faces=[(template, "0" * 64)], now=now
        )


async def send(
    client: httpx.AsyncClient,
    live: LiveLesson,
    person: Person,
    challenge: dict[str, Any],
    picture: bytes | Path,
) -> int:
    content = picture_file(picture) if isinstance(picture, Path) else picture
    response = await upload(client, live, person, challenge, content)
    assert response.status_code == 202, response.text
    capture_id: int = response.json()["capture_id"]
    return capture_id


async def judge_now(runtime: Runtime, capture_id: int) -> Verdict | None:
    """Run the verdict task body in a thread, as a worker thread would."""
    return await asyncio.to_thread(run_verdict, runtime.worker, capture_id)


async def read_capture(
    client: httpx.AsyncClient, person: Person, capture_id: int
) -> dict[str, Any]:
    response = await client.get(f"/api/v1/captures/{capture_id}", headers=person.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def wait_for_verdict(
    client: httpx.AsyncClient, person: Person, capture_id: int, within_s: float = 60
) -> dict[str, Any]:
    deadline = time.monotonic() + within_s
    while True:
        body = await read_capture(client, person, capture_id)
        if body["status"] == "DONE" or time.monotonic() > deadline:
            return body
        await asyncio.sleep(0.2)
