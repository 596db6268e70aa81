"""`trust-lesson evidence verify / checkpoint` on a real database (SQLite or PostgreSQL)."""

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from trust_lesson.cli import app
from trust_lesson.db import create_engine, create_session_factory, transaction
from trust_lesson.evidence import log
from trust_lesson.evidence.keys import load_school_keys
from trust_lesson.evidence.log import EvidenceKind
from trust_lesson.settings import Settings

NOW = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)


async def _write(settings: Settings, count: int, *statements: str) -> None:
    engine = create_engine(settings.resolved_database_url)
    try:
        factory = create_session_factory(engine)
        for number in range(count):
            async with transaction(factory) as db:
                await log.append(
                    db, EvidenceKind.CONSENT_GIVEN, now=NOW, actor_id=number, data={"n": number}
                )
        async with transaction(factory) as db:
            for statement in statements:
                await db.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("TL_ENV", "test")
    monkeypatch.setenv("TL_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("TL_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.delenv("TL_REDIS_URL", raising=False)
    load_school_keys(settings, now=NOW)
    return CliRunner()


def test_a_signed_untouched_log_verifies(cli: CliRunner, settings: Settings) -> None:
    asyncio.run(_write(settings, 4))
    signed = cli.invoke(app, ["evidence", "checkpoint"])
    assert signed.exit_code == 0 and "signed the log at size 4" in signed.output

    checked = cli.invoke(app, ["evidence", "verify"])

    assert checked.exit_code == 0, checked.output
    assert "valid: 4 entries, 1 checkpoints checked" in checked.output


def test_an_edited_row_fails_verification_and_is_named(cli: CliRunner, settings: Settings) -> None:
    asyncio.run(_write(settings, 4))
    cli.invoke(app, ["evidence", "checkpoint"])
    asyncio.run(
        _write(settings, 0, "UPDATE evidence_entries SET kind = 'x', entry = "
               "replace(entry, 'consent.given', 'consent.withdrawn') WHERE \"index\" = 2")
    )  # fmt: skip

    checked = cli.invoke(app, ["evidence", "verify"])

    assert checked.exit_code == 1
    assert "INVALID entry 2: edited: its content no longer gives its leaf hash" in checked.output
    assert "invalid: 4 entries" in checked.output


def test_verification_against_a_keys_file_of_another_school_fails(
    cli: CliRunner, settings: Settings, tmp_path: Path
) -> None:
    asyncio.run(_write(settings, 2))
    cli.invoke(app, ["evidence", "checkpoint"])
    other = settings.model_copy(update={"data_dir": tmp_path / "other"})
    keys_file = tmp_path / "keys.json"
    keys_file.write_text(json.dumps(load_school_keys(other, now=NOW).public.document()))

    checked = cli.invoke(app, ["evidence", "verify", "--keys", str(keys_file)])

    assert checked.exit_code == 1
    assert "no signature of a trusted key" in checked.output
