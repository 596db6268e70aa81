"""Issue 8/13: the API documentation works in a real browser with no network and the strict CSP.

The service runs under uvicorn on a free port; Chromium may reach only that port (any other
request is refused and recorded), and every console error (CSP refusals are logged there) fails.
"""

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from playwright.sync_api import Page, Request, Route, sync_playwright

from trust_lesson.app import create_app
from trust_lesson.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture
def service_url(settings: Settings) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings), port=port, log_level="warning", lifespan="on", log_config=None
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def offline_page(service_url: str) -> Iterator[tuple[Page, list[str]]]:
    problems: list[str] = []

    def only_the_service(route: Route, request: Request) -> None:
        if request.url.startswith(service_url):
            route.continue_()
        else:
            problems.append(f"network: {request.url}")
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page()
        page.route("**/*", only_the_service)
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        yield page, problems
        browser.close()


def test_swagger_ui_renders_every_route_offline_under_the_csp(
    service_url: str, offline_page: tuple[Page, list[str]]
) -> None:
    page, problems = offline_page

    page.goto(f"{service_url}/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
    page.wait_for_selector(".opblock", timeout=20_000)

    assert "Trust Lesson" in page.inner_text(".swagger-ui .info .title")
    assert page.locator(".opblock").count() > 40  # the operations of /openapi.json
    assert problems == []
