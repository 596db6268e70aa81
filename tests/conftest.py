"""Fixtures shared by every test package."""

import os
from pathlib import Path

import pytest

TESTDATA = Path(
    os.environ.get("TL_TESTDATA", Path(__file__).resolve().parents[2] / "shared" / "testdata")
)


@pytest.fixture(scope="session")
def testdata() -> Path:
    """The real images and documents in ../shared/testdata (skip when absent)."""
    if not TESTDATA.is_dir():
        pytest.skip(f"shared test data not found at {TESTDATA} (set TL_TESTDATA to its folder)")
    return TESTDATA


# --- the service under test: SQLite by default, PostgreSQL + Redis when configured -------------

from collections.abc import AsyncIterator, Iterator  # noqa: E402

import httpx  # noqa: E402
from asgi_lifespan import LifespanManager  # noqa: E402
from fastapi import FastAPI  # noqa: E402

from tests.support.clock import FakeClock  # noqa: E402
from tests.support.databases import TestDatabases  # noqa: E402
from trust_lesson.app import create_app  # noqa: E402
from trust_lesson.runtime import Runtime  # noqa: E402
from trust_lesson.settings import Settings  # noqa: E402


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestDatabases]:
    """A migrated database for the whole run; each test starts from empty tables."""
    dbs = TestDatabases.from_environment(tmp_path_factory.mktemp("db"))
    yield dbs
    dbs.drop()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(databases: TestDatabases, tmp_path: Path) -> Settings:
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
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
