"""Revoking certificates: a W3C Bitstring Status List credential, signed by the school.

Each issued certificate has a row whose id is its index in the list; revoking sets its bit
(and is itself a log entry). The list is published at `/api/v1/evidence/status-list` as a
BitstringStatusListCredential with an eddsa-jcs-2022 proof, so a verifier trusts it exactly
as far as it trusts the school's keys.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.clock import utc_now
from trust_lesson.db import create_engine, create_session_factory, transaction
from trust_lesson.errors import Conflict, NotFound
from trust_lesson.evidence import cryptosuite
from trust_lesson.evidence.keys import PublishedKeys, SchoolKeys
from trust_lesson.evidence.log import EvidenceKind, append, utc_text
from trust_lesson.evidence.status_list import MIN_ENTRIES, StatusList, StatusListError
from trust_lesson.models import IssuedCertificate
from trust_lesson.settings import Settings

STATUS_LIST_PATH = "/api/v1/evidence/status-list"


def status_list_url(public_url: str) -> str:
    return public_url.rstrip("/") + STATUS_LIST_PATH


def credential_status(public_url: str, index: int) -> dict[str, Any]:
    url = status_list_url(public_url)
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


async def revoke(
    db: AsyncSession, *, certificate_id: int, reason: str, actor_id: int | None, now: datetime
) -> None:
    """Revoke once (a second revocation is refused); the revocation is a log entry."""
    revoked = await db.execute(
        update(IssuedCertificate)
        .where(IssuedCertificate.id == certificate_id, IssuedCertificate.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if not revoked.rowcount:  # type: ignore[attr-defined]
        if await db.get(IssuedCertificate, certificate_id) is None:
            raise NotFound("No such certificate.")
        raise Conflict("This certificate is already revoked.")
    data = {"certificate": certificate_id, "reason": reason}
    await append(db, EvidenceKind.CERTIFICATE_REVOKED, now=now, actor_id=actor_id, data=data)


async def status_list_credential(
    db: AsyncSession, *, keys: SchoolKeys, public_url: str, now: datetime
) -> dict[str, Any]:
    revoked = list(
        await db.scalars(
            select(IssuedCertificate.id).where(IssuedCertificate.revoked_at.is_not(None))
        )
    )
    size = max(MIN_ENTRIES, (max(revoked, default=0) // MIN_ENTRIES + 1) * MIN_ENTRIES)
    bits = StatusList(bytearray(size // 8))
    for index in revoked:
        bits.set(index)
    url = status_list_url(public_url)
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": f"https://{keys.public.origin}", "name": keys.public.origin},
        "validFrom": utc_text(now),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": bits.encode(),
        },
    }
    method = f"https://{keys.public.origin}/.well-known/trust-lesson/keys#{keys.current.key_id}"
    return cryptosuite.add_proof(
        credential, keys.signing_key, verification_method=method, created=utc_text(now)
    )


def is_revoked(certificate: dict[str, Any], status_list: Any, keys: PublishedKeys) -> bool:
    """Whether the school's signed status list has the certificate's bit set."""
    entry = certificate["credentialStatus"]
    if not isinstance(status_list, dict) or status_list.get("id") != entry["statusListCredential"]:
        raise StatusListError("this is not the status list the certificate points to")
    method = str(cryptosuite.proof_of(status_list)["verificationMethod"])
    key = keys.by_id(method.rpartition("#")[2])
    if key is None:
        raise StatusListError("the status list is not signed by a school key")
    try:
        cryptosuite.verify_proof(status_list, key.public_key)
    except cryptosuite.ProofError as error:
        raise StatusListError(f"the status list's signature does not hold: {error}") from error
    bits = StatusList.decode(status_list["credentialSubject"]["encodedList"])
    return bits.get(int(entry["statusListIndex"]))


async def run_revoke(settings: Settings, *, certificate_id: int, reason: str) -> None:
    """One revocation in a transaction of its own, for the command line."""
    engine = create_engine(settings.resolved_database_url)
    try:
        async with transaction(create_session_factory(engine)) as db:
            await revoke(
                db, certificate_id=certificate_id, reason=reason, actor_id=None, now=utc_now()
            )
    finally:
        await engine.dispose()
