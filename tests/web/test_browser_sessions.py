"""Browser sessions (R09): the cookie's flags, CSRF on every state-changing request, Bearer
unchanged for API clients. In process, no browser needed."""

import re

import httpx
from fastapi import FastAPI

from tests.support.factories import PASSWORD, login, make_user
from trust_lesson.models import User
from trust_lesson.runtime import Runtime
from trust_lesson.web.browser_session import csrf_token

SAME_SITE = {"Sec-Fetch-Site": "same-origin"}
OTHER_SITE = {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}


async def browser_sign_in(client: httpx.AsyncClient, email: str) -> str:
    """Signs in through the page form; returns the CSRF token the pages carry."""
    answer = await client.post(
        "/login", data={"email": email, "password": PASSWORD}, headers=SAME_SITE
    )
    assert answer.status_code == 303, answer.text
    page = await client.get("/password", headers={"Accept": "text/html"})
    found = re.search(r'name="csrf-token" content="([0-9a-f]+)"', page.text)
    assert found is not None
    return found.group(1)


async def test_over_https_the_cookie_is_secure_host_only_http_only_and_lax(
    app: FastAPI, runtime: Runtime
) -> None:
    student = await make_user(runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://school.example") as web:
        answer = await web.post(
            "/login", data={"email": student.email, "password": PASSWORD}, headers=SAME_SITE
        )

    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("__Host-tl_session=")
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "secure", "path=/", "samesite=lax"} <= flags
    assert not any(flag.startswith("domain") for flag in flags)


async def test_over_http_the_cookie_is_http_only_and_lax(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    student = await make_user(runtime)

    answer = await client.post(
        "/login", data={"email": student.email, "password": PASSWORD}, headers=SAME_SITE
    )

    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("tl_session=")
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "path=/", "samesite=lax"} <= flags
    assert "secure" not in flags


async def test_a_cross_site_post_without_the_token_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    student = await make_user(runtime)
    await browser_sign_in(client, student.email)
    change = {"current_password": PASSWORD, "new_password": "a brand new passphrase"}
    change["repeat_password"] = change["new_password"]

    form = await client.post("/password", data=change, headers=OTHER_SITE)
    api = await client.patch("/api/v1/users/me", json={"full_name": "Hijacked"}, headers=OTHER_SITE)

    assert form.status_code == 403
    assert api.status_code == 403
    assert api.json()["code"] == "forbidden"
    await login(client, student.email, PASSWORD)  # the old password still works
    async with runtime.session_factory() as db:
        assert (await db.get_one(User, student.id)).full_name == student.full_name


async def test_the_token_must_be_this_sessions_and_come_from_this_site(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    student = await make_user(runtime)
    token = await browser_sign_in(client, student.email)
    someone_elses = csrf_token(runtime.settings.resolved_secret_key(), "another session")

    wrong = await client.patch(
        "/api/v1/users/me", json={"full_name": "A"}, headers={"X-CSRF-Token": someone_elses}
    )
    other_site = await client.patch(
        "/api/v1/users/me", json={"full_name": "B"}, headers={"X-CSRF-Token": token, **OTHER_SITE}
    )
    right = await client.patch(
        "/api/v1/users/me", json={"full_name": "Renamed"}, headers={"X-CSRF-Token": token}
    )

    assert (wrong.status_code, other_site.status_code, right.status_code) == (403, 403, 200)
    assert right.json()["full_name"] == "Renamed"


async def test_a_form_with_its_token_works_and_reading_needs_none(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    student = await make_user(runtime)
    token = await browser_sign_in(client, student.email)

    me = await client.get("/api/v1/users/me")
    signed_out = await client.post("/logout", data={"csrf_token": token}, headers=SAME_SITE)

    assert me.status_code == 200
    assert signed_out.status_code == 303
    assert (await client.get("/api/v1/users/me")).status_code == 401


async def test_bearer_clients_need_no_csrf_token(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    student = await make_user(runtime)
    headers = await login(client, student.email)

    answer = await client.patch(
        "/api/v1/users/me", json={"full_name": "Still Fine"}, headers=headers
    )

    assert answer.status_code == 200


async def test_a_sign_in_posted_from_another_site_is_refused(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    student = await make_user(runtime)

    answer = await client.post(
        "/login", data={"email": student.email, "password": PASSWORD}, headers=OTHER_SITE
    )

    assert answer.status_code == 403
    assert "set-cookie" not in answer.headers


async def test_pages_answer_browsers_with_pages_and_the_api_keeps_json(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    html = {"Accept": "text/html"}

    missing_page = await client.get("/no/such/page", headers=html)
    missing_api = await client.get("/api/v1/no/such/thing", headers=html)
    signed_out = await client.get("/password", headers=html)

    assert missing_page.status_code == 404
    assert "Page not found" in missing_page.text
    assert missing_api.json()["code"] == "not_found"
    assert signed_out.status_code == 303
    assert signed_out.headers["location"] == "/login?next=%2Fpassword"


async def test_a_signed_in_persons_error_pages_keep_their_navigation_and_a_working_sign_out(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    student = await make_user(runtime)
    await browser_sign_in(client, student.email)
    html = {"Accept": "text/html"}

    missing = await client.get("/no/such/page", headers=html)
    forbidden = await client.get("/admin/users", headers=html)
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', missing.text)
    assert token is not None
    signed_out = await client.post(
        "/logout", data={"csrf_token": token.group(1)}, headers={**SAME_SITE, **html}
    )
    missing_after = await client.get("/no/such/page", headers=html)

    assert missing.status_code == 404 and forbidden.status_code == 403
    for page in (missing, forbidden):
        assert '<nav aria-label="Main">' in page.text
        assert '<a href="/certificates">Certificates and data</a>' in page.text
        assert f"{student.full_name} (student)" in page.text
        assert ">Sign out</button>" in page.text
    assert signed_out.status_code == 303
    assert missing_after.status_code == 404
    assert "Page not found" in missing_after.text
    assert "Sign out" not in missing_after.text and "<nav" not in missing_after.text


async def test_a_form_sent_after_the_session_ended_signs_in_again_without_coming_back_to_it(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    student = await make_user(runtime)
    csrf = await browser_sign_in(client, student.email)
    page = {**SAME_SITE, "Accept": "text/html"}
    ended = await client.post("/logout", data={"csrf_token": csrf}, headers=page)  # another tab

    sign_out_again = await client.post("/logout", data={"csrf_token": csrf}, headers=page)
    withdraw = await client.post("/consent/withdraw", data={"csrf_token": csrf}, headers=page)
    reading = await client.get("/consent", headers=page)

    assert ended.status_code == 303
    assert sign_out_again.status_code == withdraw.status_code == 303
    assert sign_out_again.headers["location"] == withdraw.headers["location"] == "/login"
    assert reading.headers["location"] == "/login?next=%2Fconsent"


async def test_an_address_whose_id_is_not_one_is_a_404_page_and_the_api_keeps_its_422(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    student = await make_user(runtime)
    await browser_sign_in(client, student.email)
    html = {"Accept": "text/html"}

    typo = await client.get("/lessons/12x/room", headers=html)
    zero = await client.get("/lessons/0/room", headers=html)
    api = await client.get("/api/v1/lessons/12x", headers=html)

    assert typo.status_code == zero.status_code == 404
    assert "Page not found" in typo.text
    assert "There is no page at this address" in typo.text
    assert "path.lesson_id" not in typo.text and "Input should be" not in typo.text
    assert api.status_code == 422
    assert api.json()["code"] == "invalid"


async def test_a_closed_registration_is_a_403_page(client: httpx.AsyncClient, app: FastAPI) -> None:
    app.state.runtime.settings.registration_open = False

    answer = await client.get("/register", headers={"Accept": "text/html"})

    assert answer.status_code == 403
    assert "You may not open this page" in answer.text
