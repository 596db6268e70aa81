"""Security headers on every response, from one middleware (ASVS 3.4, 14.3; R21)."""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Strict: only our own scripts, styles and media; no inline script or style; no framing of us.
# `frame-src https:` lets a page embed a lesson's video call; blob:/data: serve webcam previews.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "frame-src https:",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "object-src 'none'",
    )
)
HSTS = "max-age=31536000; includeSubDomains"

_ALWAYS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "geolocation=(), payment=(), usb=()"),
)


class SecurityHeadersMiddleware:
    """Adds the headers above; HSTS only over https; `no-store` unless a route chose caching.

    Every answer of this service is personal (tokens, verdicts, pictures) unless a route says
    otherwise by setting Cache-Control itself (the bundled documentation assets do).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_security_headers(MutableHeaders(scope=message), https=https)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def add_security_headers(headers: MutableHeaders, *, https: bool) -> None:
    """The headers every answer carries; also used by the 500 handler, which runs outside."""
    for name, value in _ALWAYS:
        headers.setdefault(name, value)
    headers.setdefault("Cache-Control", "no-store")
    if https:
        headers.setdefault("Strict-Transport-Security", HSTS)
