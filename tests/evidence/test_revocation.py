"""Revocation: the school's signed status list, and what a verifier makes of it."""

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from tests.presence.live import LiveLesson
from tests.support.clock import FakeClock
from trust_lesson.cli import app
from trust_lesson.db import transaction
from trust_lesson.errors import Conflict
from trust_lesson.evidence import certificates, revocation
from trust_lesson.evidence.status_list import StatusListError
from trust_lesson.runtime import Runtime


async def _revoke(runtime: Runtime, index: int, clock: FakeClock) -> None:
    async with transaction(runtime.session_factory) as db:
        await revocation.revoke(
            db, certificate_id=index, reason="issued in error", actor_id=None, now=clock.now
        )


async def test_a_revoked_certificate_is_reported_revoked_by_the_published_list(
    certificate: dict[str, Any], client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    keys = runtime.school_keys.public
    status = certificate["credentialStatus"]
    assert status["statusListCredential"] == "http://127.0.0.1:8000/api/v1/evidence/status-list"
    index = int(status["statusListIndex"])

    before = (await client.get("/api/v1/evidence/status-list")).json()
    await _revoke(runtime, index, clock)
    after = (await client.get("/api/v1/evidence/status-list")).json()

    assert not revocation.is_revoked(certificate, before, keys)
    assert revocation.is_revoked(certificate, after, keys)
    with pytest.raises(Conflict, match="already revoked"):
        await _revoke(runtime, index, clock)


async def test_a_status_list_not_signed_by_the_school_is_refused(
    certificate: dict[str, Any], client: httpx.AsyncClient, runtime: Runtime
) -> None:
    forged = (await client.get("/api/v1/evidence/status-list")).json()
    forged["credentialSubject"]["encodedList"] = forged["credentialSubject"]["encodedList"][:-2]
    with pytest.raises(StatusListError, match="signature"):
        revocation.is_revoked(certificate, forged, runtime.school_keys.public)


async def test_without_the_network_the_cli_says_revocation_was_not_checked(
    stopped: LiveLesson, runtime: Runtime, clock: FakeClock, tmp_path: Path
) -> None:
    async with transaction(runtime.session_factory) as db:
        document = await certificates.issue(
            db, keys=runtime.school_keys, public_url="http://127.0.0.1:9",
            lesson_id=stopped.lesson_id, student_id=stopped.student.id, now=clock.now,
        )  # fmt: skip
    certificate_file, keys_file = tmp_path / "c.json", tmp_path / "keys.json"
    certificate_file.write_text(json.dumps(document))
    keys_file.write_text(json.dumps(runtime.school_keys.public.document()))

    command = ["verify", str(certificate_file), "--keys", str(keys_file)]
    result = await asyncio.to_thread(CliRunner().invoke, app, command)

    assert result.exit_code == 0
    assert result.output.startswith("valid (revocation not checked: http://127.0.0.1:9/")
