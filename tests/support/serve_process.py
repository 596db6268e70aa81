"""`trust-lesson serve` as a real process on a free port, on the embedded default (SQLite).

For what only a whole process shows: its peak memory (/proc), its CPU seconds, and every
line it writes to stdout and stderr (all loggers, the server's and the libraries' included).
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class ServeProcess:
    url: str
    process: subprocess.Popen[bytes]
    output: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def peak_rss_mib(self) -> float:
        """The highest resident memory the process has had so far (VmHWM)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise AssertionError("no VmHWM")

    def reset_peak(self) -> None:
        """From now on the peak is counted from the current size (Linux clear_refs)."""
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")

    def cpu_seconds(self) -> float:
        """User plus system CPU time of all the process's threads so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def logged(self) -> str:
        return self.output.read_text(errors="replace")


def environment(data_dir: Path, **settings: str) -> dict[str, str]:
    """This machine's environment without the suite's TL_ settings, plus the given ones."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith("TL_")}
    given = {f"TL_{name.upper()}": value for name, value in settings.items()}
    return kept | {"TL_DATA_DIR": str(data_dir)} | given


def command(*arguments: str, env: dict[str, str]) -> str:
    """Runs another `trust-lesson` command (e.g. create-user) against the same data dir."""
    done = subprocess.run(
        [sys.executable, "-m", "trust_lesson", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout + done.stderr


@contextmanager
def serve_process(data_dir: Path, **settings: str) -> Iterator[ServeProcess]:
    """Serves until the block ends; stdout and stderr go to one file next to the data dir."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    output = data_dir.parent / f"serve-{port}.log"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "trust_lesson", "serve", "--port", str(port)],
            env=environment(data_dir, **settings),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    served = ServeProcess(f"http://127.0.0.1:{port}", process, output)
    try:
        _wait_until_healthy(served)
        yield served
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_healthy(served: ServeProcess, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            raise AssertionError(f"serve exited early:\n{served.logged()}")
        try:
            if httpx.get(f"{served.url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.3)
    raise AssertionError(f"serve did not answer within {seconds} s:\n{served.logged()}")
