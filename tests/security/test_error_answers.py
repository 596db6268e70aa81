"""R21: an unexpected failure answers 500 with a correlation id only, never a stack trace."""

import io
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from tests.support.clock import FakeClock
from tests.support.http import service_client
from trust_lesson.app import create_app
from trust_lesson.logs import JsonFormatter
from trust_lesson.settings import Settings

BROWSER = {"Accept": "text/html,application/xhtml+xml"}
SECRET_DETAIL = "db password is hunter2 at /srv/trust_lesson/secret.py"


async def explode() -> None:
    raise RuntimeError(SECRET_DETAIL)


async def lose_the_database() -> None:
    raise ConnectionRefusedError(SECRET_DETAIL)


@pytest.fixture
async def fragile_client(settings: Settings, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    """The real app plus one route that always fails; only this test instance has it."""
    application: FastAPI = create_app(settings, clock=clock)
    application.add_api_route("/test-only/explode", explode, methods=["GET", "POST"])
    application.add_api_route("/test-only/database-down", lose_the_database)
    async with LifespanManager(application), service_client(application) as client:
        yield client


async def test_a_forced_exception_answers_500_with_only_a_correlation_id(
    fragile_client: httpx.AsyncClient,
) -> None:
    response = await fragile_client.get("/test-only/explode")

    assert response.status_code == 500
    body = response.json()
    assert set(body) == {"detail", "code", "request_id"}
    assert body["code"] == "internal_error"
    assert body["request_id"] and body["request_id"] == response.headers["x-request-id"]
    for clue in ("Traceback", "RuntimeError", "hunter2", "secret.py", 'File "', "line "):
        assert clue not in response.text


async def test_a_person_in_a_browser_reads_a_page_with_the_reference_not_json(
    fragile_client: httpx.AsyncClient,
) -> None:
    response = await fragile_client.get("/test-only/explode", headers=BROWSER)

    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "Something went wrong" in response.text
    assert f"Quote {response.headers['x-request-id']} if you report it." in response.text
    assert "script-src 'self'" in response.headers["content-security-policy"]
    for clue in ('"detail"', "Traceback", "RuntimeError", "hunter2", "secret.py"):
        assert clue not in response.text


async def test_a_lost_database_is_a_try_again_page_for_a_person_and_json_for_the_api(
    fragile_client: httpx.AsyncClient,
) -> None:
    page = await fragile_client.get("/test-only/database-down", headers=BROWSER)
    api = await fragile_client.get("/test-only/database-down")

    assert page.status_code == api.status_code == 503
    assert page.headers["retry-after"] == api.headers["retry-after"] == "5"
    assert "Temporarily unavailable" in page.text
    assert "please try again shortly" in page.text
    assert api.json()["code"] == "service_unavailable"
    assert "hunter2" not in page.text + api.text


async def test_the_failure_is_logged_with_the_same_id_for_the_operator(
    fragile_client: httpx.AsyncClient,
) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logging.getLogger("trust_lesson").addHandler(handler)
    try:
        response = await fragile_client.post("/test-only/explode", json={"a": 1})
    finally:
        logging.getLogger("trust_lesson").removeHandler(handler)

    request_id = response.json()["request_id"]
    logged = stream.getvalue()
    assert "RuntimeError" in logged and request_id in logged


async def test_errors_the_client_caused_are_plain_json_too(
    fragile_client: httpx.AsyncClient,
) -> None:
    answers = [
        await fragile_client.get("/no/such/route"),
        await fragile_client.delete("/health"),
        await fragile_client.post(
            "/api/v1/auth/login", content=b"{not json", headers={"Content-Type": "application/json"}
        ),
    ]

    assert [a.status_code for a in answers] == [404, 405, 422]
    for answer in answers:
        assert set(answer.json()) >= {"detail", "code"}
        assert "Traceback" not in answer.text
