"""Fixtures of the live-presence stories: a client whose every answer is scanned for leaks."""

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI

from tests.support.http import service_client
from trust_lesson.runtime import Runtime


@pytest.fixture
async def api(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with service_client(app) as client:
        yield client


@pytest.fixture
def consumer(runtime: Runtime) -> Iterator[None]:
    """The real worker, embedded: judges what is enqueued (Redis-queued when configured)."""
    runtime.worker.start_embedded(workers=1)
    yield
    runtime.worker.close()
