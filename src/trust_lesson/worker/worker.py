"""The worker: a Huey instance with Trust Lesson's tasks, and the resources tasks run with.

One code path for every way to run: `serve` starts the embedded consumer in a child process
of its own (threads, SQLite queue file in the data dir; worker/process.py); `trust-lesson
worker` runs consumers on any number of machines (Redis queue); tests start consumer threads
in their own process (`start_embedded`, with their fake clock). Tasks receive ids, never ORM
objects; the database row is the truth and a periodic sweep re-enqueues anything stuck, so a
lost queue message is never a lost capture.
"""

import logging
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from huey import Huey, RedisHuey, SqliteHuey
from huey.consumer import Consumer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from trust_lesson.clock import Clock, utc_now
from trust_lesson.db import create_engine, create_session_factory
from trust_lesson.settings import Settings
from trust_lesson.storage.blobs import BlobStore
from trust_lesson.worker.loop import LoopThread

log = logging.getLogger("trust_lesson.worker")
T = TypeVar("T")
# An idle SQLite queue is polled; Huey's default backs off to 10 s between polls, which alone
# would eat the whole verdict-latency budget. Half a second costs nothing measurable.
# (Redis queues block on the list and are not affected.)
POLLING: dict[str, float] = {"initial_delay": 0.1, "backoff": 1.15, "max_delay": 0.5}
Registrar = Callable[["Worker"], None]


@dataclass
class TaskResources:
    """What a task uses, built once per worker process on its own event loop."""

    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    blobs: BlobStore


def build_huey(settings: Settings) -> Huey:
    if settings.redis_url:
        return RedisHuey("trust-lesson", url=settings.redis_url, utc=True)
    path = settings.ensure_data_dir() / "queue.db"
    return SqliteHuey("trust-lesson", filename=str(path), utc=True, timeout=30)


class EmbeddedConsumer(Consumer):  # type: ignore[misc]
    """A consumer that lives inside another program and leaves its signal handlers alone."""

    def _set_signal_handlers(self) -> None:
        return None


class Worker:
    def __init__(
        self, settings: Settings, *, clock: Clock = utc_now, registrars: tuple[Registrar, ...] = ()
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.huey = build_huey(settings)
        self.tasks: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._loop: LoopThread | None = None
        self._resources: TaskResources | None = None
        self._consumer: EmbeddedConsumer | None = None
        for register in registrars:
            register(self)

    def task(self, name: str, **options: Any) -> Callable[[Callable[..., Any]], Any]:
        """Register a Huey task under a stable name (the same in the API and every worker)."""

        def register(function: Callable[..., Any]) -> Any:
            wrapped = self.huey.task(name=name, **options)(function)
            self.tasks[name] = wrapped
            return wrapped

        return register

    def periodic(self, name: str, schedule: Any) -> Callable[[Callable[..., Any]], Any]:
        def register(function: Callable[..., Any]) -> Any:
            wrapped = self.huey.periodic_task(schedule, name=name)(function)
            self.tasks[name] = wrapped
            return wrapped

        return register

    def enqueue(self, name: str, *args: Any) -> None:
        self.tasks[name](*args)

    def run(self, make: Callable[[TaskResources], Coroutine[Any, Any, T]]) -> T:
        """Run async work on this process's task loop with its resources (built on first use)."""
        loop = self._task_loop()
        return loop.run(self._with_resources(make))

    async def _with_resources(self, make: Callable[[TaskResources], Coroutine[Any, Any, T]]) -> T:
        if self._resources is None:
            engine = create_engine(self.settings.resolved_database_url)
            self._resources = TaskResources(
                engine=engine,
                session_factory=create_session_factory(engine),
                blobs=BlobStore.from_settings(self.settings.blob_url, self.settings.data_dir),
            )
        return await make(self._resources)

    def _task_loop(self) -> LoopThread:
        with self._lock:
            if self._loop is None:
                self._loop = LoopThread()
            return self._loop

    def ping(self) -> bool:
        try:
            self.huey.pending_count()
        except Exception:
            return False
        return True

    def start_embedded(self, workers: int = 1) -> None:
        """Start consumer threads inside this process (tests: they share the test's clock)."""
        consumer = EmbeddedConsumer(self.huey, workers=workers, worker_type="thread", **POLLING)
        consumer.start()
        self._consumer = consumer
        log.info("worker started in-process with %s thread(s)", workers)

    def consumer(self, workers: int, worker_type: str, **options: Any) -> Consumer:
        return self.huey.create_consumer(
            workers=workers, worker_type=worker_type, **(POLLING | options)
        )

    def close(self) -> None:
        if self._consumer is not None:
            self._consumer.stop(graceful=True)
            self._consumer = None
        if self._loop is not None:
            if self._resources is not None:
                self._loop.run(self._resources.engine.dispose())
                self._resources = None
            self._loop.stop()
            self._loop = None
        self._close_queue()

    def _close_queue(self) -> None:
        """Let go of the queue's connections (a Redis pool, or the SQLite file handle)."""
        self.huey.storage.close()
        pool = getattr(self.huey.storage, "pool", None)
        if pool is not None:
            pool.disconnect()
