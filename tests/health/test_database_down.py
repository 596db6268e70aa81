"""Issue 8/8: the database down answers 503 with Retry-After everywhere, never a 500."""

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import create_async_engine

from tests.support.factories import make_user, signed_in
from tests.web.test_browser_sessions import browser_sign_in
from trust_lesson.db import create_engine, create_session_factory
from trust_lesson.runtime import Runtime

# A person's browser posting the sign-in form (the page test asks for the page, not JSON).
SIGN_IN_FORM = {"email": "a@school.example", "password": "x" * 12}
BROWSER = {"Accept": "text/html", "Sec-Fetch-Site": "same-origin"}

UNREACHABLE = {
    "postgresql": "postgresql+asyncpg://postgres@127.0.0.1:9/postgres",  # nothing listens
    "sqlite": "sqlite+aiosqlite:////nonexistent/folder/trust_lesson.db",  # cannot be opened
}


@pytest.mark.parametrize("kind", sorted(UNREACHABLE))
async def test_every_route_answers_503_while_the_database_is_down(
    app: FastAPI, client: httpx.AsyncClient, runtime: Runtime, kind: str
) -> None:
    student = await signed_in(client, runtime)
    engine = create_engine(UNREACHABLE[kind])
    working = runtime.engine, runtime.session_factory
    runtime.engine, runtime.session_factory = engine, create_session_factory(engine)
    try:
        answers = [
            await client.post(
                "/api/v1/auth/login", json={"email": "a@school.example", "password": "x" * 12}
            ),
            await client.get("/api/v1/courses", headers=student.headers),
            await client.get("/health/ready"),
        ]
    finally:
        runtime.engine, runtime.session_factory = working
        await engine.dispose()

    for answer in answers[:2]:
        assert answer.status_code == 503, answer.text
        assert answer.json()["code"] == "service_unavailable"
        assert "database" in answer.json()["detail"]
        assert answer.headers["retry-after"] == "5"
    assert answers[2].status_code == 503
    assert answers[2].json()["parts"]["database"] == "unavailable"


@pytest.mark.parametrize("kind", sorted(UNREACHABLE))
async def test_a_person_reads_the_outage_in_words_while_the_api_keeps_its_json(
    client: httpx.AsyncClient, runtime: Runtime, kind: str
) -> None:
    engine = create_engine(UNREACHABLE[kind])
    working = runtime.engine, runtime.session_factory
    runtime.engine, runtime.session_factory = engine, create_session_factory(engine)
    try:
        page = await client.post("/login", data=SIGN_IN_FORM, headers=BROWSER)
        api = await client.post(
            "/api/v1/auth/login", json=SIGN_IN_FORM, headers={"Accept": "application/json"}
        )
    finally:
        runtime.engine, runtime.session_factory = working
        await engine.dispose()

    assert page.status_code == 503, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["retry-after"] == "5"
    assert "Temporarily unavailable" in page.text
    assert "cannot reach its database right now" in page.text
    assert api.status_code == 503
    assert api.json() == {
        "detail": "The service cannot reach its database right now; please try again shortly.",
        "code": "service_unavailable",
    }
    assert api.headers["retry-after"] == "5"


@pytest.mark.parametrize("kind", sorted(UNREACHABLE))
async def test_a_signed_in_person_reads_the_outage_on_a_plain_page(
    client: httpx.AsyncClient, runtime: Runtime, kind: str
) -> None:
    """An error page shows a signed-in person's navigation only when finding them is safe: a
    5xx page never tries, and a 404 whose lookup fails stays plain."""
    student = await make_user(runtime)
    await browser_sign_in(client, student.email)
    engine = create_engine(UNREACHABLE[kind])
    working = runtime.engine, runtime.session_factory
    runtime.engine, runtime.session_factory = engine, create_session_factory(engine)
    try:
        outage = await client.get("/home", headers={"Accept": "text/html"})
        missing = await client.get("/no/such/page", headers={"Accept": "text/html"})
    finally:
        runtime.engine, runtime.session_factory = working
        await engine.dispose()

    assert outage.status_code == 503, outage.text
    assert "cannot reach its database right now" in outage.text
    assert outage.headers["retry-after"] == "5"
    assert missing.status_code == 404, missing.text
    assert "Page not found" in missing.text
    for page in (outage, missing):
        assert "Sign out" not in page.text and "<nav" not in page.text


async def test_no_free_database_connection_answers_503_busy_not_500(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    student = await signed_in(client, runtime)
    url = runtime.engine.url.render_as_string(hide_password=False)
    engine = create_async_engine(url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    working = runtime.engine, runtime.session_factory
    runtime.engine, runtime.session_factory = engine, create_session_factory(engine)
    try:
        async with engine.connect():  # the pool's one connection, held by someone else
            answer = await client.get("/api/v1/courses", headers=student.headers)
    finally:
        runtime.engine, runtime.session_factory = working
        await engine.dispose()

    assert answer.status_code == 503, answer.text
    assert answer.json()["code"] == "service_busy"
    assert "try again" in answer.json()["detail"]
    assert answer.headers["retry-after"] == "5"


async def test_a_person_reads_that_the_service_is_busy_in_words(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    url = runtime.engine.url.render_as_string(hide_password=False)
    engine = create_async_engine(url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    working = runtime.engine, runtime.session_factory
    runtime.engine, runtime.session_factory = engine, create_session_factory(engine)
    try:
        async with engine.connect():  # the pool's one connection, held by someone else
            page = await client.post("/login", data=SIGN_IN_FORM, headers=BROWSER)
    finally:
        runtime.engine, runtime.session_factory = working
        await engine.dispose()

    assert page.status_code == 503, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["retry-after"] == "5"
    assert "too busy to answer right now" in page.text
