"""The README's first command: `trust-lesson serve` starts a working service from nothing."""

import os
import socket
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
