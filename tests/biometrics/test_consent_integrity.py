"""Issue 8/4 (R24): one active consent under races, and only to a text that was published."""

import asyncio

import httpx
import pytest

from tests.biometrics.conftest import files
from tests.biometrics.stories import consent_url, enrol, enrolment
from tests.support.factories import signed_in
from trust_lesson.biometrics.service import CONSENT_TEXT
from trust_lesson.runtime import Runtime


async def test_parallel_consents_leave_one_and_a_withdrawal_leaves_none(
    client: httpx.AsyncClient, runtime: Runtime, astronaut_selfies: list[bytes]
) -> None:
    alice = await signed_in(client, runtime)

    answers = await asyncio.gather(
        *(client.post(consent_url(alice), headers=alice.headers) for _ in range(8))
    )
    withdrawn = await client.delete(consent_url(alice), headers=alice.headers)
    state = (await client.get(consent_url(alice), headers=alice.headers)).json()
    enrolled = await enrol(client, alice, files(*astronaut_selfies))

    assert sorted(a.status_code for a in answers) == [201] + [409] * 7, [a.text for a in answers]
    assert withdrawn.status_code == 204
    assert state["active"] is None
    assert [item["withdrawn_at"] is not None for item in state["history"]] == [True]
    assert enrolled.status_code == 409 and enrolled.json()["code"] == "consent_required"
    assert (await enrolment(client, alice))["templates"] == 0


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"text_version": "1999-01"}, "not a published consent text"),
        ({"purpose": "Anything at all, e.g. selling my face."}, "published purpose"),
        (
            {"text_version": CONSENT_TEXT.text_version, "purpose": "Something else."},
            "published purpose",
        ),
    ],
    ids=["invented version", "invented purpose", "current version, other purpose"],
)
async def test_consent_to_an_invented_text_or_purpose_is_refused(
    client: httpx.AsyncClient, runtime: Runtime, body: dict[str, str], says: str
) -> None:
    alice = await signed_in(client, runtime)

    response = await client.post(consent_url(alice), json=body, headers=alice.headers)
    state = (await client.get(consent_url(alice), headers=alice.headers)).json()

    assert response.status_code == 422
    assert says in response.json()["detail"]
    assert state["active"] is None and state["history"] == []
