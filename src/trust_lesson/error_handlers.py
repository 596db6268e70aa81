"""One place that turns errors into `{"detail", "code"}` JSON; never a stack trace (R21)."""

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException
from starlette.responses import Response

from trust_lesson.errors import DomainError
from trust_lesson.logs import request_id_var
from trust_lesson.middleware import BodyTooLarge, too_large_for_people
from trust_lesson.security_headers import add_security_headers
from trust_lesson.web.errors import error_page, wants_page
from trust_lesson.web.forms import readable

log = logging.getLogger("trust_lesson.errors")

_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
}


NO_PAGE = "There is no page at this address: check it, or start again from your start page."

# The database (or its connection) failing is an outage to wait out, not a bug to quote:
# 503 with Retry-After, like readiness says (issue 8/8). asyncpg's refused connection arrives
# as a plain ConnectionRefusedError, hence the socket-level errors.
DATABASE_DOWN = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(BodyTooLarge, _body_too_large)  # type: ignore[arg-type]
    for error in DATABASE_DOWN:
        app.add_exception_handler(error, _database_down)
    app.add_exception_handler(PoolTimeout, _service_busy)
    app.add_exception_handler(Exception, _unexpected_error)


async def _domain_error(request: Request, error: DomainError) -> Response:
    if wants_page(request):
        return await error_page(request, error.status_code, error.detail)
    return JSONResponse(error.body(), status_code=error.status_code, headers=error.headers)


async def _validation_error(request: Request, error: RequestValidationError) -> Response:
    problems = [_problem(item) for item in error.errors()]
    detail = "; ".join(f"{p['field']}: {p['message']}" for p in problems[:5])
    if wants_page(request):
        if _only_in_the_path(error):
            return await error_page(request, 404, NO_PAGE)
        return await error_page(request, 422, _for_people(error) or "The request is not valid.")
    body = {"detail": detail or "The request is not valid.", "code": "invalid", "errors": problems}
    return JSONResponse(body, status_code=422)


def _for_people(error: RequestValidationError) -> str:
    """A page's refusal: each value by its name and what to write instead ("page: Write 1 or
    more."), not pydantic's words or a regular expression (the API keeps those, with where)."""
    named = [
        f"{item['loc'][-1] if item.get('loc') else 'request'}: {readable(item)}"
        for item in error.errors()[:5]
    ]
    return "; ".join(named)


def _only_in_the_path(error: RequestValidationError) -> bool:
    """An address whose id is not one (`/lessons/abc/room`) names no page: for a person, 404."""
    places = [item.get("loc", ("",))[0] for item in error.errors()]
    return bool(places) and all(place == "path" for place in places)


def _problem(item: Any) -> dict[str, str]:
    location = [str(part) for part in item.get("loc", ()) if part != "body"]
    return {"field": ".".join(location) or "request", "message": str(item.get("msg", "invalid"))}


# Starlette's own words for an address no route answers, and for a form's address opened as
# a page (the address bar keeps it after a refused form): for people, what it means.
FORM_ADDRESS = (
    "This address receives a form; it is not a page to open. Go back to the page the form "
    "was on, or start again from your start page."
)


async def _http_error(request: Request, error: HTTPException) -> Response:
    if wants_page(request):
        return await error_page(request, error.status_code, _page_words(request, error))
    code = _HTTP_CODES.get(error.status_code, "error")
    body = {"detail": str(error.detail), "code": code}
    return JSONResponse(body, status_code=error.status_code, headers=error.headers)


def _page_words(request: Request, error: HTTPException) -> str:
    detail = str(error.detail)
    if (error.status_code, detail) == (404, "Not Found"):
        return NO_PAGE
    if error.status_code == 405 and request.method in ("GET", "HEAD"):
        return FORM_ADDRESS
    return detail


async def _body_too_large(request: Request, error: BodyTooLarge) -> Response:
    if wants_page(request):
        return await error_page(request, 413, too_large_for_people(error.max_bytes))
    return JSONResponse({"detail": error.detail, "code": "payload_too_large"}, status_code=413)


async def _database_down(request: Request, error: Exception) -> Response:
    log.error("database unavailable: %s", type(error).__name__, exc_info=error)
    body = {
        "detail": "The service cannot reach its database right now; please try again shortly.",
        "code": "service_unavailable",
    }
    return await _answer(request, body, status_code=503, headers={"Retry-After": "5"})


async def _service_busy(request: Request, error: Exception) -> Response:
    """Every database connection of this process stayed busy for the pool's whole timeout: an
    overload to wait out (503 with Retry-After), not a bug to quote (a 500 before: capacity
    bench, PostgreSQL, 10,000 students)."""
    log.warning("no database connection free in time: %s", error)
    body = {
        "detail": "The service is too busy to answer right now; please try again in a few seconds.",
        "code": "service_busy",
    }
    return await _answer(request, body, status_code=503, headers={"Retry-After": "5"})


async def _answer(
    request: Request,
    body: dict[str, str],
    *,
    status_code: int,
    headers: dict[str, str] | None = None,
) -> Response:
    """A person's browser gets the error page with the same words; API clients the JSON body."""
    if wants_page(request):
        response = await error_page(request, status_code, body["detail"])
        response.headers.update(headers or {})
        return response
    return JSONResponse(body, status_code=status_code, headers=headers)


async def _unexpected_error(request: Request, error: Exception) -> Response:
    """Runs in Starlette's outermost middleware, after the request context has been left."""
    request_id = getattr(request.state, "request_id", None) or uuid.uuid4().hex
    token = request_id_var.set(request_id)
    try:
        log.exception("unexpected error", extra={"path": request.url.path})
    finally:
        request_id_var.reset(token)
    body = {
        "detail": f"Something went wrong on our side. Quote {request_id} if you report it.",
        "code": "internal_error",
        "request_id": request_id,
    }
    response = await _answer(request, body, status_code=500, headers={"X-Request-ID": request_id})
    add_security_headers(response.headers, https=request.url.scheme == "https")
    return response
