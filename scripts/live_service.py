"""A real Trust Lesson server for scripts: `trust-lesson serve` on 127.0.0.1 and a free port.

Used by `scripts/fuzz_api.py` and `bench/api.py`. The server runs from a temporary data dir
(embedded SQLite and in-database sessions) unless a database and Redis URL are given.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
import redis
import sqlalchemy as sa

CLI = Path(sys.executable).with_name("trust-lesson")
HOST = "127.0.0.1"
STARTUP_SECONDS = 90


@dataclass
class Account:
    email: str
    password: str
    id: int = 0
    token: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class LiveService:
    base_url: str
    env: dict[str, str]
    log_path: Path

    def client(self, account: Account | None = None, **options: Any) -> httpx.Client:
        headers = account.headers if account else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30, **options)

    def create_admin(self, email: str, password: str) -> Account:
        """The first administrator comes from the command line, as on a real install."""
        command = [str(CLI), "create-user", "--email", email, "--full-name", "Fuzz Admin"]
        command += ["--role", "ADMIN", "--password", password]
        subprocess.run(command, env=self.env, check=True, capture_output=True)  # noqa: S603
        return self.sign_in(Account(email=email, password=password))

    def sign_in(self, account: Account) -> Account:
        with self.client() as http:
            answer = http.post(
                "/api/v1/auth/login", json={"email": account.email, "password": account.password}
            )
            answer.raise_for_status()
            account.token = answer.json()["access_token"]
            account.id = http.get("/api/v1/users/me", headers=account.headers).json()["id"]
        return account

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def service_env(
    data_dir: Path, *, database_url: str | None, redis_url: str | None
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TL_")}
    env.update({"TL_DATA_DIR": str(data_dir), "TL_ENV": "local", "TL_LOG_JSON": "false"})
    if database_url:
        env["TL_DATABASE_URL"] = database_url
    if redis_url:
        env["TL_REDIS_URL"] = redis_url
    return env


@contextmanager
def ended_by_sigterm() -> Iterator[None]:
    """While open, SIGTERM (`kill`, `timeout`) ends the script through its `finally` blocks.

    Python's default SIGTERM ends the process at once: the `serve` it started (and its worker)
    kept running and a scratch database stayed. Ctrl-C already goes through `finally`.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def end(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, end)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def live_service(
    data_dir: Path,
    *,
    database_url: str | None = None,
    redis_url: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[LiveService]:
    """Start the server, wait until /health answers, stop it at the end."""
    port = free_port()
    env = service_env(data_dir, database_url=database_url, redis_url=redis_url)
    env.update(extra_env or {})
    log_path = data_dir.parent / f"server-{port}.log"
    command = [str(CLI), "serve", "--host", HOST, "--port", str(port)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    service = LiveService(base_url=f"http://{HOST}:{port}", env=env, log_path=log_path)
    try:
        with ended_by_sigterm():
            _wait_until_up(service, process)
            yield service
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(service: LiveService, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped at start-up:\n{service.log_tail()}")
        try:
            if httpx.get(f"{service.base_url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(
        f"the server did not answer within {STARTUP_SECONDS}s:\n{service.log_tail()}"
    )


POSTGRES_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


@contextmanager
def scratch_postgres(redis_url: str, prefix: str = "tl_bench") -> Iterator[str]:
    """A fresh PostgreSQL database and an empty Redis database, both removed afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(
        POSTGRES_SERVER.replace("+asyncpg", "+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    _flush(redis_url)
    try:
        with ended_by_sigterm():
            yield POSTGRES_SERVER.rsplit("/", 1)[0] + "/" + name
    finally:
        _flush(redis_url)
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _flush(url: str) -> None:
    with redis.Redis.from_url(url) as client:
        client.flushdb()
