"""The databases a test run uses.

By default a SQLite file migrated once and copied for every test. With
`TL_TEST_DATABASE_URL` (PostgreSQL) a fresh database is created and migrated for the run and
its tables are emptied before each test; with `TL_TEST_REDIS_URL` sessions and rate limits
live in that Redis database, flushed before each test.
"""

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import redis
import sqlalchemy as sa

from trust_lesson.migrations import upgrade_to_head
from trust_lesson.models import Base


@dataclass
class SuiteDatabases:
    url: str
    redis_url: str | None
    template: Path | None
    admin_url: str | None = None
    name: str | None = None

    @classmethod
    def from_environment(cls, folder: Path) -> "SuiteDatabases":
        redis_url = worker_redis_url(os.environ.get("TL_TEST_REDIS_URL") or None)
        server_url = os.environ.get("TL_TEST_DATABASE_URL")
        if server_url:
            return cls._postgres(server_url, redis_url)
        template = folder / "template.db"
        upgrade_to_head(f"sqlite+aiosqlite:///{template}")
        return cls(
            url=f"sqlite+aiosqlite:///{folder / 'test.db'}", redis_url=redis_url, template=template
        )

    @classmethod
    def _postgres(cls, server_url: str, redis_url: str | None) -> "SuiteDatabases":
        name = f"tl_test_{uuid.uuid4().hex[:10]}"
        admin_url = sync_url(server_url)
        engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        url = server_url.rsplit("/", 1)[0] + "/" + name
        upgrade_to_head(url)
        return cls(url=url, redis_url=redis_url, template=None, admin_url=admin_url, name=name)

    @property
    def is_postgres(self) -> bool:
        return self.template is None

    def reset(self) -> None:
        if self.template is not None:
            target = Path(self.url.removeprefix("sqlite+aiosqlite:///"))
            for suffix in ("-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(self.template, target)
        else:
            self._truncate()
        if self.redis_url:
            with redis.Redis.from_url(self.redis_url) as client:
                client.flushdb()

    def _truncate(self) -> None:
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        engine = sa.create_engine(sync_url(self.url))
        with engine.begin() as connection:
            connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()

    def drop(self) -> None:
        if self.admin_url is None:
            return
        engine = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        engine.dispose()


def worker_redis_url(url: str | None) -> str | None:
    """Each pytest-xdist worker flushes a Redis database of its own: gw0 the one given, gw1
    the one below it, and so on (CI gives 15, so two workers use 15 and 14)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    if url is None or worker == "gw0":
        return url
    base, _, number = url.rpartition("/")
    return f"{base}/{int(number or 0) - int(worker.removeprefix('gw'))}"


def sync_url(url: str) -> str:
    """Administrative statements go through sync drivers; the service itself is async."""
    return url.replace("+asyncpg", "+psycopg", 1).replace("+aiosqlite", "", 1)
