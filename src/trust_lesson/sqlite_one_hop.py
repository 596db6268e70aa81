"""SQLite under asyncio with one thread hop per statement instead of four.

SQLAlchemy's aiosqlite adapter makes each statement four round trips between the event loop
and the connection's thread: open a cursor, execute, fetch the rows, close the cursor. Each
round trip waits for the thread to get the GIL and then for the loop to come round to it. A
write transaction holds SQLite's single write lock from its first INSERT or UPDATE to its
COMMIT, so on a busy API every round trip in between kept the worker process (which writes
every verdict) waiting for the lock: with 5,000 students joining, the worker sat at a fraction
of a core with verdicts queued (bench/capacity.py, issue 12).

Here one call on the connection's thread does all four, and hands back the description, the
row count, the last row id and the rows. Everything else (connections, commit, rollback,
errors, the thread per connection) stays aiosqlite's, through SQLAlchemy's own adapter; the
engine takes this as its DBAPI module (``create_async_engine(..., module=one_hop_dbapi())``).
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, cast

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

STOP_WAIT_SECONDS = 1.0
"""The longest a failed open waits for its connection's thread to stop."""

Outcome = tuple[Any, int, int | None, list[Any]]
"""What one statement leaves behind: description, row count, last row id, rows."""


def _run(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> Outcome:
    """On the connection's thread: the whole life of a cursor."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A cursor whose every statement is one call on the connection's thread."""

    __slots__ = ("_arraysize", "_last")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection):
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._last: tuple[Any, int, int | None] = (None, -1, None)
        """The last statement's description, row count and last row id (its rows: ``_rows``)."""
        self._arraysize = 1

    @property
    def description(self) -> Any:
        return self._last[0]

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    @property
    def rowcount(self) -> int:
        return self._last[1]

    @property
    def lastrowid(self) -> Any:
        return self._last[2]

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        try:
            return await_(self._one_call(operation, parameters, many=False))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    def executemany(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        try:
            return await_(self._one_call(operation, seq_of_parameters, many=True))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    async def _one_call(self, operation: Any, parameters: Any, *, many: bool) -> None:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        # aiosqlite's own way to run a function on the connection's thread (its every method
        # uses it); the function is ours
        on_thread = cast(Callable[..., Awaitable[Outcome]], connection._execute)
        async with self._adapt_connection._execute_mutex:
            description, rowcount, lastrowid, rows = await on_thread(
                _run, connection._conn, operation, parameters, many
            )
        self._last = (description, rowcount, lastrowid)
        self._rows = collections.deque(rows)

    async def _async_soft_close(self) -> None:
        return None

    def close(self) -> None:
        self._rows.clear()

    def nextset(self) -> None:
        return None


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneHopCursor  # type: ignore[assignment]  # a subclass of the one declared


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        connection = self.aiosqlite.connect(*arg, **kw)
        connection._thread.daemon = True
        return OneHopConnection(self, await_(_opened(connection)))


async def _opened(connection: aiosqlite.Connection) -> Any:
    """The open connection; when the file cannot be opened, the error once the connection's
    thread has stopped.

    On a failed open aiosqlite queues its thread's stop without waiting for it; the thread then
    answers the event loop that opened it, which may be closed by then (a request's loop, or a
    test's), and dies with "Event loop is closed". Its remaining work is one no-op close, so
    waiting for it here costs microseconds, and only on the failure.
    """
    try:
        return await connection
    except BaseException:
        connection._thread.join(timeout=STOP_WAIT_SECONDS)
        raise


def one_hop_dbapi() -> OneHopDBAPI:
    return OneHopDBAPI(aiosqlite, sqlite3)
