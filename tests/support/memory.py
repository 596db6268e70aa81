"""How far this process's resident memory rose during a piece of work, at its highest.

Linux keeps the peak (VmHWM) in /proc/self/status; writing 5 to /proc/self/clear_refs resets
it to the current size, so the peak read afterwards belongs to the block alone, whatever
earlier tests of this process had used.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

MIB = 1024 * 1024


@dataclass
class Growth:
    mib: float = 0.0


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} in /proc/self/status")


@contextmanager
def peak_rss_growth() -> Iterator[Growth]:
    growth = Growth()
    Path("/proc/self/clear_refs").write_text("5")
    before = _status_kib("VmRSS")
    try:
        yield growth
    finally:
        growth.mib = (_status_kib("VmHWM") - before) / 1024
