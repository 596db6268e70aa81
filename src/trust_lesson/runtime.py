"""What the running service holds: settings, engine, stores. Built in the app's lifespan."""

import asyncio
from dataclasses import dataclass, field
from random import Random, SystemRandom

from redis.asyncio import BlockingConnectionPool, Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from trust_lesson.auth.session_store import (
    RedisSessionStore,
    SessionStore,
    SqlSessionStore,
    session_lifetime,
)
from trust_lesson.auth.throttle import LoginThrottle
from trust_lesson.clock import Clock, utc_now
from trust_lesson.db import create_engine, create_session_factory
from trust_lesson.evidence.keys import SchoolKeys, load_school_keys
from trust_lesson.presence.watch import LessonWatch
from trust_lesson.settings import Settings
from trust_lesson.storage.blobs import BlobStore
from trust_lesson.worker.process import WorkerProcess
from trust_lesson.worker.registry import all_registrars
from trust_lesson.worker.worker import Worker


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    session_store: SessionStore
    login_throttle: LoginThrottle
    blobs: BlobStore
    worker: Worker
    school_keys: SchoolKeys
    redis: Redis | None = None
    clock: Clock = field(default=utc_now)
    random: Random = field(default_factory=SystemRandom)
    """Where the server's choices (challenge times) come from; tests put a seeded one here."""
    lesson_watch: LessonWatch = field(default_factory=LessonWatch)
    """Whether a lesson still runs, shared by the students waiting for a check in it."""
    worker_process: WorkerProcess | None = None
    """The embedded worker's process, when this service runs one (`serve` on the default)."""

    def start_worker_process(self) -> None:
        self.worker_process = WorkerProcess(self.settings, self.settings.worker_threads)
        self.worker_process.start()

    async def close(self) -> None:
        if self.worker_process is not None:
            await asyncio.to_thread(self.worker_process.stop)
            self.worker_process = None
        self.worker.close()
        await self.engine.dispose()
        if self.redis is not None:
            await self.redis.aclose()


def build_runtime(settings: Settings, clock: Clock = utc_now) -> Runtime:
    engine = create_engine(settings.resolved_database_url)
    redis = _redis_client(settings.redis_url) if settings.redis_url else None
    lifetime = session_lifetime(settings)
    store: SessionStore = (
        RedisSessionStore(redis, lifetime) if redis is not None else SqlSessionStore(lifetime)
    )
    throttle = LoginThrottle.build(
        redis,
        per_account=settings.login_failure_limit,
        per_address=settings.login_address_limit,
        registrations=settings.registration_address_limit,
    )
    return Runtime(
        settings=settings,
        engine=engine,
        session_factory=create_session_factory(engine),
        session_store=store,
        login_throttle=throttle,
        blobs=BlobStore.from_settings(settings.blob_url, settings.data_dir),
        worker=Worker(settings, clock=clock, registrars=all_registrars()),
        school_keys=load_school_keys(settings, now=clock()),
        redis=redis,
        clock=clock,
    )


REDIS_CONNECTIONS = 64
"""Redis connections one process opens at most. A request that finds them all in use waits
for one, up to ``REDIS_WAIT_S`` (redis-py's default pool refuses it at once instead: 500
students waiting at once got 503s from the capacity bench)."""
REDIS_WAIT_S = 5.0


def _redis_client(url: str) -> Redis:
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=REDIS_CONNECTIONS,
        timeout=REDIS_WAIT_S,
        socket_timeout=2,
        socket_connect_timeout=2,
    )
    return Redis.from_pool(pool)
