"""The scripts' and benches' services stop with them, even when the script is killed."""

import signal
import subprocess
import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"

KILLED_SCRIPT = f"""
import os, signal, sys, time
sys.path.insert(0, {str(SCRIPTS)!r})
from live_service import ended_by_sigterm

try:
    with ended_by_sigterm():
        print("started", flush=True)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(30)
finally:
    print("stopped what it started", flush=True)
"""


def test_a_script_killed_with_sigterm_runs_its_finally_blocks() -> None:
    """`kill` and `timeout` used to leave the bench's `serve` and its worker running."""
    ended = subprocess.run(
        [sys.executable, "-c", KILLED_SCRIPT], capture_output=True, text=True, timeout=20
    )

    assert ended.stdout.split("\n")[:2] == ["started", "stopped what it started"]
    assert ended.returncode == 128 + signal.SIGTERM
