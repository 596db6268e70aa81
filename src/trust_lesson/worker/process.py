"""The embedded worker in a process of its own, started, watched and stopped by `serve`.

The API's event loop and the vision work then never share one GIL. The queue needs nothing
new: Huey's SQLite queue is a file in the data dir that both processes open (WAL, a busy
timeout), the child polls it as the in-process threads did (at most every 0.5 s when idle);
with Redis it blocks on the list. The child is a fresh interpreter (the ``spawn`` start
method) given the very settings of `serve`, so it reads the same database, queue and pictures.

Watching: a child that dies is started again after a pause that doubles on each quick death
(1 s up to 30 s; back to 1 s once a child has run a minute). Stopping: SIGTERM, which the
child's consumer takes as "finish the verdicts in hand, take no new one", then SIGKILL after a
grace. A task cut short is not lost: the capture row stays PENDING and the periodic sweep
queues it again. The child also stops by itself when `serve` dies without stopping it.
"""

import logging
import multiprocessing
import os
import signal
import threading
import time
from multiprocessing.process import BaseProcess

from trust_lesson.logs import configure_logging
from trust_lesson.settings import Settings

log = logging.getLogger("trust_lesson.worker")
FIRST_RESTART_DELAY_S = 1.0
LONGEST_RESTART_DELAY_S = 30.0
RUNS_WELL_AFTER_S = 60.0
STOP_GRACE_S = 15.0
"""How long a stopping child may finish the verdicts in hand before it is killed."""


class WorkerProcess:
    """One child process running the worker's consumer with ``threads`` threads."""

    def __init__(self, settings: Settings, threads: int, *, grace_s: float = STOP_GRACE_S):
        self.settings = settings
        self.threads = threads
        self.grace_s = grace_s
        self.log_level = logging.getLogger("trust_lesson").getEffectiveLevel()
        """The child logs as this process does (`serve`: INFO; the demo: warnings only)."""
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._process: BaseProcess | None = None
        self._watcher: threading.Thread | None = None

    @property
    def pid(self) -> int | None:
        process = self._process
        return None if process is None else process.pid

    def start(self) -> None:
        with self._lock:
            self._process = self._spawn()
        self._watcher = threading.Thread(
            target=self._watch, name="trust-lesson-worker-watch", daemon=True
        )
        self._watcher.start()

    def _spawn(self) -> BaseProcess:
        process = self._context.Process(
            target=run_worker_process,
            args=(self.settings, self.threads, self.log_level),
            name="trust-lesson-worker",
        )
        process.start()
        log.info(
            "worker started in its own process (pid %s) with %s thread(s)",
            process.pid,
            self.threads,
        )
        return process

    def _watch(self) -> None:
        delay = FIRST_RESTART_DELAY_S / 2
        while True:
            process = self._process
            assert process is not None
            started = time.monotonic()
            process.join()
            if self._stopping.is_set():
                return
            ran = time.monotonic() - started
            delay = FIRST_RESTART_DELAY_S if ran >= RUNS_WELL_AFTER_S else delay * 2
            delay = min(delay, LONGEST_RESTART_DELAY_S)
            log.warning(
                "worker process %s exited with code %s after %.0f s; starting another in %.0f s",
                process.pid,
                process.exitcode,
                ran,
                delay,
            )
            if self._stopping.wait(delay):
                return
            with self._lock:
                if self._stopping.is_set():
                    return
                self._process = self._spawn()

    def stop(self) -> None:
        """SIGTERM (finish what is in hand), then SIGKILL after the grace; waits for the end."""
        with self._lock:
            self._stopping.set()
            process = self._process
        if process is not None and process.is_alive():
            process.terminate()
            process.join(self.grace_s)
            if process.is_alive():
                log.warning(
                    "worker process %s did not stop in %.0f s: killed", process.pid, self.grace_s
                )
                process.kill()
                process.join()
            log.info("worker process %s stopped (exit code %s)", process.pid, process.exitcode)
        if self._watcher is not None:
            self._watcher.join()
            self._watcher = None


def run_worker_process(settings: Settings, threads: int, log_level: int = logging.INFO) -> None:
    """The child: the worker's consumer with its periodic jobs, until SIGTERM or the parent ends."""
    from trust_lesson.process_memory import return_freed_pictures_to_the_system
    from trust_lesson.worker.registry import all_registrars
    from trust_lesson.worker.worker import Worker

    # Ctrl-C at a terminal reaches the whole process group: the worker would stop at once and
    # look like a crash to the watcher; in a group of its own it waits for serve's SIGTERM.
    os.setpgrp()
    os.umask(0o077)
    return_freed_pictures_to_the_system()
    configure_logging(json_lines=settings.json_logs, level=log_level)
    _stop_when_the_parent_ends()
    worker = Worker(settings, registrars=all_registrars())
    try:
        worker.consumer(workers=threads, worker_type="thread", graceful_signal="TERM").run()
    finally:
        worker.close()


def _stop_when_the_parent_ends() -> None:
    """`serve` killed with SIGKILL cannot stop its child: the child sees it and stops itself."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def wait() -> None:
        from multiprocessing.connection import wait as wait_for

        wait_for([parent.sentinel])
        log.warning("the serve process ended without stopping its worker: stopping")
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=wait, name="trust-lesson-parent-watch", daemon=True).start()
