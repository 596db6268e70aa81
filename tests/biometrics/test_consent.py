"""Biometric consent: given, read, renewed and withdrawn only by the person (R24, R11)."""

import httpx
import numpy as np
import pytest

from tests.biometrics.stories import consent_url, give_consent, references
from tests.support.clock import FakeClock
from tests.support.factories import signed_in
from trust_lesson.biometrics import service
from trust_lesson.biometrics.schemas import ConsentText
from trust_lesson.biometrics.service import CONSENT_TEXT
from trust_lesson.db import transaction
from trust_lesson.models import Role
from trust_lesson.runtime import Runtime


async def test_a_student_gives_consent_to_the_current_text(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    alice = await signed_in(client, runtime)

    given = await give_consent(client, alice)
    state = (await client.get(consent_url(alice), headers=alice.headers)).json()

    assert given["text_version"] == CONSENT_TEXT.text_version
    assert given["purpose"] == CONSENT_TEXT.purpose
    assert given["active"] is True and given["withdrawn_at"] is None
    assert state["active"]["id"] == given["id"]
    assert [item["id"] for item in state["history"]] == [given["id"]]
    assert state["current_text"]["text"] == CONSENT_TEXT.text


async def test_consent_to_the_same_text_twice_is_refused_and_a_new_text_replaces_it(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = await signed_in(client, runtime)
    first = await give_consent(client, alice)
    newer = ConsentText(
        text_version="2027-01", purpose="Prove my attendance at driving lessons.", text="..."
    )
    monkeypatch.setattr(service, "CONSENT_TEXT", newer)  # a release publishes a new text
    monkeypatch.setattr(service, "EARLIER_CONSENT_TEXTS", (CONSENT_TEXT,))

    again = await client.post(
        consent_url(alice), json={"text_version": CONSENT_TEXT.text_version}, headers=alice.headers
    )
    clock.advance(minutes=5)
    renewed = await client.post(
        consent_url(alice),
        json={"text_version": "2027-01", "purpose": "Prove my attendance at driving lessons."},
        headers=alice.headers,
    )
    state = (await client.get(consent_url(alice), headers=alice.headers)).json()

    assert again.status_code == 409
    assert renewed.status_code == 201, renewed.text
    assert state["active"]["text_version"] == "2027-01"
    assert [item["text_version"] for item in state["history"]] == ["2027-01", first["text_version"]]
    assert state["history"][1]["withdrawn_at"] == renewed.json()["given_at"]


async def test_withdrawing_consent_keeps_the_history_and_deletes_the_templates(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    alice = await signed_in(client, runtime)
    await give_consent(client, alice)
    async with transaction(runtime.session_factory) as db:
        face = np.linspace(-0.2, 0.2, 128, dtype=np.float32)
        await service.replace_templates(
            db=db, user_id=alice.id, faces=[(face, "0" * 64)], now=clock()
        )
    assert len(await references(runtime, alice)) == 1

    clock.advance(minutes=5)
    withdrawn = await client.delete(consent_url(alice), headers=alice.headers)
    state = (await client.get(consent_url(alice), headers=alice.headers)).json()

    assert withdrawn.status_code == 204
    assert state["active"] is None
    assert state["history"][0]["withdrawn_at"] is not None
    assert await references(runtime, alice) == []
    async with transaction(runtime.session_factory) as db:
        assert await service.template_summary(db=db, user_id=alice.id) == (0, None)
    again = await client.delete(consent_url(alice), headers=alice.headers)
    assert again.status_code == 204


async def test_templates_without_an_active_consent_are_never_used(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    alice = await signed_in(client, runtime)
    async with transaction(runtime.session_factory) as db:
        face = np.ones(128, dtype=np.float32)
        await service.replace_templates(
            db=db, user_id=alice.id, faces=[(face, "1" * 64)], now=clock()
        )

    assert await references(runtime, alice) == []


async def test_others_cannot_read_give_or_withdraw_someones_consent(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    alice = await signed_in(client, runtime)
    bob = await signed_in(client, runtime)
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    await give_consent(client, alice)

    for intruder in (bob, teacher):
        for method in ("GET", "POST", "DELETE"):
            response = await client.request(method, consent_url(alice), headers=intruder.headers)
            assert response.status_code == 404, (method, response.text)
            assert "text_version" not in response.text and "given_at" not in response.text
    state = (await client.get(consent_url(alice), headers=alice.headers)).json()
    assert state["active"] is not None and len(state["history"]) == 1


async def test_an_admin_reads_consent_but_cannot_give_or_withdraw_it_for_someone(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    alice = await signed_in(client, runtime)
    carol = await signed_in(client, runtime)
    admin = await signed_in(client, runtime, Role.ADMIN)
    await give_consent(client, alice)

    read = await client.get(consent_url(alice), headers=admin.headers)
    give = await client.post(consent_url(carol), headers=admin.headers)
    withdraw = await client.delete(consent_url(alice), headers=admin.headers)

    assert read.status_code == 200 and read.json()["active"] is not None
    assert give.status_code == 403 and withdraw.status_code == 403
    assert (await client.get(consent_url(carol), headers=carol.headers)).json()["active"] is None
    assert (await client.get(consent_url(alice), headers=alice.headers)).json()["active"]


async def test_consent_refuses_unknown_fields_and_bad_versions(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    alice = await signed_in(client, runtime)

    extra = await client.post(
        consent_url(alice), json={"withdrawn_at": None, "user_id": 1}, headers=alice.headers
    )
    bad = await client.post(
        consent_url(alice), json={"text_version": "v1; drop table"}, headers=alice.headers
    )
    anonymous = await client.post(consent_url(alice))

    assert extra.status_code == 422 and bad.status_code == 422
    assert anonymous.status_code == 401
    assert (await client.get(consent_url(alice), headers=alice.headers)).json()["history"] == []
