"""Fixtures shared by every test package.

The service under test runs on SQLite by default, and on PostgreSQL + Redis when
TL_TEST_DATABASE_URL / TL_TEST_REDIS_URL are set (see tests/support/databases.py).
"""

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from tests.support.clock import FakeClock
from tests.support.databases import SuiteDatabases
from tests.support.http import service_client
from trust_lesson.app import create_app
from trust_lesson.runtime import Runtime
from trust_lesson.settings import Settings

pytest_plugins = ["tests.support.redis_server"]  # `redis_server`: a throw-away redis-server

# Fixtures through which a test reaches the suite's database or Redis. With
# TL_TEST_DATABASE_BACKED_ONLY=1 (CI's second pass, on PostgreSQL + Redis) only the tests that
# use one of them run: the others (pure vision, commands on their own SQLite data dir) do not
# depend on which database the suite uses and already ran in the first pass.
DATABASE_FIXTURES = frozenset({"databases", "empty_database_url"})

TESTDATA = Path(
    os.environ.get("TL_TESTDATA", Path(__file__).resolve().parents[2] / "shared" / "testdata")
)


@pytest.fixture(scope="session")
def testdata() -> Path:
    """The real images and documents in ../shared/testdata (skip when absent)."""
    if not TESTDATA.is_dir():
        pytest.skip(f"shared test data not found at {TESTDATA} (set TL_TESTDATA to its folder)")
    return TESTDATA


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SuiteDatabases]:
    """A migrated database for the whole run; each test starts from empty tables."""
    dbs = SuiteDatabases.from_environment(tmp_path_factory.mktemp("db"))
    yield dbs
    dbs.drop()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(databases: SuiteDatabases, tmp_path: Path) -> Settings:
    databases.reset()
    return Settings(
        env="test",
        data_dir=tmp_path / "var",
        database_url=databases.url,
        redis_url=databases.redis_url,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
    )


@pytest.fixture
async def app(settings: Settings, clock: FakeClock) -> AsyncIterator[FastAPI]:
    application = create_app(settings, clock=clock)
    async with LifespanManager(application):
        yield application


@pytest.fixture
def runtime(app: FastAPI) -> Runtime:
    value: Runtime = app.state.runtime
    return value


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Calls the app in process; every answer is scanned for leaked secrets (R13)."""
    async with service_client(app) as http:
        yield http


def pytest_report_header(config: pytest.Config) -> str | None:
    if os.environ.get("TL_TEST_DATABASE_BACKED_ONLY") != "1":
        return None
    return (
        "TL_TEST_DATABASE_BACKED_ONLY=1: only the tests that use the suite's database or Redis "
        f"(fixtures {', '.join(sorted(DATABASE_FIXTURES))}) run"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("TL_TEST_DATABASE_BACKED_ONLY") != "1":
        return
    backed: list[pytest.Item] = []
    free: list[pytest.Item] = []
    for item in items:
        uses = DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        (backed if uses else free).append(item)
    if free:
        config.hook.pytest_deselected(items=free)
        items[:] = backed
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                f"TL_TEST_DATABASE_BACKED_ONLY: {len(free)} tests that use no suite database "
                "or Redis are deselected (they ran in the SQLite pass)"
            )
