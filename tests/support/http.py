"""HTTP clients for the app under test, each checked by the run's leak guard (R13)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from tests.support.leaks import leak_guard
from trust_lesson.app import create_app
from trust_lesson.clock import Clock
from trust_lesson.settings import Settings

BASE_URL = "http://testserver"


def service_client(app: FastAPI, *, address: str = "127.0.0.1") -> httpx.AsyncClient:
    """A client calling the app in process from `address`; every answer is scanned for leaks."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(address, 50000))
    return httpx.AsyncClient(
        transport=transport,
        base_url=BASE_URL,
        event_hooks={"response": [leak_guard().check]},
    )


@asynccontextmanager
async def running_app(settings: Settings, clock: Clock) -> AsyncIterator[FastAPI]:
    """Another instance of the service, for a story that needs settings of its own."""
    application = create_app(settings, clock=clock)
    async with LifespanManager(application):
        yield application
