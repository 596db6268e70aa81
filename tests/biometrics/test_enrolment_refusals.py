"""Face enrolment refused before any face is looked at: no consent, not a picture (R24, R16)."""

import struct
import zlib
from functools import partial

import anyio.from_thread
import httpx
import numpy as np
import pytest

from tests.biometrics.conftest import files
from tests.biometrics.stories import (
    consent_url,
    enrol,
    enrolment,
    enrolment_url,
    give_consent,
)
from tests.support.factories import signed_in
from trust_lesson.biometrics import service
from trust_lesson.biometrics.selfies import AcceptedSelfie, SelfieFile
from trust_lesson.models import Role
from trust_lesson.runtime import Runtime

HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def pixel_flood_png(width: int, height: int) -> bytes:
    """A tiny PNG that claims `width` x `height` pixels (R17)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 31))
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IEND", b"")


async def test_without_consent_enrolment_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, runtime: Runtime, astronaut_selfies: list[bytes]
) -> None:
    alice = await signed_in(client, runtime)

    response = await enrol(client, alice, files(*astronaut_selfies))

    assert response.status_code == 409
    assert response.json()["code"] == "consent_required"
    assert "consent" in response.json()["detail"]
    assert (await enrolment(client, alice))["templates"] == 0


async def test_a_web_page_named_like_a_picture_is_refused_by_its_content(
    client: httpx.AsyncClient, runtime: Runtime, astronaut_selfies: list[bytes]
) -> None:
    alice = await signed_in(client, runtime)
    await give_consent(client, alice)

    response = await enrol(client, alice, files(astronaut_selfies[0], ("me.jpg", HTML)))

    assert response.status_code == 415
    assert response.json()["problems"] == [
        {"images": ["image 2 (me.jpg)"], "reason": "The file is not a JPEG, PNG or WebP picture."}
    ]
    assert (await enrolment(client, alice))["templates"] == 0


async def test_pixel_floods_and_damaged_pictures_are_refused_with_their_names(
    client: httpx.AsyncClient, runtime: Runtime, astronaut_selfies: list[bytes]
) -> None:
    alice = await signed_in(client, runtime)
    await give_consent(client, alice)

    flood = await enrol(client, alice, files(("huge.png", pixel_flood_png(30_000, 30_000))))
    cut = await enrol(client, alice, files(("cut.jpg", astronaut_selfies[0][:2000])))

    assert flood.status_code == 413 and "image 1 (huge.png)" in flood.json()["detail"]
    assert cut.status_code == 422 and "image 1 (cut.jpg)" in cut.json()["detail"]
    assert (await enrolment(client, alice))["templates"] == 0


async def test_an_enrolment_takes_one_to_five_selfies(
    client: httpx.AsyncClient, runtime: Runtime, astronaut_selfies: list[bytes]
) -> None:
    alice = await signed_in(client, runtime)
    await give_consent(client, alice)

    too_many = await enrol(client, alice, files(*(astronaut_selfies * 3)))
    none = await client.post(enrolment_url(alice), headers=alice.headers)

    assert too_many.status_code == 422 and "1 to 5" in too_many.json()["detail"]
    assert none.status_code == 422


async def test_nobody_enrols_a_face_for_someone_else(
    client: httpx.AsyncClient, runtime: Runtime, astronaut_selfies: list[bytes]
) -> None:
    alice = await signed_in(client, runtime)
    bob = await signed_in(client, runtime)
    admin = await signed_in(client, runtime, Role.ADMIN)
    await give_consent(client, alice)
    images = files(*astronaut_selfies)

    by_bob = await client.post(enrolment_url(alice), files=images, headers=bob.headers)
    by_admin = await client.post(enrolment_url(alice), files=images, headers=admin.headers)
    bob_reads = await client.get(enrolment_url(alice), headers=bob.headers)
    bob_deletes = await client.delete(enrolment_url(alice), headers=bob.headers)

    assert by_bob.status_code == 404 and by_admin.status_code == 403
    assert bob_reads.status_code == 404 and "templates" not in bob_reads.text
    assert bob_deletes.status_code == 404


async def test_consent_withdrawn_while_the_selfies_are_checked_wins(
    client: httpx.AsyncClient,
    runtime: Runtime,
    astronaut_selfies: list[bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alice = await signed_in(client, runtime)
    await give_consent(client, alice)

    def withdraw_during_the_checks(selfies: list[SelfieFile]) -> list[AcceptedSelfie]:
        withdrawn = anyio.from_thread.run(
            partial(client.delete, consent_url(alice), headers=alice.headers)
        )
        assert withdrawn.status_code == 204
        return [AcceptedSelfie(s.label, np.zeros(128, np.float32), "0" * 64) for s in selfies]

    monkeypatch.setattr(service, "examine_selfies", withdraw_during_the_checks)
    response = await enrol(client, alice, files(*astronaut_selfies))

    assert response.status_code == 409
    assert (await enrolment(client, alice))["templates"] == 0
