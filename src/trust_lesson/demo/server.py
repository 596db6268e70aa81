"""The real service for the demo: the app under uvicorn on 127.0.0.1, in a thread of this process.

The embedded default exactly as `serve` runs it (SQLite in the data dir, local picture store,
the worker's consumer in-process); the first administrator is created as `create-user` does.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn

from trust_lesson.app import create_app
from trust_lesson.migrations import upgrade_to_head
from trust_lesson.models import Role
from trust_lesson.settings import Settings
from trust_lesson.users.cli import create_account

HOST = "127.0.0.1"
STARTUP_SECONDS = 60


@dataclass(frozen=True)
class RunningService:
    base_url: str
    settings: Settings


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def prepare(settings: Settings, *, admin_email: str, admin_password: str) -> None:
    """Migrate the database and create the first administrator (as `create-user` does)."""
    settings.ensure_data_dir()
    upgrade_to_head(settings.resolved_database_url)
    asyncio.run(
        create_account(
            settings,
            email=admin_email,
            full_name="Demo Administrator",
            role=Role.ADMIN,
            password=admin_password,
            username=None,
        )
    )


@contextmanager
def running_service(settings: Settings) -> Iterator[RunningService]:
    """Serve the app until the block ends; the embedded worker stops with it."""
    _quiet_logs()
    port = free_port()
    config = uvicorn.Config(
        create_app(settings), host=HOST, port=port, log_config=None, access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="demo-server", daemon=True)
    thread.start()
    try:
        _wait_until_started(server, thread)
        yield RunningService(base_url=f"http://{HOST}:{port}", settings=settings)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _wait_until_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the service stopped while starting; see the log above")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the service did not start within {STARTUP_SECONDS} s")
        time.sleep(0.05)


def _quiet_logs() -> None:
    """The demo prints its own story; the service's logs show warnings and errors only."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for name in ("trust_lesson", "huey", "uvicorn", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)
