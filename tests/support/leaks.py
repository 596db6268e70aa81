"""R13 for every response a test client sees: no secrets in any body.

Every client built by `service_client` runs `LeakGuard.check` on each response, so any test in
the suite that provokes a leak fails, whatever it was testing. The guard refuses:
- password hashes (`$argon2`), and keys that name secrets (`password_hash`, `token_hash`, ...)
  anywhere but in the OpenAPI schema, whose keys are the names of the fields it describes;
- any password the request itself carried, echoed back (also in error messages);
- any session token issued in the run showing up anywhere but the login answer that issued it.
"""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

LOGIN_PATH = "/api/v1/auth/login"
SCHEMA_PATH = "/openapi.json"  # names the fields (`password` among them) but holds no values
FORBIDDEN_MARKERS = ("$argon2", "password_hash", "token_hash")
SECRET_KEY = re.compile(r"password|hash|token|secret|embedding|descriptor|storage_key", re.I)
LOGIN_KEYS = frozenset({"access_token", "token_type"})
PASSWORD_FIELDS = ("password", "current_password")


@dataclass
class LeakGuard:
    issued_tokens: set[str] = field(default_factory=set)
    checked: int = 0

    async def check(self, response: httpx.Response) -> None:
        await response.aread()
        self.checked += 1
        text = response.text
        path = response.request.url.path
        for marker in FORBIDDEN_MARKERS:
            assert marker not in text, f"{path} answered with {marker!r}: {text[:300]}"
        for password in _passwords_sent(response.request):
            assert password not in text, f"{path} echoed a password back: {text[:300]}"
        own = self._token_issued_by(response)
        for token in self.issued_tokens - {own}:
            assert token not in text, f"{path} answered with a session token: {text[:300]}"
        keys = _text_keys(_json_or_none(text)) if path != SCHEMA_PATH else iter(())
        for key in keys:
            allowed = path == LOGIN_PATH and key in LOGIN_KEYS
            assert allowed or not SECRET_KEY.search(key), f"{path} answered with key {key!r}"

    def _token_issued_by(self, response: httpx.Response) -> str | None:
        if response.request.url.path != LOGIN_PATH or response.status_code != 200:
            return None
        token = str(response.json()["access_token"])
        self.issued_tokens.add(token)
        return token


def _passwords_sent(request: httpx.Request) -> list[str]:
    try:
        content = request.content
    except httpx.RequestNotRead:  # a streamed body: nothing kept to compare with
        return []
    body = _json_or_none(content.decode("utf-8", "replace")) if content else None
    if not isinstance(body, dict):
        return []
    values = (body.get(name) for name in PASSWORD_FIELDS)
    return [value for value in values if isinstance(value, str) and len(value) >= 6]


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _text_keys(value: Any) -> Iterator[str]:
    """Keys whose values could hold a secret: counts, flags and nulls cannot."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if inner is not None and not isinstance(inner, bool | int):
                yield str(key)
            yield from _text_keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _text_keys(inner)


_GUARD = LeakGuard()


def leak_guard() -> LeakGuard:
    """One guard for the whole run, so a token issued by one test is foreign to all others."""
    return _GUARD
