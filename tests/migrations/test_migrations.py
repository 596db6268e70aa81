"""The Alembic history and the ORM models describe the same schema, on SQLite and PostgreSQL."""

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tests.support.databases import SuiteDatabases, sync_url
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
