"""Pure ASGI middleware: request ids with an access log, and the request body cap (R15)."""

import logging
import re
import time
import uuid

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trust_lesson.logs import client_address_var, request_id_var
from trust_lesson.web.errors import error_page, wants_page

log = logging.getLogger("trust_lesson.access")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or uuid.uuid4().hex
        # Also kept in the request state: the 500 handler runs outside this middleware (R21).
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        client = scope.get("client")
        address_token = client_address_var.set(client[0] if client else None)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"].append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log.info(
                "%s %s -> %s",
                scope["method"],
                scope["path"],
                status,
                extra={"duration_ms": round((time.perf_counter() - started) * 1000, 1)},
            )
            request_id_var.reset(token)
            client_address_var.reset(address_token)


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            return candidate if _SAFE_ID.match(candidate) else None
    return None


class BodySizeLimitMiddleware:
    """Refuses bodies over the cap with 413, by Content-Length or while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _declared_length(scope) > self.max_bytes:
            request = Request(scope, receive)
            if wants_page(request):
                page = await error_page(request, 413, too_large_for_people(self.max_bytes))
                await page(scope, receive, send)
                return
            await _too_large(send, self.max_bytes)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, counting_receive, send)


class BodyTooLarge(HTTPException):
    """An HTTPException so FastAPI's body parsing re-raises it instead of answering 400."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"The request body is larger than {max_bytes} bytes.")
        self.max_bytes = max_bytes


def too_large_for_people(max_bytes: int) -> str:
    """The 413 in words for a page (a person who picked too big a file), not in bytes."""
    size = (
        f"{max_bytes / (1024 * 1024):.3g} MB"
        if max_bytes >= 1024 * 1024
        else f"{max_bytes / 1024:.3g} KB"
    )
    return (
        f"What you sent is larger than {size}, the most this service accepts at once. "
        "Go back and choose a smaller file."
    )


def _declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            return int(value) if value.isdigit() else 0
    return 0


async def _too_large(send: Send, max_bytes: int) -> None:
    body = (
        b'{"detail":"The request body is larger than the limit of '
        + str(max_bytes).encode()
        + b' bytes.","code":"payload_too_large"}'
    )
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
