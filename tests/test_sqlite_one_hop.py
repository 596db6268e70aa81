"""SQLite statements make one trip to the connection's thread, and answer as before."""

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from trust_lesson.db import create_engine


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'one-hop.db'}")
    async with engine.begin() as db:
        await db.execute(text("CREATE TABLE seats (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
    yield engine
    await engine.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The calls made on any aiosqlite connection's thread, by name."""
    seen: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, function: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(getattr(function, "__name__", repr(function)))
        return await original(self, function, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    yield seen


async def test_a_read_and_a_write_are_one_trip_each(engine: AsyncEngine, trips: list[str]) -> None:
    async with engine.connect() as db:
        trips.clear()
        assert (await db.execute(text("SELECT 41 + 1"))).scalar_one() == 42
        added = await db.execute(text("INSERT INTO seats (name) VALUES ('ada') RETURNING id"))
        assert added.scalar_one() == 1
        # SQLAlchemy's own adapter made four trips per statement: cursor, execute, fetch, close
        assert trips == ["_run", "_run"]
        await db.rollback()


async def test_row_counts_and_row_ids_are_the_statements_own(engine: AsyncEngine) -> None:
    async with engine.begin() as db:
        many = await db.execute(
            text("INSERT INTO seats (name) VALUES (:name)"), [{"name": "ada"}, {"name": "bo"}]
        )
        assert many.rowcount == 2
        one = await db.execute(text("INSERT INTO seats (name) VALUES ('cy')"))
        assert one.lastrowid == 3
        moved = await db.execute(text("UPDATE seats SET name = name || '!' WHERE id < 3"))
        assert moved.rowcount == 2  # conditional updates read this to know they won
        none = await db.execute(text("UPDATE seats SET name = 'x' WHERE id = 99"))
        assert none.rowcount == 0
        rows = await db.execute(text("SELECT id, name FROM seats ORDER BY id"))
        assert list(rows.keys()) == ["id", "name"]
        assert rows.all() == [(1, "ada!"), (2, "bo!"), (3, "cy")]


async def test_errors_and_rollbacks_are_as_before(engine: AsyncEngine) -> None:
    async with engine.begin() as db:
        await db.execute(text("INSERT INTO seats (name) VALUES ('ada')"))
    with pytest.raises(IntegrityError):
        async with engine.begin() as db:
            await db.execute(text("INSERT INTO seats (name) VALUES ('bo')"))
            await db.execute(text("INSERT INTO seats (name) VALUES ('ada')"))
    async with engine.connect() as db:
        names = (await db.execute(text("SELECT name FROM seats"))).scalars().all()
    assert names == ["ada"]  # 'bo' went with the failed transaction


def test_a_file_that_cannot_be_opened_leaves_no_thread_to_answer_a_closed_loop() -> None:
    """aiosqlite stops a failed connection's thread without waiting for it, and the thread then
    answers its event loop; once that loop has closed (a request's, a test's) the thread died
    with "Event loop is closed". A failed open now returns only when the thread has stopped."""

    async def open_a_missing_folder() -> set[threading.Thread]:
        before = set(_connection_threads())
        engine = create_engine("sqlite+aiosqlite:////nonexistent/folder/trust_lesson.db")
        with pytest.raises(OperationalError, match="unable to open database file"):
            async with engine.connect():
                pass
        await engine.dispose()
        return set(_connection_threads()) - before

    for _ in range(5):  # each in a loop of its own, closed right after the failure
        assert asyncio.run(open_a_missing_folder()) == set()


def _connection_threads() -> list[threading.Thread]:
    return [
        thread
        for thread in threading.enumerate()
        if getattr(thread, "_target", None) is aiosqlite.core._connection_worker_thread
    ]
