"""`trust-lesson verify` asks the real service for its status list: valid, then revoked."""

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from tests.cli.test_serve import _free_port, _wait_for
from tests.presence.live import LiveLesson
from tests.support.clock import FakeClock
from trust_lesson.cli import app
from trust_lesson.db import transaction
from trust_lesson.evidence import certificates, revocation
from trust_lesson.runtime import Runtime


async def test_the_cli_reports_a_revoked_certificate_from_the_served_list(
    stopped: LiveLesson, runtime: Runtime, clock: FakeClock, tmp_path: Path
) -> None:
    port = _free_port()
    async with transaction(runtime.session_factory) as db:
        document = await certificates.issue(
            db, keys=runtime.school_keys, public_url=f"http://127.0.0.1:{port}",
            lesson_id=stopped.lesson_id, student_id=stopped.student.id, now=clock.now,
        )  # fmt: skip
    certificate_file, keys_file = tmp_path / "certificate.json", tmp_path / "keys.json"
    certificate_file.write_text(json.dumps(document))
    keys_file.write_text(json.dumps(runtime.school_keys.public.document()))
    settings = runtime.settings
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TL_")} | {
        "TL_DATA_DIR": str(settings.data_dir),
        "TL_DATABASE_URL": settings.resolved_database_url,
        "TL_EMBEDDED_WORKER": "false",
        "TL_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    server = await asyncio.to_thread(_serve, port, environment)
    command = ["verify", str(certificate_file), "--keys", str(keys_file)]
    try:
        await asyncio.to_thread(_wait_for, f"http://127.0.0.1:{port}/health", server)
        before = await asyncio.to_thread(CliRunner().invoke, app, command)
        async with transaction(runtime.session_factory) as db:
            index = int(document["credentialStatus"]["statusListIndex"])
            await revocation.revoke(
                db, certificate_id=index, reason="issued in error", actor_id=None, now=clock.now
            )
        after = await asyncio.to_thread(CliRunner().invoke, app, command)
    finally:
        server.terminate()
        await asyncio.to_thread(server.communicate, timeout=30)

    assert (before.exit_code, before.output) == (0, "valid (not revoked)\n")
    assert (after.exit_code, after.output) == (
        1,
        "revoked: the school has revoked this certificate\n",
    )


def _serve(port: int, environment: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "trust_lesson", "serve", "--port", str(port)],
        env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
