"""Sending a document and a selfie: what is checked before anything is kept (R16, R17, R19)."""

from pathlib import Path

import httpx
import numpy as np
from sqlalchemy import func, select

from tests.biometrics.conftest import jpeg
from tests.identity.stories import ANNA, put_record, read_by_worker, ready_to_verify, send_pictures
from tests.support.clock import FakeClock
from tests.support.factories import Person, signed_in
from tests.support.hostile_pictures import flat_png
from trust_lesson.db import transaction
from trust_lesson.identity.verifications import DAILY_ATTEMPTS
from trust_lesson.models import IdentityVerification, Role
from trust_lesson.runtime import Runtime

SELFIE = jpeg(np.full((480, 640, 3), 128, dtype=np.uint8))
DOCUMENT = jpeg(np.full((880, 1334, 3), 230, dtype=np.uint8))


async def verifications_kept(runtime: Runtime, person: Person) -> int:
    async with transaction(runtime.session_factory) as db:
        query = select(func.count(IdentityVerification.id)).where(
            IdentityVerification.user_id == person.id
        )
        return int(await db.scalar(query) or 0)


def stored_files(runtime: Runtime) -> list[Path]:
    return [p for p in (runtime.settings.data_dir / "blobs").rglob("*") if p.is_file()]


async def test_a_verification_is_accepted_and_queued_with_clean_pictures(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    anna = await signed_in(client, runtime)
    await ready_to_verify(client, anna, ANNA)

    response = await send_pictures(client, anna, DOCUMENT, SELFIE, document_back=DOCUMENT)
    read = await client.get(
        f"/api/v1/identity-verifications/{response.json()['id']}", headers=anna.headers
    )

    assert response.status_code == 202, response.text
    assert read.json()["status"] == "PENDING" and read.json()["has_document_back"] is True
    files = stored_files(runtime)
    assert len(files) == 3 and all(f.suffix == ".jpg" for f in files)
    assert all("document" not in f.name and "selfie" not in f.name for f in files)


async def test_bad_files_get_clear_refusals_and_leave_nothing_behind(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    anna = await signed_in(client, runtime)
    await ready_to_verify(client, anna, ANNA)
    html = b"<html><script>alert(1)</script></html>"

    not_a_picture = await send_pictures(client, anna, html, SELFIE)
    empty = await send_pictures(client, anna, b"", SELFIE)
    flood = await send_pictures(client, anna, flat_png(8000, 6000), SELFIE)
    big_selfie = await send_pictures(client, anna, DOCUMENT, flat_png(4000, 4000))
    bad_back = await send_pictures(client, anna, DOCUMENT, SELFIE, document_back=b"\xff\xd8\xff")

    assert (not_a_picture.status_code, empty.status_code) == (415, 415)
    assert not_a_picture.json()["detail"].startswith("document: ")
    assert flood.status_code == 413 and "megapixels" in flood.json()["detail"]
    assert big_selfie.status_code == 413 and big_selfie.json()["detail"].startswith("selfie: ")
    assert bad_back.status_code == 422 and bad_back.json()["detail"].startswith("document_back")
    assert await verifications_kept(runtime, anna) == 0
    assert stored_files(runtime) == []


async def test_a_record_and_consent_come_first(client: httpx.AsyncClient, runtime: Runtime) -> None:
    anna = await signed_in(client, runtime)

    no_record = await send_pictures(client, anna, DOCUMENT, SELFIE)
    await put_record(client, anna, ANNA)
    no_consent = await send_pictures(client, anna, DOCUMENT, SELFIE)

    assert no_record.status_code == 409 and "identity record" in no_record.json()["detail"]
    assert no_consent.status_code == 409 and no_consent.json()["code"] == "consent_required"
    assert stored_files(runtime) == []


async def test_only_the_person_sends_their_pictures(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    anna = await signed_in(client, runtime)
    admin = await signed_in(client, runtime, Role.ADMIN)
    other = await signed_in(client, runtime)
    await ready_to_verify(client, anna, ANNA)

    as_admin = await client.post(
        f"/api/v1/users/{anna.id}/identity/verifications",
        files={"document": ("d.jpg", DOCUMENT), "selfie": ("s.jpg", SELFIE)},
        headers=admin.headers,
    )
    as_other = await client.post(
        f"/api/v1/users/{anna.id}/identity/verifications",
        files={"document": ("d.jpg", DOCUMENT), "selfie": ("s.jpg", SELFIE)},
        headers=other.headers,
    )

    assert (as_admin.status_code, as_other.status_code) == (403, 404)
    assert await verifications_kept(runtime, anna) == 0


async def test_one_verification_at_a_time_and_a_few_a_day(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    anna = await signed_in(client, runtime)
    await ready_to_verify(client, anna, ANNA)
    first = await send_pictures(client, anna, DOCUMENT, SELFIE)

    while_read = await send_pictures(client, anna, DOCUMENT, SELFIE)
    for _ in range(DAILY_ATTEMPTS - 1):
        await read_by_worker(runtime, first.json()["id"])
        clock.advance(minutes=1)
        first = await send_pictures(client, anna, DOCUMENT, SELFIE)
        assert first.status_code == 202, first.text
    await read_by_worker(runtime, first.json()["id"])
    too_many = await send_pictures(client, anna, DOCUMENT, SELFIE)

    assert while_read.status_code == 409 and "still being read" in while_read.json()["detail"]
    assert too_many.status_code == 429 and int(too_many.headers["Retry-After"]) > 0
    assert await verifications_kept(runtime, anna) == DAILY_ATTEMPTS
    assert len(stored_files(runtime)) == 2 * DAILY_ATTEMPTS
