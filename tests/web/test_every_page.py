"""Every page the service renders carries the strict CSP and no inline script (R09, issue 9).

The pages without path parameters are found in the app's page routers, so a new page is
checked without anyone adding it here; pages of one record are audited in the browser tests
(`page_audit`)."""

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from tests.support.factories import PASSWORD, make_user
from tests.support.pages import inline_code
from trust_lesson.app import PAGES
from trust_lesson.models import Role
from trust_lesson.runtime import Runtime

HTML = {"Accept": "text/html"}


def page_paths() -> list[str]:
    return sorted(
        route.path
        for router in PAGES
        for route in router.routes
        if isinstance(route, APIRoute) and "GET" in route.methods and "{" not in route.path
    )


@pytest.mark.parametrize("role", [None, Role.STUDENT, Role.INSTRUCTOR, Role.ADMIN])
async def test_every_page_has_the_policy_and_no_inline_script(
    app: FastAPI, client: httpx.AsyncClient, runtime: Runtime, role: Role | None
) -> None:
    if role is not None:
        person = await make_user(runtime, role)
        signed = await client.post(
            "/login",
            data={"email": person.email, "password": PASSWORD},
            headers={"Sec-Fetch-Site": "same-origin"},
        )
        assert signed.status_code == 303
    paths = [*page_paths(), "/no/such/page"]
    assert "/login" in paths

    for path in paths:
        answer = await client.get(path, headers=HTML, follow_redirects=True)
        assert "script-src 'self'" in answer.headers["content-security-policy"], path
        if "text/html" in answer.headers.get("content-type", ""):
            assert inline_code(answer.text) == [], path
