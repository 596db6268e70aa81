"""The Alembic history and the ORM models describe the same schema, on SQLite and PostgreSQL."""

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tests.support.databases import SuiteDatabases, sync_url
from trust_lesson.migrations import alembic_config, upgrade_to_head
from trust_lesson.models import Base


def _differences(databases: SuiteDatabases, metadata: sa.MetaData) -> list[object]:
    databases.reset()
    engine = sa.create_engine(sync_url(databases.url))
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences: list[object] = compare_metadata(context, metadata)
    engine.dispose()
    return differences


def test_models_and_migrations_agree(databases: SuiteDatabases) -> None:
    assert _differences(databases, Base.metadata) == []


def test_every_enum_value_fits_its_column() -> None:
    """Enums are VARCHAR columns with no CHECK or native type (LIVENESS_FAILED needed no DDL)."""
    too_long = [
        (table.name, column.name, value)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, sa.Enum)
        for value in column.type.enums
        if column.type.native_enum or len(value) > (column.type.length or 0)
    ]

    assert too_long == []


def test_the_check_notices_a_column_that_no_migration_adds(databases: SuiteDatabases) -> None:
    metadata = sa.MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(metadata)
    metadata.tables["users"].append_column(sa.Column("nickname", sa.String(20)))

    assert _differences(databases, metadata) != []


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    server = os.environ.get("TL_TEST_DATABASE_URL")
    if not server:
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"tl_empty_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(sync_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield server.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_migrate_command_brings_an_empty_database_to_head(
    empty_database_url: str, tmp_path: Path
) -> None:
    environment = {
        **os.environ,
        "TL_DATABASE_URL": empty_database_url,
        "TL_DATA_DIR": str(tmp_path),
    }

    done = subprocess.run(
        [sys.executable, "-m", "trust_lesson", "migrate"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "database at head" in done.stdout
    engine = sa.create_engine(sync_url(empty_database_url))
    with engine.connect() as connection:
        version = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        tables = set(sa.inspect(connection).get_table_names())
    engine.dispose()
    assert version is not None
    assert {t.name for t in Base.metadata.sorted_tables} <= tables


ROWS = {
    "users": [
        {"id": 1, "email": "t@school.example", "username": "t", "role": "INSTRUCTOR"},
        {"id": 2, "email": "s@school.example", "username": "s", "role": "STUDENT"},
    ],
    "courses": [{"id": 1, "name": "Driving", "description": ""}],
    "terms": [{"id": 1, "course_id": 1, "term_number": 0, "status": "RUNNING"}],
    "lessons": [
        {"id": 1, "term_id": 1, "instructor_id": 1, "title": "Roads", "description": "",
         "start_date": "NOW", "duration_min": 60, "status": "FINISHED"},
    ],
    "challenges": [
        {"id": 1, "lesson_id": 1, "user_id": 2, "kind": "ENTRY", "nonce": "n",
         "issued_at": "NOW", "deadline": "NOW", "status": "ANSWERED"},
    ],
    "captures": [
        {"id": 1, "lesson_id": 1, "user_id": 2, "challenge_id": 1, "sha256": "a" * 64,
         "size": 1, "status": "DONE", "verdict": "NEEDS_REVIEW", "reasons": "[]",
         "scores": "{}", "attempts": 1, "created_at": "NOW"},
    ],
    "capture_reviews": [
        {"id": 1, "capture_id": 1, "reviewer_id": 1, "verdict": "VERIFIED", "reason": "seen",
         "created_at": "NOW"},
    ],
    "attendance_decisions": [
        {"id": 1, "lesson_id": 1, "user_id": 2, "decision": "ATTENDED", "reasons": "[]",
         "checks_total": 1, "checks_verified": 1, "decided_at": "NOW"},
    ],
}  # fmt: skip
USER_DEFAULTS = {"full_name": "Someone", "is_active": True, "password_hash": "x"}


def _insert_rows(url: str) -> None:
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    engine = sa.create_engine(sync_url(url))
    with engine.begin() as connection:
        for name, rows in ROWS.items():
            table = sa.Table(name, sa.MetaData(), autoload_with=connection)
            for row in rows:
                values = {k: now if v == "NOW" else v for k, v in row.items()}
                if name == "users":
                    values |= USER_DEFAULTS | {"created_at": now, "updated_at": now}
                connection.execute(sa.insert(table).values(values))
    engine.dispose()


def _count(url: str, table: str) -> int:
    engine = sa.create_engine(sync_url(url))
    with engine.connect() as connection:
        query = sa.select(sa.func.count()).select_from(sa.table(table))
        count = connection.execute(query).scalar_one()
    engine.dispose()
    return int(count)


def test_evidence_survives_the_migration_that_stops_its_cascade(empty_database_url: str) -> None:
    """0015 copies the evidence tables on SQLite: no row of them, or of the tables pointing
    at them (reviews), is lost; afterwards deleting the student fails instead of cascading."""
    command.upgrade(alembic_config(empty_database_url), "0013_consent_selfie_hashes")
    _insert_rows(empty_database_url)

    upgrade_to_head(empty_database_url)

    for table, rows in ROWS.items():
        assert _count(empty_database_url, table) == len(rows), table
    engine = sa.create_engine(sync_url(empty_database_url))
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", lambda c, _: c.execute("PRAGMA foreign_keys=ON"))
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM users WHERE id = 2"))
    engine.dispose()
    assert _count(empty_database_url, "attendance_decisions") == 1
