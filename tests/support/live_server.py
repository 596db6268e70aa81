"""The service running for real on a free local port, for stories told through a browser.

uvicorn serves `create_app(settings)` from a thread with its own event loop; a test arranges
data on that loop (`service.run(coro)`) with the same factories as the API tests, and moves
the service clock with `service.clock`.
"""

import asyncio
import socket
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import uvicorn
from fastapi import FastAPI

from tests.support.clock import FakeClock
from tests.support.databases import SuiteDatabases
from trust_lesson.app import create_app
from trust_lesson.runtime import Runtime
from trust_lesson.settings import Settings

T = TypeVar("T")


@dataclass
class LiveService:
    url: str
    app: FastAPI
    clock: FakeClock
    loop: asyncio.AbstractEventLoop

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.app.state.runtime
        return runtime

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        """Runs a coroutine on the server's own loop (where its engine and pools live)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    async def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """`run` for an async test: waits without blocking the test's own loop."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coroutine, self.loop))


@contextmanager
def live_service(
    databases: SuiteDatabases, data_dir: Path, *, clock: FakeClock | None = None, **options: Any
) -> Iterator[LiveService]:
    """Empties the test database, then serves the app until the block ends."""
    databases.reset()
    settings = Settings(
        env="test",
        data_dir=data_dir,
        database_url=databases.url,
        redis_url=databases.redis_url,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        **options,
    )
    clock = clock or FakeClock()
    app = create_app(settings, clock=clock)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            lifespan="on",
            log_level="warning",
            log_config=None,  # as `serve`: the service's own logging, not uvicorn's handlers
            ws="none",
            access_log=False,
        )
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(
        target=loop.run_until_complete, args=(server.serve(sockets=[sock]),), daemon=True
    )
    thread.start()
    try:
        _wait_until_started(server, thread)
        port = sock.getsockname()[1]
        yield LiveService(url=f"http://127.0.0.1:{port}", app=app, clock=clock, loop=loop)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        loop.close()
        sock.close()


def _wait_until_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    for _ in range(600):
        if server.started:
            return
        if not thread.is_alive():
            raise RuntimeError("the live service stopped while starting")
        threading.Event().wait(0.05)
    raise RuntimeError("the live service did not start within 30 s")
