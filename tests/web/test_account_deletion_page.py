"""An administrator deletes an account from the accounts page, as the API does: the person
leaves every list, their evidence stays; their own account and a teacher's are refused in
their row."""

import httpx

from tests.support.clock import FakeClock
from tests.support.factories import make_user
from tests.support.presence import running_lesson
from tests.web.page_forms import SAME_SITE, page_sign_in, row_of
from trust_lesson.models import Role
from trust_lesson.runtime import Runtime


async def test_an_admin_deletes_a_students_account_from_the_accounts_page(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await make_user(runtime, Role.ADMIN)
    pupil = await make_user(runtime, Role.STUDENT)
    csrf = await page_sign_in(client, admin)
    listed = await client.get("/admin/users", headers=SAME_SITE)

    deleted = await client.post(
        f"/admin/users/{pupil.id}/delete", data={"csrf_token": csrf, "page": "1"},
        headers=SAME_SITE,
    )  # fmt: skip
    after = await client.get(deleted.headers["location"], headers=SAME_SITE)

    assert f'action="/admin/users/{pupil.id}/delete" data-confirm="Delete the account' in (
        listed.text
    )
    assert (deleted.status_code, deleted.headers["location"]) == (
        303, "/admin/users?page=1&done=deleted",
    )  # fmt: skip
    assert 'role="status">The account is deleted' in after.text
    assert pupil.email not in after.text and f'id="user-{pupil.id}"' not in after.text


async def test_an_admins_own_account_and_a_teachers_are_refused_in_their_rows(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    room = await running_lesson(client, runtime, clock, students=1)
    admin = await make_user(runtime, Role.ADMIN)
    csrf = await page_sign_in(client, admin)

    own = await client.post(
        f"/admin/users/{admin.id}/delete", data={"csrf_token": csrf}, headers=SAME_SITE
    )
    teacher = await client.post(
        f"/admin/users/{room.teacher.id}/delete", data={"csrf_token": csrf}, headers=SAME_SITE
    )
    still = await client.get("/admin/users", headers=SAME_SITE)

    assert own.status_code == 409
    assert 'role="alert">You cannot delete your own account' in row_of(own, admin.id)
    assert teacher.status_code == 409
    assert 'role="alert">This user still teaches lessons' in row_of(teacher, room.teacher.id)
    assert room.teacher.user.email in still.text and admin.email in still.text
