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


def _lessons(url: str) -> list[tuple[object, ...]]:
    engine = sa.create_engine(sync_url(url))
    with engine.connect() as connection:
        table = sa.Table("lessons", sa.MetaData(), autoload_with=connection)
        columns = [table.c.id, table.c.title]
        if "title_key" in table.c:
            columns.append(table.c.title_key)
        rows = connection.execute(sa.select(*columns).order_by(table.c.id)).all()
    engine.dispose()
    return [tuple(row) for row in rows]


def test_0021_keys_every_lesson_and_keeps_lessons_that_already_repeat(
    empty_database_url: str,
) -> None:
    """Lessons planned twice before the rule was the database's stay two lessons (a repeat may
    have attendance and evidence): the later one's key is marked with its id, nothing else
    changes, and the plain key refuses the lesson a third time. Downgrade drops the key only."""
    url, before = empty_database_url, "0020_attendance_appeals"
    command.upgrade(alembic_config(url), before)
    monday, tuesday = datetime(2026, 3, 2, 14, tzinfo=UTC), datetime(2026, 3, 3, 14, tzinfo=UTC)
    _insert_lessons(url, [(1, "Roads", monday), (1, "  ROADS ", monday), (1, "roads", monday),
                          (1, "Roads", tuesday), (2, "Roads", monday)])  # fmt: skip

    upgrade_to_head(url)

    assert _lessons(url) == [
        (1, "Roads", "roads"),
        (2, "  ROADS ", "roads\nrepeat 2"),
        (3, "roads", "roads\nrepeat 3"),
        (4, "Roads", "roads"),
        (5, "Roads", "roads"),
    ]
    with pytest.raises(sa.exc.IntegrityError):
        _insert_lessons(url, [(1, "ROADS", monday)], title_key="roads")
    command.downgrade(alembic_config(url), before)
    assert _lessons(url) == [
        (1, "Roads"), (2, "  ROADS "), (3, "roads"), (4, "Roads"), (5, "Roads"),
    ]  # fmt: skip
    upgrade_to_head(url)
    assert [key for _, _, key in _lessons(url)][:3] == [
        "roads",
        "roads\nrepeat 2",
        "roads\nrepeat 3",
    ]


def _insert_lessons(url: str, lessons: list[tuple[int, str, datetime]], **more: str) -> None:
    """Lessons of a course's terms 1 and 2, taught by user 1 (made first when missing)."""
    engine = sa.create_engine(sync_url(url))
    try:
        with engine.begin() as connection:
            tables = sa.MetaData()
            tables.reflect(connection, only=["users", "courses", "terms", "lessons"])
            if connection.execute(sa.select(tables.tables["users"].c.id)).first() is None:
                _insert_course_with_two_terms(connection, tables)
            for term_id, title, start in lessons:
                row = {"term_id": term_id, "instructor_id": 1, "title": title, "description": "",
                       "start_date": start, "duration_min": 60, "status": "WAITING"}  # fmt: skip
                connection.execute(sa.insert(tables.tables["lessons"]).values(row | more))
    finally:
        engine.dispose()


def _insert_course_with_two_terms(connection: sa.Connection, tables: sa.MetaData) -> None:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    user = ROWS["users"][0] | USER_DEFAULTS | {"created_at": now, "updated_at": now}
    connection.execute(sa.insert(tables.tables["users"]).values(user))
    connection.execute(sa.insert(tables.tables["courses"]).values(ROWS["courses"]))
    terms = [{"id": n, "course_id": 1, "term_number": n, "status": "RUNNING"} for n in (1, 2)]
    connection.execute(sa.insert(tables.tables["terms"]).values(terms))
