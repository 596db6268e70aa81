"""Engine and session factory. Built by the app's lifespan or a CLI command, never at import."""

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from trust_lesson.sqlite_one_hop import one_hop_dbapi

SQLITE_BUSY_TIMEOUT_MS = 15_000
AFTER_COMMIT = "after_commit"
log = logging.getLogger("trust_lesson.db")


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """`hide_parameters`: a database error never carries its values (hashes, emails) into a log.
    SQLite goes through aiosqlite with one thread hop per statement (``sqlite_one_hop``)."""
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_async_engine(
            url, connect_args={"timeout": 30}, module=one_hop_dbapi(), **kwargs
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL plus a busy timeout so the API and the in-process worker can write side by side."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def transaction(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit when the block succeeds, roll back when it raises."""
    async with factory() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
        await _run_after_commit(session)


def after_commit(session: AsyncSession, action: Callable[[], Awaitable[None]]) -> None:
    """Do something once the transaction is committed (e.g. enqueue a job for a new row).

    Nothing runs if the transaction rolls back. A failure here is logged, not raised: the
    data is safe and the periodic sweeps pick up anything whose job was not enqueued.
    """
    session.info.setdefault(AFTER_COMMIT, []).append(action)


async def _run_after_commit(session: AsyncSession) -> None:
    for action in session.info.pop(AFTER_COMMIT, []):
        try:
            await action()
        except Exception:
            log.exception("after-commit action failed; the periodic sweep will retry")
