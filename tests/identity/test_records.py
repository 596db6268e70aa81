"""The identity record: the person writes it until verified, admins correct it, history kept."""

from datetime import UTC, datetime

import httpx
from sqlalchemy import select

from tests.identity.stories import ANNA, identity_url, put_record
from tests.support.clock import FakeClock
from tests.support.factories import Person, signed_in
from trust_lesson.db import transaction
from trust_lesson.identity.records import current_record, write_record
from trust_lesson.identity.schemas import IdentityRecordWrite
from trust_lesson.models import IdentityRecord, IdentityVerification, Role, VerificationStatus
from trust_lesson.runtime import Runtime


async def mark_verified(runtime: Runtime, person: Person) -> None:
    """A verification that passed, as the worker (or a reviewer) leaves it."""
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    async with transaction(runtime.session_factory) as db:
        await write_record(
            db=db, caller=person.user, user=person.user, data=IdentityRecordWrite(**ANNA), now=now
        )
    await verification_sent(runtime, person, VerificationStatus.VERIFIED, at=now)


async def verification_sent(
    runtime: Runtime,
    person: Person,
    status: VerificationStatus = VerificationStatus.NEEDS_REVIEW,
    *,
    at: datetime | None = None,
) -> None:
    """A verification of the record in force, left in `status` (waiting for a reviewer)."""
    async with transaction(runtime.session_factory) as db:
        record = await current_record(db=db, user_id=person.id)
        assert record is not None
        db.add(
            IdentityVerification(
                user_id=person.id, record_id=record.id, status=status, machine_status=status,
                reasons=[], fields=[], not_match_fields=[], not_found_fields=[], attempts=1,
                created_at=at or runtime.clock(),
            )
        )  # fmt: skip


async def verification_checks_the_record(runtime: Runtime, person: Person) -> bool:
    """Whether the person's verification points at the record version in force."""
    async with transaction(runtime.session_factory) as db:
        record = await current_record(db=db, user_id=person.id)
        checked = await db.scalar(
            select(IdentityVerification.record_id).where(IdentityVerification.user_id == person.id)
        )
    return record is not None and checked == record.id


async def versions(runtime: Runtime, person: Person) -> list[tuple[str, int | None]]:
    async with transaction(runtime.session_factory) as db:
        query = (
            select(IdentityRecord.full_name, IdentityRecord.changed_by_id)
            .where(IdentityRecord.user_id == person.id)
            .order_by(IdentityRecord.id)
        )
        return [(name, by) for name, by in (await db.execute(query)).all()]


async def test_a_student_writes_their_record_and_reads_it_back(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    anna = await signed_in(client, runtime)

    written = await put_record(client, anna, {**ANNA, "country": "uto"})
    read = await client.get(identity_url(anna), headers=anna.headers)

    assert written.status_code == 200, written.text
    assert read.json() == written.json()
    body = read.json()
    assert {k: body[k] for k in ANNA} == ANNA  # the country kept as the ICAO code, upper case
    assert body["issue_date"] is None and body["region"] is None
    assert (body["versions"], body["verified"], body["changed_by_id"]) == (1, False, anna.id)


async def test_every_change_is_kept_and_the_newest_is_the_record(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    anna = await signed_in(client, runtime)
    await put_record(client, anna, {**ANNA, "full_name": "Ana Eriksson"})

    await put_record(client, anna, ANNA)
    body = (await client.get(identity_url(anna), headers=anna.headers)).json()

    assert body["full_name"] == "Anna Maria Eriksson" and body["versions"] == 2
    assert await versions(runtime, anna) == [
        ("Ana Eriksson", anna.id), ("Anna Maria Eriksson", anna.id),
    ]  # fmt: skip


async def test_saving_what_the_record_already_says_adds_no_version(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    """The verification keeps pointing at the version it checked, which is still the record."""
    anna = await signed_in(client, runtime)
    first = await put_record(client, anna, {**ANNA, "country": "uto"})
    await verification_sent(runtime, anna)
    clock.advance(minutes=5)

    again = await put_record(client, anna, ANNA)  # the country as stored: upper case

    assert again.status_code == 200, again.text
    assert again.json() == first.json()  # the same version, saved at the same moment
    assert again.json()["versions"] == 1
    assert await versions(runtime, anna) == [("Anna Maria Eriksson", anna.id)]
    assert await verification_checks_the_record(runtime, anna)


async def test_once_verified_only_an_administrator_corrects_the_record(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    anna = await signed_in(client, runtime)
    admin = await signed_in(client, runtime, Role.ADMIN)
    await mark_verified(runtime, anna)

    refused = await put_record(client, anna, {**ANNA, "birth_date": "1975-08-12"})
    corrected = await put_record(client, anna, {**ANNA, "region": "North"}, by=admin)

    assert refused.status_code == 409
    assert "ask an administrator" in refused.json()["detail"]
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["verified"] is True and corrected.json()["changed_by_id"] == admin.id
    assert [by for _, by in await versions(runtime, anna)] == [anna.id, admin.id]


async def test_nobody_else_reads_or_writes_a_record(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    anna = await signed_in(client, runtime)
    other = await signed_in(client, runtime)
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    await put_record(client, anna, ANNA)

    for stranger in (other, teacher):
        read = await client.get(identity_url(anna), headers=stranger.headers)
        write = await put_record(client, anna, ANNA, by=stranger)
        assert (read.status_code, write.status_code) == (404, 404)
        assert "Eriksson" not in read.text + write.text
    assert len(await versions(runtime, anna)) == 1


async def test_a_record_without_the_required_fields_or_with_extras_is_refused(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    anna = await signed_in(client, runtime)
    missing = {k: v for k, v in ANNA.items() if k != "parent_full_name"}

    answers = [
        await put_record(client, anna, missing),
        await put_record(client, anna, {**ANNA, "document_type": "LIBRARY_CARD"}),
        await put_record(client, anna, {**ANNA, "country": "UTOPIA"}),
        await put_record(client, anna, {**ANNA, "birth_date": "0001-01-01"}),
        await put_record(client, anna, {**ANNA, "verified": True}),
    ]
    none_yet = await client.get(identity_url(anna), headers=anna.headers)

    assert [a.status_code for a in answers] == [422] * 5
    assert none_yet.status_code == 404 and "PUT" in none_yet.json()["detail"]
