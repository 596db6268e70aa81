"""`trust-lesson serve` as a real process on a free port, on the embedded default (SQLite).

For what only a whole process shows: its peak memory (/proc), its CPU seconds, and every
line it writes to stdout and stderr (all loggers, the server's and the libraries' included).
Memory and CPU count `serve` with its children (the embedded worker's process).
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

    def processes(self) -> list[int]:
        """`serve` and its descendants (the worker's process, multiprocessing's helper)."""
        children: dict[int, list[int]] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(stat.parent.name))
        found, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo += children.get(pid, [])
        return found

    def peak_rss_mib(self) -> float:
        """The highest resident memory of each process so far (VmHWM), summed: at least the
        peak of the whole, since the processes need not peak at the same moment."""
        return sum(self.peaks_mib().values())

    def peaks_mib(self) -> dict[int, float]:
        """Each process's highest resident memory so far (VmHWM), by pid."""
        return {pid: _peak_rss_mib(pid) for pid in self.processes()}

    def reset_peak(self) -> None:
        """From now on the peaks are counted from the current sizes (Linux clear_refs)."""
        for pid in self.processes():
            Path(f"/proc/{pid}/clear_refs").write_text("5")

    def cpu_seconds(self) -> float:
        """User plus system CPU time of all the processes' threads so far."""
        return sum(_cpu_seconds(pid) for pid in self.processes())

    def logged(self) -> str:
        return self.output.read_text(errors="replace")


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


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
