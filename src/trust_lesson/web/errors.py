"""Errors as pages for browsers (403, 404, ...); the API keeps its JSON bodies."""

from urllib.parse import quote

from fastapi import Request
from starlette.responses import RedirectResponse, Response

from trust_lesson.web.dependencies import viewer_if_signed_in
from trust_lesson.web.templating import render

_TITLES = {
    400: "Something in the request is not right",
    403: "You may not open this page",
    404: "Page not found",
    405: "Not allowed here",
    409: "This clashes with something that exists",
    413: "Too large",
    415: "This kind of file is not accepted",
    422: "Something in the form or address is not valid",
    429: "Too many attempts",
    503: "Temporarily unavailable",
}


def wants_page(request: Request) -> bool:
    """A browser asking for a page (not the health checks, not the docs); the API only when a
    person opened its address in the browser window (a page's link to a certificate's PDF:
    Fetch Metadata says `document`), never for a script's or an API client's call."""
    path = request.url.path
    if path.startswith(("/health", "/docs", "/openapi.json", "/static/", "/.well")):
        return False
    if path.startswith("/api/") and request.headers.get("sec-fetch-dest") != "document":
        return False
    return "text/html" in request.headers.get("accept", "")


async def error_page(request: Request, status_code: int, detail: str) -> Response:
    """401 leads to the sign-in page (and back afterwards, to a page: a form's address, such
    as /logout's, is no page to come back to); others get a page with the reason, and the
    signed-in person's navigation with Sign out. A 5xx page never looks the person up: the
    database may be what failed."""
    if status_code == 401 and request.method not in ("GET", "HEAD"):
        return RedirectResponse("/login", status_code=303)
    if status_code == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    title = _TITLES.get(status_code, "Something went wrong")
    viewer = await viewer_if_signed_in(request) if status_code < 500 else None
    return render(
        request,
        "errors/error.html",
        user=viewer.user if viewer else None,
        csrf=viewer.csrf if viewer else "",
        status_code=status_code,
        title=title,
        detail=detail,
        status=status_code,
    )
