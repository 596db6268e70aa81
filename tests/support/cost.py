"""What a piece of work cost, in CPU seconds.

Tests that a refusal is cheap measure CPU time, not wall-clock time: on a busy machine (two
test processes, a browser, a database) the wall clock also counts time spent waiting for a
core, while CPU seconds count only the work done. The in-process server runs in this process,
so its decoding, parsing and hashing are all counted by `cpu_seconds`.

`thread_cpu_seconds` counts only the calling thread: for a synchronous function called
directly (a decoder, the planner, the spreadsheet check), where another thread of this process
(a model's thread pool, a consumer) must not count.

Both keep Python's cyclic garbage collector out of the window: a full collection walks every
object of the test process, whatever the work measured. The last CI run's PostgreSQL pass read
4.8 s around a refusal that costs about 10 ms, while every app the suite had built was kept
alive by FastAPI's endpoint cache (fixed in `apidocs/pages.py`): measured here then, one full
collection took 3.4-3.9 s after 320 tests in one process; after the fix, 0.3-0.7 s.
"""

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class Cost:
    cpu_s: float = 0.0


@contextmanager
def cpu_seconds() -> Iterator[Cost]:
    with _measured(time.process_time) as cost:
        yield cost


@contextmanager
def thread_cpu_seconds() -> Iterator[Cost]:
    with _measured(time.thread_time) as cost:
        yield cost


@contextmanager
def _measured(clock: Callable[[], float]) -> Iterator[Cost]:
    cost = Cost()
    collecting = gc.isenabled()
    gc.disable()
    started = clock()
    try:
        yield cost
    finally:
        cost.cpu_s = clock() - started
        if collecting:
            gc.enable()
