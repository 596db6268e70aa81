"""Report stories use clients whose every answer goes through the leak guard (R13)."""

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.support.http import service_client


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with service_client(app) as http:
        yield http
