"""An app is built per test: once stopped and dropped, nothing of it may stay behind."""

import gc
import weakref

from asgi_lifespan import LifespanManager

from tests.support.http import service_client
from trust_lesson.app import create_app
from trust_lesson.settings import Settings


async def test_an_app_that_has_served_and_stopped_is_freed(settings: Settings) -> None:
    """FastAPI caches 4,096 endpoints process-wide: one closing over its app kept every app."""
    app = create_app(settings)
    async with LifespanManager(app), service_client(app) as http:
        for path in ("/docs", "/health", "/login"):
            assert (await http.get(path)).status_code == 200
    engine = weakref.ref(app.state.runtime.engine)
    stopped = weakref.ref(app)

    del app, http
    gc.collect()

    assert stopped() is None
    assert engine() is None
