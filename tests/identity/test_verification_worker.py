"""Done when 1 and 2: the shared specimens through the API and the real worker (slow).

The service clock stands before a specimen's expiry where the story needs a valid document.
The portrait stories use a specimen built in the test (tests/identity/specimens.py): the
Utopia passport whose photo area holds a real face of the shared face set (deepface's img2),
checked against another photo of the same person (img4) and of another person (img27).
Anchored enrolment follows a verified identity: another person's selfie is refused, a third
photo of the holder (img5) accepted.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from tests.biometrics.conftest import files, read
from tests.identity.specimens import (
    BAD_DIGIT_CARD,
    HOLDER,
    HOLDER_AGAIN,
    HOLDER_THIRD,
    JON,
    SOMEONE_ELSE,
    passport_with_face,
)
from tests.identity.stories import ANNA, outcome, ready_to_verify, verify
from tests.support.clock import FakeClock
from tests.support.factories import signed_in
from trust_lesson.runtime import Runtime

pytestmark = pytest.mark.slow
BEFORE_UTOPIA_EXPIRY = datetime(2011, 6, 1, 9, 0, tzinfo=UTC)  # it expires on 2012-04-15


@pytest.fixture
def consumer(runtime: Runtime) -> Iterator[None]:
    runtime.worker.start_embedded(workers=1)
    yield
    runtime.worker.close()


@pytest.fixture
def holder_passport(testdata: Path) -> bytes:
    return passport_with_face(testdata, HOLDER)


async def test_a_record_matching_the_specimen_with_the_holders_selfie_is_verified(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock, testdata: Path,
    holder_passport: bytes, consumer: None,
) -> None:  # fmt: skip
    clock.now = BEFORE_UTOPIA_EXPIRY
    anna = await signed_in(client, runtime)
    await ready_to_verify(client, anna, ANNA)

    body = await outcome(
        client,
        anna,
        await verify(client, anna, holder_passport, (testdata / HOLDER_AGAIN).read_bytes()),
    )

    assert body["status"] == "VERIFIED", body["reasons"]
    printed = {f["field"]: f for f in body["fields"] if f["status"] != "NOT_FOUND"}
    assert {name: f["status"] for name, f in printed.items()} == {
        "document_number": "MATCH", "document_type": "MATCH", "full_name": "MATCH",
        "birth_date": "MATCH", "expiry_date": "MATCH", "country": "MATCH",
    }  # fmt: skip
    assert printed["document_number"]["document_value"] == "L898902C3"
    assert printed["document_number"]["source"] == "MRZ"
    assert body["not_match_fields"] == []
    # A passport prints no parent's name: found nowhere, and it decides nothing on its own.
    assert body["not_found_fields"] == ["parent_full_name"]
    assert body["portrait_similarity"] >= 90
    identity = await client.get(f"/api/v1/users/{anna.id}/identity", headers=anna.headers)
    assert identity.json()["verified"] is True
    # She consented and had no face template: the verified selfie became the first one.
    enrolled = await client.get(f"/api/v1/users/{anna.id}/face-enrolment", headers=anna.headers)
    assert enrolled.json()["templates"] == 1


async def test_one_field_changed_in_the_record_is_named_as_not_matching(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock, testdata: Path,
    holder_passport: bytes, consumer: None,
) -> None:  # fmt: skip
    clock.now = BEFORE_UTOPIA_EXPIRY
    anna = await signed_in(client, runtime)
    await ready_to_verify(client, anna, {**ANNA, "birth_date": "1974-08-13"})

    body = await outcome(
        client,
        anna,
        await verify(client, anna, holder_passport, (testdata / HOLDER_AGAIN).read_bytes()),
    )

    assert body["not_match_fields"] == ["birth_date"]
    assert body["status"] == "REJECTED"  # the MRZ, its check digits passing, says 1974-08-12
    assert "Birth date: the document's machine-readable zone says otherwise" in body["reasons"]


async def test_a_selfie_of_another_person_does_not_match_the_portrait(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock, testdata: Path,
    holder_passport: bytes, consumer: None,
) -> None:  # fmt: skip
    clock.now = BEFORE_UTOPIA_EXPIRY
    anna = await signed_in(client, runtime)
    await ready_to_verify(client, anna, ANNA)

    body = await outcome(
        client,
        anna,
        await verify(client, anna, holder_passport, (testdata / SOMEONE_ELSE).read_bytes()),
    )

    assert body["status"] == "REJECTED"
    assert body["portrait_similarity"] < 85
    assert any("does not show the document's holder" in r for r in body["reasons"])
    assert body["not_match_fields"] == []  # the document itself is in order


async def test_an_expired_document_is_rejected(
    client: httpx.AsyncClient, runtime: Runtime, testdata: Path, holder_passport: bytes,
    consumer: None,
) -> None:  # fmt: skip
    anna = await signed_in(client, runtime)  # the service clock: March 2026
    await ready_to_verify(client, anna, ANNA)

    body = await outcome(
        client,
        anna,
        await verify(client, anna, holder_passport, (testdata / HOLDER_AGAIN).read_bytes()),
    )

    assert body["status"] == "REJECTED"
    assert "document expired on 2012-04-15" in body["reasons"]


async def test_a_specimen_printed_with_a_wrong_check_digit_is_rejected_naming_it(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock, testdata: Path,
    consumer: None,
) -> None:  # fmt: skip
    clock.now = datetime(2013, 6, 1, 9, 0, tzinfo=UTC)  # the card expires on 2014-02-20
    jon = await signed_in(client, runtime)
    await ready_to_verify(client, jon, JON)
    card = (testdata / BAD_DIGIT_CARD).read_bytes()

    body = await outcome(
        client, jon, await verify(client, jon, card, (testdata / HOLDER_AGAIN).read_bytes())
    )

    assert body["status"] == "REJECTED"
    assert "MRZ check digit wrong: composite" in body["reasons"]
    assert not any("expired" in r for r in body["reasons"])


async def test_after_a_verified_identity_only_the_documents_person_enrols_a_face(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock, testdata: Path,
    holder_passport: bytes, consumer: None,
) -> None:  # fmt: skip
    clock.now = BEFORE_UTOPIA_EXPIRY
    anna = await signed_in(client, runtime)
    await ready_to_verify(client, anna, ANNA)
    selfie = (testdata / HOLDER_AGAIN).read_bytes()
    verified = await outcome(client, anna, await verify(client, anna, holder_passport, selfie))
    assert verified["status"] == "VERIFIED", verified["reasons"]
    enrolment = f"/api/v1/users/{anna.id}/face-enrolment"

    stranger = await client.post(
        enrolment, files=files(read(testdata, SOMEONE_ELSE)[0]), headers=anna.headers
    )
    herself = await client.post(
        enrolment, files=files(read(testdata, HOLDER_THIRD)[0]), headers=anna.headers
    )

    assert stranger.status_code == 422 and stranger.json()["code"] == "not_the_verified_person"
    assert "not the person of your verified identity document" in stranger.json()["detail"]
    assert herself.status_code == 201, herself.text
    assert herself.json()["templates"] == 1
