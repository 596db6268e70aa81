"""GDPR 17: a person deletes their own account from their pages (or `DELETE
/api/v1/users/me`), confirmed with their password: what an administrator's deletion removes
goes, the evidence stays; an administrator, or someone who still teaches, is refused in words."""

import httpx

from tests.privacy.stories import AttendedLesson, check_person_gone_evidence_kept, log_entries
from tests.support.clock import FakeClock
from tests.support.factories import PASSWORD, login, make_user, signed_in
from tests.support.presence import running_lesson
from tests.web.page_forms import SAME_SITE, page_sign_in
from trust_lesson.models import Role
from trust_lesson.runtime import Runtime
from trust_lesson.settings import Settings
from trust_lesson.web.browser_session import COOKIE

PAGE = "/delete-account"
WRONG = "not my password at all"


async def test_a_student_deletes_their_account_and_lands_on_the_sign_in_page(
    client: httpx.AsyncClient, runtime: Runtime, settings: Settings, story: AttendedLesson
) -> None:
    student = story.live.student
    csrf = await page_sign_in(client, student.user)
    data_page = await client.get("/certificates", headers=SAME_SITE)
    page = await client.get(PAGE, headers=SAME_SITE)
    session = client.cookies[COOKIE]

    deleted = await client.post(
        PAGE, data={"current_password": PASSWORD, "csrf_token": csrf}, headers=SAME_SITE
    )
    landed = await client.get(deleted.headers["location"], headers=SAME_SITE)

    assert 'href="/delete-account">Delete my account</a>' in data_page.text
    assert 'id="deletion-goes"' in page.text and 'id="deletion-stays"' in page.text
    assert f'data-export href="/api/v1/users/{student.id}/export"' in page.text
    assert (deleted.status_code, deleted.headers["location"]) == (303, "/login?done=deleted")
    assert COOKIE not in client.cookies
    assert 'role="status">Your account is deleted.' in landed.text
    await check_person_gone_evidence_kept(client, runtime, settings, story)
    [deletion] = await log_entries(runtime, "account.deleted")
    assert deletion["data"] == {"user": student.id} and deletion["actor"] == student.id
    api = await client.get("/api/v1/users/me", headers=student.headers)
    client.cookies.set(COOKIE, session)
    browser = await client.get("/home", headers=SAME_SITE)
    assert api.status_code == 401  # every session of the account ended
    assert browser.status_code == 303 and browser.headers["location"].startswith("/login?next=")


async def test_a_deleted_person_cannot_sign_in_again(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    pupil = await make_user(runtime)
    csrf = await page_sign_in(client, pupil)
    await client.post(
        PAGE, data={"current_password": PASSWORD, "csrf_token": csrf}, headers=SAME_SITE
    )

    page = await client.post(
        "/login", data={"email": pupil.email, "password": PASSWORD}, headers=SAME_SITE
    )
    api = await client.post("/api/v1/auth/login", json={"email": pupil.email, "password": PASSWORD})

    assert page.status_code == 401 and "The email or password is not correct." in page.text
    assert api.status_code == 401


async def test_a_wrong_password_is_refused_in_words_and_deletes_nothing(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    pupil = await make_user(runtime)
    csrf = await page_sign_in(client, pupil)

    refused = await client.post(
        PAGE, data={"current_password": WRONG, "csrf_token": csrf}, headers=SAME_SITE
    )
    still = await client.get(PAGE, headers=SAME_SITE)

    assert refused.status_code == 403
    assert 'id="f-current_password-problem">The current password is not correct.' in (refused.text)
    assert still.status_code == 200 and pupil.full_name in still.text
    await login(client, pupil.email)  # the account is whole


async def test_the_form_without_the_pages_token_deletes_nothing(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    pupil = await make_user(runtime)
    await page_sign_in(client, pupil)

    forged = await client.post(PAGE, data={"current_password": PASSWORD}, headers=SAME_SITE)

    assert forged.status_code == 403
    await login(client, pupil.email)


async def test_an_administrator_is_told_another_administrator_can(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await make_user(runtime, Role.ADMIN)
    csrf = await page_sign_in(client, admin)

    page = await client.get(PAGE, headers=SAME_SITE)
    posted = await client.post(
        PAGE, data={"current_password": PASSWORD, "csrf_token": csrf}, headers=SAME_SITE
    )
    client.cookies.clear()
    api = await client.request(
        "DELETE", "/api/v1/users/me", json={"current_password": PASSWORD},
        headers=await login(client, admin.email),
    )  # fmt: skip

    refusal = "You cannot delete your own account; another administrator can."
    assert f'role="alert" id="deletion-refused">{refusal}' in page.text
    assert f'action="{PAGE}"' not in page.text
    assert posted.status_code == 409 and refusal in posted.text
    assert api.status_code == 409 and api.json()["detail"] == refusal
    await login(client, admin.email)


async def test_an_instructor_who_still_teaches_is_refused_in_words(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    room = await running_lesson(client, runtime, clock, students=1)
    csrf = await page_sign_in(client, room.teacher.user)

    page = await client.get(PAGE, headers=SAME_SITE)
    posted = await client.post(
        PAGE, data={"current_password": PASSWORD, "csrf_token": csrf}, headers=SAME_SITE
    )

    assert 'id="deletion-refused">You still teach lessons' in page.text
    assert posted.status_code == 409 and "give your lessons to another instructor" in posted.text
    await login(client, room.teacher.user.email)


async def test_the_api_deletes_the_callers_own_account_with_their_password(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    pupil = await signed_in(client, runtime)

    async def delete_me(body: dict[str, str]) -> httpx.Response:
        return await client.request("DELETE", "/api/v1/users/me", json=body, headers=pupil.headers)

    wrong = await delete_me({"current_password": WRONG})
    missing = await delete_me({})
    deleted = await delete_me({"current_password": PASSWORD})
    after = await client.get("/api/v1/users/me", headers=pupil.headers)

    assert (wrong.status_code, missing.status_code, deleted.status_code) == (403, 422, 204)
    assert wrong.json()["detail"] == "current_password: the current password is not correct."
    assert after.status_code == 401
