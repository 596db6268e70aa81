"""What every page must be, checked on the HTML itself; a browser context whose pages are so
checked; and signing in through the page."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

from playwright.async_api import Browser, BrowserContext, Page, Route

from tests.support.factories import PASSWORD
from tests.support.live_server import LiveService


class _InlineCode(HTMLParser):
    """Finds what a strict CSP refuses: inline script, inline handlers, style attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name.lower(): value or "" for name, value in attrs}
        if tag == "script":
            self._in_script = True
            if "src" not in names:
                self.problems.append("a <script> without src")
        if tag == "style":
            self.problems.append("a <style> element")
        for name, value in names.items():
            if name.startswith("on"):
                self.problems.append(f"an inline handler {name} on <{tag}>")
            if name == "style":
                self.problems.append(f"a style attribute on <{tag}>")
            if value.strip().lower().startswith("javascript:"):
                self.problems.append(f"a javascript: URL in {name} on <{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append("code inside a <script> element")


def inline_code(html: str) -> list[str]:
    parser = _InlineCode()
    parser.feed(html)
    return parser.problems


@dataclass
class PageAudit:
    """Every HTML page a browser context loads: its CSP header and no inline code in it."""

    seen: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    async def attach(self, context: BrowserContext) -> None:
        await context.route("**/*", self._inspect)

    async def _inspect(self, route: Route) -> None:
        content_type = await route.request.header_value("content-type") or ""
        if route.request.resource_type != "document" or content_type.startswith("multipart/"):
            # Chromium hands intercepted uploads over without their file parts: let them pass.
            await route.fallback()
            return
        response = await route.fetch(max_redirects=0)
        url = route.request.url
        if "text/html" in response.headers.get("content-type", ""):
            self.seen.append(url)
            if "script-src 'self'" not in response.headers.get("content-security-policy", ""):
                self.problems.append(f"{url}: no strict Content-Security-Policy")
            self.problems.extend(f"{url}: {p}" for p in inline_code(await response.text()))
        await route.fulfill(response=response)


async def new_context(
    browser: Browser, live: LiveService, audit: PageAudit, **options: object
) -> BrowserContext:
    """A context on the live service whose pages are audited; `options` as Playwright's."""
    settings: dict[str, object] = {"viewport": {"width": 1000, "height": 800}, **options}
    context = await browser.new_context(base_url=live.url, **settings)  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
    await audit.attach(context)
    return context


async def sign_in(page: Page, email: str, password: str = PASSWORD, *, next: str = "") -> None:
    """Through the sign-in page, as a person would; waits until it has left /login."""
    await page.goto(f"/login?next={next}" if next else "/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(lambda url: "/login" not in url)
