"""Browser-test fixtures shared by every page test.

Playwright's async API on one session-wide event loop (its sync API would leave a running
loop behind that breaks every asyncio test after it in the same process). So a browser test
module starts with

    pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="session")]

- `browser`: one headless Chromium (Debian's) per test session, no camera.
- `camera_browser(video)`: a Chromium whose fake webcam plays `video`; one per file, cached for
  the session (the video is a launch flag, so it cannot change per page).
- `face_videos(picture)`: a 640x480 y4m clip of a shared test picture, made once with ffmpeg.
- `live`: the service on a free port, once per test module, on the suite's database
  (SQLite, or PostgreSQL + Redis with TL_TEST_DATABASE_URL / TL_TEST_REDIS_URL); `live.clock`
  moves the service clock, `await live.call(coro)` arranges data on the service's own loop.
- `page`: a fresh browser context (no cookies) on `live`, closed after the test; every HTML
  page it loads is audited (strict CSP header, no inline script, handler or style).
  `new_context(browser, live, page_audit, **options)` (tests/support/pages.py) makes more
  (a second person, a camera).
- `browsers`: the signed-in pages a story opens (tests/web/classroom.py), each in a context of
  its own on `live`, closed after the test.
- `http`: an API client on `live`.

A module that overrides `live` (say, to run the worker with the real models) gets `page`,
`browsers` and `http` on its own service.
"""

import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, Playwright, async_playwright

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, camera_args, face_video
from tests.support.databases import SuiteDatabases
from tests.support.live_server import LiveService, live_service
from tests.support.pages import PageAudit, new_context
from tests.web.classroom import Browsers


def browser_available() -> bool:
    return Path(CHROMIUM).exists() and shutil.which("ffmpeg") is not None


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def playwright() -> AsyncIterator[Playwright]:
    if not browser_available():
        pytest.skip("browser tests need /usr/bin/chromium and ffmpeg (make browser)")
    async with async_playwright() as driver:
        yield driver


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser(playwright: Playwright) -> AsyncIterator[Browser]:
    chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    await chromium.close()


CameraBrowser = Callable[[Path], Awaitable[Browser]]


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def camera_browser(playwright: Playwright) -> AsyncIterator[CameraBrowser]:
    launched: dict[Path, Browser] = {}

    async def launch(video: Path) -> Browser:
        if video not in launched:
            launched[video] = await playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS + camera_args(video)
            )
        return launched[video]

    yield launch
    for chromium in launched.values():
        await chromium.close()


@pytest.fixture(scope="session")
def face_videos(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], Path]:
    folder = tmp_path_factory.mktemp("webcam")

    def make(picture: Path) -> Path:
        return face_video(picture, folder / f"{picture.parent.name}-{picture.stem}.y4m")

    return make


@pytest.fixture(scope="module")
def live(
    databases: SuiteDatabases, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveService]:
    with live_service(databases, tmp_path_factory.mktemp("var")) as service:
        yield service


@pytest.fixture
def page_audit() -> Iterator[PageAudit]:
    audit = PageAudit()
    yield audit
    assert not audit.problems, "\n".join(audit.problems)


@pytest_asyncio.fixture(loop_scope="session")
async def page(browser: Browser, live: LiveService, page_audit: PageAudit) -> AsyncIterator[Page]:
    context = await new_context(browser, live, page_audit)
    yield await context.new_page()
    await context.close()


@pytest_asyncio.fixture(loop_scope="session")
async def browsers(live: LiveService, page_audit: PageAudit) -> AsyncIterator[Browsers]:
    opened = Browsers(live, page_audit)
    yield opened
    await opened.close()


@pytest_asyncio.fixture(loop_scope="session")
async def http(live: LiveService) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as client:
        yield client
