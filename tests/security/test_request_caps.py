"""R15: request bodies and page sizes are capped."""

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.support.clock import FakeClock
from tests.support.factories import signed_in
from tests.support.http import running_app, service_client
from trust_lesson.models import Role
from trust_lesson.runtime import Runtime
from trust_lesson.settings import Settings

CAP = 4096


def padded_account(size: int) -> bytes:
    body = b'{"email":"big@school.example","full_name":"Big","username":"big","password":"'
    return body + b"x" * (size - len(body) - 2) + b'"}'


async def chunks(data: bytes, size: int = 1000) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def assert_too_large(response: httpx.Response) -> None:
    assert response.status_code == 413, response.text
    assert response.json()["code"] == "payload_too_large"


@pytest.fixture
def small_cap(settings: Settings) -> Settings:
    return settings.model_copy(update={"max_request_bytes": CAP})


async def test_a_declared_body_over_the_cap_is_refused_before_it_is_read(
    small_cap: Settings, clock: FakeClock
) -> None:
    async with running_app(small_cap, clock) as app, service_client(app) as client:
        response = await client.post(
            "/api/v1/auth/register",
            content=padded_account(CAP + 1),
            headers={"Content-Type": "application/json"},
        )

        assert_too_large(response)
        at_the_cap = await client.post(
            "/api/v1/auth/register",
            content=padded_account(CAP),
            headers={"Content-Type": "application/json"},
        )
        assert at_the_cap.status_code == 422  # read and judged: the password is too long


async def test_a_chunked_body_over_the_cap_is_cut_off_while_streaming(
    small_cap: Settings, clock: FakeClock
) -> None:
    async with running_app(small_cap, clock) as app, service_client(app) as client:
        response = await client.post(
            "/api/v1/auth/register",
            content=chunks(padded_account(CAP * 3)),
            headers={"Content-Type": "application/json"},
        )

        assert "content-length" not in response.request.headers
        assert_too_large(response)


async def test_a_lying_content_length_does_not_get_past_the_cap(
    small_cap: Settings, clock: FakeClock
) -> None:
    async with running_app(small_cap, clock) as app, service_client(app) as client:
        response = await client.post(
            "/api/v1/auth/login",
            content=chunks(padded_account(CAP * 3)),
            headers={"Content-Type": "application/json", "Content-Length": "10"},
        )

        assert response.status_code in (400, 413, 422)
        assert "x" * 100 not in response.text


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_browser_sending_too_big_a_file_gets_a_page_not_json(
    small_cap: Settings, clock: FakeClock, streamed: bool
) -> None:
    """A teacher who picks a huge spreadsheet reads the problem in words (not the API's JSON),
    whether the browser declared the size or the body was cut off while streaming."""
    body = b'--b\r\nContent-Disposition: form-data; name="file"; filename="plan.xlsx"\r\n\r\n'
    body += b"x" * (CAP * 3) + b"\r\n--b--\r\n"
    async with running_app(small_cap, clock) as app, service_client(app) as client:
        response = await client.post(
            "/admin/terms/1/import",
            content=chunks(body) if streamed else body,
            headers={"Content-Type": "multipart/form-data; boundary=b", "Accept": "text/html"},
        )

    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "What you sent is larger than 4 KB" in response.text
    assert "choose a smaller file" in response.text


async def test_the_default_cap_is_sixteen_mebibytes(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/login",
        content=b"{" + b" " * (16 * 1024 * 1024) + b"}",
        headers={"Content-Type": "application/json"},
    )

    assert_too_large(response)


@pytest.mark.parametrize(
    "query",
    [
        {"limit": 10**6},
        {"limit": 201},
        {"limit": 0},
        {"limit": -1},
        {"offset": -1},
        {"offset": 10**12},
        {"limit": "all"},
    ],
)
async def test_a_page_size_over_the_cap_is_refused(
    client: httpx.AsyncClient, runtime: Runtime, query: dict[str, object]
) -> None:
    admin = await signed_in(client, runtime, Role.ADMIN)

    response = await client.get("/api/v1/users", headers=admin.headers, params=query)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


async def test_the_largest_allowed_page_is_served(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await signed_in(client, runtime, Role.ADMIN)

    response = await client.get("/api/v1/users", headers=admin.headers, params={"limit": 200})

    assert response.status_code == 200


async def test_the_page_size_cap_is_the_setting(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await signed_in(client, runtime, Role.ADMIN)
    runtime.settings = runtime.settings.model_copy(update={"max_page_size": 20})

    over = await client.get("/api/v1/users", headers=admin.headers, params={"limit": 21})
    largest = await client.get("/api/v1/users", headers=admin.headers, params={"limit": 20})

    assert over.status_code == 422
    assert over.json()["detail"] == "limit: at most 20 per page."
    assert largest.status_code == 200
