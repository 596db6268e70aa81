"""Face enrolment with real selfies: templates stored, never shown, gone with the consent."""

from pathlib import Path

import httpx
import numpy as np
import pytest

from tests.biometrics.conftest import (
    GROUP_PHOTO,
    JOLIE,
    NO_FACE,
    PERRY,
    assert_no_embedding,
    files,
    read,
)
from tests.biometrics.stories import (
    consent_url,
    enrol,
    enrolment,
    enrolment_url,
    give_consent,
    references,
)
from tests.support.factories import signed_in
from trust_lesson.models import Role
from trust_lesson.runtime import Runtime

pytestmark = pytest.mark.slow


async def test_a_student_enrols_with_two_selfies_and_is_enrolled(
    client: httpx.AsyncClient, runtime: Runtime, astronaut_selfies: list[bytes]
) -> None:
    alice = await signed_in(client, runtime)
    consent = await give_consent(client, alice)

    response = await enrol(client, alice, files(*astronaut_selfies))
    state = await client.get(enrolment_url(alice), headers=alice.headers)

    assert response.status_code == 201, response.text
    assert state.json() == response.json()
    assert state.json()["enrolled"] is True and state.json()["templates"] == 2
    assert state.json()["enrolled_at"] is not None
    assert state.json()["consent"]["id"] == consent["id"]
    for answer in (response, state):
        assert_no_embedding(answer)
    faces = await references(runtime, alice)
    assert len(faces) == 2
    assert all(face.shape == (128,) and face.dtype == np.float32 for face in faces)


async def test_real_selfies_are_enrolled_and_a_new_enrolment_replaces_them(
    client: httpx.AsyncClient, runtime: Runtime, testdata: Path
) -> None:
    alice = await signed_in(client, runtime)
    await give_consent(client, alice)

    first = await enrol(client, alice, files(*read(testdata, *JOLIE)))
    before = await references(runtime, alice)
    second = await enrol(client, alice, files(*read(testdata, *JOLIE[:1])))

    assert first.status_code == 201 and first.json()["templates"] == 3, first.text
    assert second.status_code == 201 and second.json()["templates"] == 1, second.text
    after = await references(runtime, alice)
    assert len(before) == 3 and len(after) == 1
    assert np.array_equal(after[0], before[0])


@pytest.mark.parametrize(
    ("pictures", "expected"),
    [
        ((GROUP_PHOTO,), ["image 1 (couple.jpg)", "2 faces", "only you"]),
        ((NO_FACE,), ["image 1 (coffee.png)", "no face found"]),
        ((JOLIE[0], PERRY), ["image 1 (img2.jpg) and image 2 (img27.jpg)", "same person"]),
        ((JOLIE[0], NO_FACE, GROUP_PHOTO), ["image 2 (coffee.png)", "image 3 (couple.jpg)"]),
    ],
    ids=["group photo", "no face", "two people", "two bad of three"],
)
async def test_selfies_that_fail_the_checks_are_refused_with_reasons_and_nothing_is_stored(
    client: httpx.AsyncClient,
    runtime: Runtime,
    testdata: Path,
    pictures: tuple[str, ...],
    expected: list[str],
) -> None:
    alice = await signed_in(client, runtime)
    await give_consent(client, alice)

    response = await enrol(client, alice, files(*read(testdata, *pictures)))

    assert response.status_code == 422, response.text
    assert response.json()["code"] == "enrolment_refused"
    for words in expected:
        assert words in response.json()["detail"]
    assert (await enrolment(client, alice))["templates"] == 0
    assert await references(runtime, alice) == []


async def test_a_refused_enrolment_keeps_the_earlier_templates(
    client: httpx.AsyncClient, runtime: Runtime, testdata: Path
) -> None:
    alice = await signed_in(client, runtime)
    await give_consent(client, alice)
    await enrol(client, alice, files(*read(testdata, *JOLIE[:2])))

    refused = await enrol(client, alice, files(*read(testdata, JOLIE[2], PERRY)))

    assert refused.status_code == 422
    assert (await enrolment(client, alice))["templates"] == 2


async def test_withdrawing_consent_deletes_the_enrolment(
    client: httpx.AsyncClient, runtime: Runtime, astronaut_selfies: list[bytes]
) -> None:
    alice = await signed_in(client, runtime)
    await give_consent(client, alice)
    assert (await enrol(client, alice, files(*astronaut_selfies))).status_code == 201

    withdrawn = await client.delete(consent_url(alice), headers=alice.headers)
    state = await enrolment(client, alice)

    assert withdrawn.status_code == 204
    assert state == {**state, "enrolled": False, "templates": 0, "consent": None}
    assert await references(runtime, alice) == []
    again = await enrol(client, alice, files(*astronaut_selfies))
    assert again.status_code == 409


async def test_an_admin_reads_and_removes_an_enrolment_but_others_see_nothing(
    client: httpx.AsyncClient, runtime: Runtime, astronaut_selfies: list[bytes]
) -> None:
    alice = await signed_in(client, runtime)
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    admin = await signed_in(client, runtime, Role.ADMIN)
    await give_consent(client, alice)
    await enrol(client, alice, files(*astronaut_selfies))

    by_teacher = await client.get(enrolment_url(alice), headers=teacher.headers)
    by_admin = await client.get(enrolment_url(alice), headers=admin.headers)
    removed = await client.delete(enrolment_url(alice), headers=admin.headers)

    assert by_teacher.status_code == 404 and "templates" not in by_teacher.text
    assert by_admin.status_code == 200 and by_admin.json()["templates"] == 2
    assert_no_embedding(by_admin)
    assert removed.status_code == 204
    assert (await enrolment(client, alice))["enrolled"] is False
    assert await references(runtime, alice) == []
