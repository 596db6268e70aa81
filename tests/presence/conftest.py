"""Fixtures of the live-presence stories: a client whose every answer is scanned for leaks."""

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.support.http import service_client


@pytest.fixture
async def api(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with service_client(app) as client:
        yield client
