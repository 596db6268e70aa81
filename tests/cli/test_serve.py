"""The README's first command: `trust-lesson serve` starts a working service from nothing."""

import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


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
    process = subprocess.Popen(
        [sys.executable, "-m", "trust_lesson", "serve", "--port", str(port)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        health = _wait_for(f"http://127.0.0.1:{port}/health", process)
        docs = httpx.get(f"http://127.0.0.1:{port}/docs", timeout=5)
        ready = httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=5)
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]

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
