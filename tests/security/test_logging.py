"""R20: security events are logged in UTC with the request id; no secrets; no forged lines."""

import io
import json
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.support.factories import PASSWORD, make_user
from trust_lesson.auth.tokens import token_digest
from trust_lesson.logs import JsonFormatter, PlainFormatter
from trust_lesson.runtime import Runtime

FORGED = '","level":"CRITICAL","message":"forged admin login'


class LogCapture:
    def __init__(self, formatter: logging.Formatter) -> None:
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(formatter)

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def entries(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines()]


def capture(formatter: logging.Formatter) -> Iterator[LogCapture]:
    logger = logging.getLogger("trust_lesson")
    catcher = LogCapture(formatter)
    previous = logger.level
    logger.addHandler(catcher.handler)
    logger.setLevel(logging.INFO)
    try:
        yield catcher
    finally:
        logger.removeHandler(catcher.handler)
        logger.setLevel(previous)


@pytest.fixture
def json_log() -> Iterator[LogCapture]:
    yield from capture(JsonFormatter())


@pytest.fixture
def plain_log() -> Iterator[LogCapture]:
    yield from capture(PlainFormatter())


async def sign_in_story(client: httpx.AsyncClient, runtime: Runtime) -> tuple[str, list[str]]:
    """A failed and a good sign-in, a profile read, a forged path, a sign-out."""
    person = await make_user(runtime)
    bad = {"email": person.email, "password": "a wrong passphrase!"}
    answers = [await client.post("/api/v1/auth/login", json=bad)]
    good = await client.post(
        "/api/v1/auth/login", json={"email": person.email, "password": PASSWORD}
    )
    token = good.json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    answers += [
        good,
        await client.get("/api/v1/users/me", headers=headers),
        await client.get("/api/v1/users/me" + quote("\n" + FORGED), headers=headers),
        await client.post("/api/v1/auth/logout", headers=headers),
    ]
    return token, [a.headers["x-request-id"] for a in answers]


async def test_a_sign_in_story_leaves_utc_json_lines_with_request_ids_and_no_secrets(
    client: httpx.AsyncClient, runtime: Runtime, json_log: LogCapture
) -> None:
    token, request_ids = await sign_in_story(client, runtime)

    entries = json_log.entries()
    assert len(entries) == len(json_log.text.splitlines()) >= 7
    assert all(e["time"].endswith("+00:00") for e in entries)
    assert {e["request_id"] for e in entries} == set(request_ids)
    events = [e.get("event") for e in entries]
    assert {"login_failed", "login", "logout"} <= set(events)
    for secret in (PASSWORD, "a wrong passphrase!", token, token_digest(token), "$argon2"):
        assert secret not in json_log.text
    assert all(e["level"] != "CRITICAL" for e in entries)
    assert any(FORGED in e["message"] for e in entries)  # kept, but inside one line's value


async def test_a_newline_cannot_forge_a_plain_log_line(
    client: httpx.AsyncClient, runtime: Runtime, plain_log: LogCapture
) -> None:
    await sign_in_story(client, runtime)

    lines = plain_log.text.splitlines()
    assert lines and not any(line.startswith(FORGED) for line in lines)
    assert all(line[:2].isdigit() for line in lines)  # every line starts with its own time


async def test_a_client_chosen_request_id_is_kept_only_when_it_is_plain(
    client: httpx.AsyncClient, json_log: LogCapture
) -> None:
    plain = await client.get("/health", headers={"X-Request-ID": "trace-12345678"})
    hostile = await client.get("/health", headers={"X-Request-ID": "x\r\nSet-Cookie: a=b"})
    oversized = await client.get("/health", headers={"X-Request-ID": "a" * 65})

    assert plain.headers["x-request-id"] == "trace-12345678"
    assert "\n" not in hostile.headers["x-request-id"]
    assert "set-cookie" not in hostile.headers
    assert len(oversized.headers["x-request-id"]) == 32
    logged = {e["request_id"] for e in json_log.entries()}
    assert logged == {
        "trace-12345678",
        hostile.headers["x-request-id"],
        oversized.headers["x-request-id"],
    }
