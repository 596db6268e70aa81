"""Issue 8/13: every answer carries the security headers; token answers are never cached."""

import httpx
import pytest
from fastapi import FastAPI

from tests.support.factories import PASSWORD, make_user
from tests.support.http import service_client
from trust_lesson.runtime import Runtime

CSP_DIRECTIVES = {
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
}


def assert_protected(response: httpx.Response) -> None:
    directives = {part.strip() for part in response.headers["content-security-policy"].split(";")}
    assert directives == CSP_DIRECTIVES
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/health"),
        ("GET", "/docs"),
        ("GET", "/redoc"),  # 404: ReDoc needs inline styles, not offered
        ("GET", "/"),  # redirect
        ("GET", "/api/v1/users/me"),  # 401
        ("GET", "/api/v1/nowhere"),  # 404
        ("DELETE", "/health"),  # 405
        ("POST", "/api/v1/auth/login"),  # 422
    ],
)
async def test_every_answer_carries_the_headers(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await client.request(method, path)

    assert_protected(response)
    assert "strict-transport-security" not in response.headers  # plain http: no HSTS


async def test_a_sign_in_answer_is_never_stored_by_a_cache(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    user = await make_user(runtime)

    response = await client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}
    )

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert_protected(response)


async def test_https_answers_add_strict_transport_security(app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="https://school.example") as http:
        response = await http.get("/health")

    assert response.headers["strict-transport-security"].startswith("max-age=31536000")


async def test_the_documentation_assets_are_served_by_the_service_and_cacheable(
    client: httpx.AsyncClient,
) -> None:
    page = (await client.get("/docs")).text
    assert "cdn" not in page.lower() and "<script>" not in page  # no CDN, no inline script

    for asset in ("ui/swagger-ui-bundle.js", "ui/swagger-ui.css", "app/swagger-init.js"):
        response = await client.get(f"/docs/assets/{asset}")
        assert response.status_code == 200, asset
        assert response.headers["cache-control"] == "public, max-age=86400"
        assert_protected(response)


async def test_even_an_unexpected_failure_carries_the_headers(app: FastAPI) -> None:
    async def explode() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/test-only/explode", explode)
    async with service_client(app) as http:
        response = await http.get("/test-only/explode")

    assert response.status_code == 500
    assert_protected(response)
    assert response.headers["cache-control"] == "no-store"
