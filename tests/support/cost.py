"""What a piece of work cost this process, in CPU seconds.

Tests that a refusal is cheap measure CPU time, not wall-clock time: on a busy machine (two
test processes, a browser, a database) the wall clock also counts time spent waiting for a
core, while the CPU seconds of this process count only the work it did. The in-process server
runs in this process, so its decoding, parsing and hashing are all counted.

`thread_cpu_seconds` counts only the calling thread: for a synchronous function called
directly (a decoder, the planner, the spreadsheet check), where another thread of this process
(a model's thread pool, a consumer) must not count. The whole-process count once read 4.8 s
around a refusal that costs about 10 ms (CI, 2026-12-07, PostgreSQL pass; the other thread was
not found).
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


@contextmanager
def thread_cpu_seconds() -> Iterator[Cost]:
    cost = Cost()
    started = time.thread_time()
    try:
        yield cost
    finally:
        cost.cpu_s = time.thread_time() - started
