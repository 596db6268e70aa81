"""The README's first command: `trust-lesson serve` starts a working service from nothing,
with the embedded worker in a child process it watches and stops (issue 12)."""

import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.support.serve_process import serve_process

WORKER_STARTED = re.compile(r"worker started in its own process \(pid (\d+)\) with (\d+) thread")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for(url: str, process: subprocess.Popen[str], seconds: float = 60) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"serve exited early:\n{process.communicate()[0]}")
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            time.sleep(0.3)
    pytest.fail(f"{url} did not answer within {seconds} s")


def test_serve_creates_the_data_dir_migrates_and_answers(tmp_path: Path) -> None:
    port = _free_port()
    data_dir = tmp_path / "fresh" / "var"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TL_")} | {
        "TL_DATA_DIR": str(data_dir)
    }
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "trust_lesson", "serve", "--port", str(port)],
            env=environment,
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        health = _wait_for(f"http://127.0.0.1:{port}/health", process)
        docs = httpx.get(f"http://127.0.0.1:{port}/docs", timeout=5)
        ready = httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=5)
        worker = _worker_pids(log, count=1)[0]
        parent_while_serving = _parent_of(worker)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    output = log.read_text()

    assert parent_while_serving == process.pid  # the worker runs in a child process of serve
    assert not _alive(worker), "serve stopped, its worker process must be gone"
    assert health.json() == {"status": "ok"}
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    assert ready.status_code == 200
    assert (data_dir / "trust_lesson.db").exists()
    assert f"http://127.0.0.1:{port}/docs" in output
    # Issue 8/12: the data dir and every file in it are the service account's alone.
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    for written in ("trust_lesson.db", "queue.db"):
        assert stat.S_IMODE((data_dir / written).stat().st_mode) == 0o600, written


def _failed_logins_from_spoofed_addresses(port: int, count: int) -> list[int]:
    statuses = []
    for number in range(count):
        response = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/auth/login",
            json={"email": f"nobody{number}@school.example", "password": "wrong password 123"},
            headers={"X-Forwarded-For": f"203.0.113.{number + 1}"},
            timeout=10,
        )
        statuses.append(response.status_code)
    return statuses


@pytest.mark.parametrize(("trusted", "throttled"), [("", True), ("127.0.0.1", False)])
def test_forwarded_addresses_count_only_from_trusted_proxies(
    tmp_path: Path, trusted: str, throttled: bool
) -> None:
    """Issue 8/14: with no trusted proxy (the default) X-Forwarded-For cannot dodge the limit."""
    port = _free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TL_")} | {
        "TL_DATA_DIR": str(tmp_path / "var"),
        "TL_TRUSTED_PROXIES": trusted,
        "TL_LOGIN_ADDRESS_LIMIT": "3/minute",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "trust_lesson", "serve", "--port", str(port)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/health", process)
        statuses = _failed_logins_from_spoofed_addresses(port, 5)
    finally:
        process.terminate()
        process.communicate(timeout=30)

    if throttled:  # one peer, whatever it claims: the 4th failure is refused
        assert statuses == [401, 401, 401, 429, 429]
    else:  # a trusted proxy's forwarded addresses are five different clients
        assert statuses == [401] * 5


def test_serve_restarts_a_dead_worker_and_an_orphaned_worker_stops_itself(
    tmp_path: Path,
) -> None:
    """The worker process is watched: killed, another starts; `serve` killed without a chance
    to stop it (SIGKILL), the worker notices and ends by itself (no orphan keeps the queue)."""
    with serve_process(tmp_path / "var", worker_threads="1") as served:
        first = _worker_pids(served.output, count=1)[0]
        os.kill(first, signal.SIGKILL)
        second = _worker_pids(served.output, count=2)[1]
        assert second != first and _parent_of(second) == served.pid
        assert "exited with code -9" in served.logged()
        served.process.kill()
        served.process.wait(timeout=30)
        _wait_until(lambda: not _alive(second), "the orphaned worker did not stop")
    assert "ended without stopping its worker" in served.logged()


def _worker_pids(log: Path, count: int, seconds: float = 120) -> list[int]:
    """The worker processes serve reported starting, waiting until there are ``count``."""
    found: list[int] = []

    def enough() -> bool:
        found[:] = [int(m.group(1)) for m in WORKER_STARTED.finditer(log.read_text())]
        return len(found) >= count

    _wait_until(enough, f"serve did not report {count} worker process(es)", seconds)
    return found


def _wait_until(condition: Callable[[], bool], failure: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(failure)
        time.sleep(0.2)


def _parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _alive(pid: int) -> bool:
    """Running or not yet reaped: a zombie counts as gone."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"
