"""What a piece of work cost this process, in CPU seconds.

Tests that a refusal is cheap measure CPU time, not wall-clock time: on a busy machine (two
test processes, a browser, a database) the wall clock also counts time spent waiting for a
core, while the CPU seconds of this process count only the work it did. The in-process server
runs in this process, so its decoding, parsing and hashing are all counted.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class Cost:
    cpu_s: float = 0.0


@contextmanager
def cpu_seconds() -> Iterator[Cost]:
    cost = Cost()
    started = time.process_time()
    try:
        yield cost
    finally:
        cost.cpu_s = time.process_time() - started
