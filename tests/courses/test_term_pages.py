"""The term page does what the API does for a term's members and the term itself: a member's
role changed or the member removed (asked first), said by name where the page comes back to;
a refusal said in the member's row; the status and dates edited, a refused edit shown again
with what was typed and the problem beside its field."""

import html
import re

import httpx

from tests.support.factories import make_user
from tests.web.page_forms import SAME_SITE, enrol, new_term, page_sign_in
from trust_lesson.models import Role, User
from trust_lesson.runtime import Runtime


def member_row(page: httpx.Response, user_id: int) -> str:
    """The term page's row of one member, its words unescaped."""
    found = re.search(rf'<li id="member-{user_id}".*?</li>', page.text, re.S)
    assert found is not None, user_id
    return html.unescape(found.group(0))


def path_of(term_url: str) -> str:
    return term_url.split("?")[0].split("#")[0]


async def a_teachers_term(
    client: httpx.AsyncClient, runtime: Runtime
) -> tuple[str, str, User, User]:
    """A teacher signed in on the page (their CSRF token) with a new term (its address), and
    two people to enrol in it: a colleague (an instructor account) and a pupil."""
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    colleague = await make_user(runtime, Role.INSTRUCTOR)
    pupil = await make_user(runtime, Role.STUDENT)
    csrf = await page_sign_in(client, teacher)
    return csrf, path_of(await new_term(client, csrf)), colleague, pupil


async def change_role(
    client: httpx.AsyncClient, csrf: str, term: str, person: User, role: str, **places: str
) -> httpx.Response:
    return await client.post(
        f"{term}/members/{person.id}", data={"role": role, "csrf_token": csrf, **places},
        headers=SAME_SITE,
    )  # fmt: skip


async def remove(
    client: httpx.AsyncClient, csrf: str, term: str, person: User, **places: str
) -> httpx.Response:
    return await client.post(
        f"{term}/members/{person.id}/remove", data={"csrf_token": csrf, **places},
        headers=SAME_SITE,
    )  # fmt: skip


async def test_a_teacher_changes_a_role_and_removes_a_member_and_is_told_who(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    csrf, term, colleague, pupil = await a_teachers_term(client, runtime)
    for person in (colleague, pupil):
        await enrol(client, csrf, term, person, "STUDENT")
    shown = await client.get(term, headers=SAME_SITE)

    promoted = await change_role(client, csrf, term, colleague, "INSTRUCTOR")
    after_role = await client.get(promoted.headers["location"], headers=SAME_SITE)
    removed = await remove(client, csrf, term, pupil)
    after_removal = await client.get(removed.headers["location"], headers=SAME_SITE)

    assert f"Remove {pupil.full_name} from this term?" in member_row(shown, pupil.id)
    assert (promoted.status_code, promoted.headers["location"]) == (
        303, f"{term}?members_page=1&lessons_page=1&done=role&user={colleague.id}"
        f"#member-{colleague.id}",
    )  # fmt: skip
    row = member_row(after_role, colleague.id)
    assert f'role="status">{colleague.full_name} is now an instructor of this term.' in row
    assert f"({colleague.username}, instructor)" in row
    assert removed.status_code == 303 and removed.headers["location"].endswith("#notice")
    assert f'id="notice">{pupil.full_name} is removed from the term.' in after_removal.text
    assert f'id="member-{pupil.id}"' not in after_removal.text


async def test_a_removal_notice_names_nobody_for_an_address_this_session_did_not_make(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    stranger = await make_user(runtime, Role.STUDENT)
    csrf = await page_sign_in(client, teacher)
    term = path_of(await new_term(client, csrf))

    typed = await client.get(
        f"{term}?done=removed&user={stranger.id}&sealed=0123456789abcdef", headers=SAME_SITE
    )

    assert typed.status_code == 200
    assert 'id="notice">The member is removed from the term.' in typed.text
    assert stranger.full_name not in typed.text


async def test_refusals_are_said_in_the_members_row(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    csrf, term, colleague, pupil = await a_teachers_term(client, runtime)
    await enrol(client, csrf, term, colleague, "INSTRUCTOR")
    await enrol(client, csrf, term, pupil, "STUDENT")
    planned = await client.post(
        f"{term}/lessons", headers=SAME_SITE,
        data={"title": "Night driving", "start_date": "2026-03-02T20:00", "duration_min": "60",
              "instructor_id": str(colleague.id), "csrf_token": csrf},
    )  # fmt: skip

    teaching = await remove(client, csrf, term, colleague)
    demoted = await change_role(client, csrf, term, colleague, "STUDENT")
    not_a_teacher = await change_role(client, csrf, term, pupil, "INSTRUCTOR")

    assert planned.status_code == 303
    assert teaching.status_code == demoted.status_code == 409
    assert 'role="alert">This instructor teaches lessons of the term still to come' in (
        member_row(teaching, colleague.id)
    )
    assert "before they are made a student of the term" in member_row(demoted, colleague.id)
    assert not_a_teacher.status_code == 422
    assert 'role="alert">A student account cannot teach a term.' in (
        member_row(not_a_teacher, pupil.id)
    )
    assert f"({colleague.username}, instructor)" in member_row(demoted, colleague.id)


async def test_the_page_comes_back_on_the_pages_it_was_on_or_the_last_one_left(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    pupil = await make_user(runtime, Role.STUDENT)
    csrf = await page_sign_in(client, teacher)
    term = path_of(await new_term(client, csrf))
    await enrol(client, csrf, term, pupil, "STUDENT")
    on_lessons_page_2 = await client.get(f"{term}?lessons_page=2", headers=SAME_SITE)

    removed = await remove(client, csrf, term, pupil, members_page="2", lessons_page="3")

    row = member_row(on_lessons_page_2, pupil.id)
    assert '<input type="hidden" name="lessons_page" value="2">' in row
    assert '<input type="hidden" name="members_page" value="1">' in row
    assert removed.headers["location"].startswith(
        f"{term}?members_page=1&lessons_page=3&done=removed&user={pupil.id}&sealed="
    )


async def test_a_refused_term_edit_keeps_what_was_typed_and_changes_nothing(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    csrf = await page_sign_in(client, teacher)
    term = path_of(await new_term(client, csrf))

    def edit(status: str, start: str, end: str) -> dict[str, str]:
        return {"status": status, "start_date": start, "end_date": end, "csrf_token": csrf}

    backwards = await client.post(
        term, data=edit("RUNNING", "2026-03-10", "2026-03-09"), headers=SAME_SITE
    )
    unknown = await client.post(term, data=edit("PAUSED", "", ""), headers=SAME_SITE)
    still = await client.get(term, headers=SAME_SITE)
    saved = await client.post(term, data=edit("RUNNING", "2026-03-02", ""), headers=SAME_SITE)
    after = await client.get(saved.headers["location"], headers=SAME_SITE)

    assert backwards.status_code == 422
    assert 'id="term-end_date-problem">Must not be before the start date.' in backwards.text
    assert 'value="2026-03-10"' in backwards.text and 'value="2026-03-09"' in backwards.text
    assert '<option value="RUNNING" selected>' in backwards.text
    assert unknown.status_code == 422 and 'id="term-status-problem">' in unknown.text
    assert '<option value="WAITING" selected>' in still.text
    assert 'id="term-start_date" name="start_date" type="date" value=""' in still.text
    assert saved.headers["location"] == f"{term}?done=term#term"
    assert "The term&#39;s status and dates are saved." in after.text
    assert '<option value="RUNNING" selected>' in after.text
    assert 'name="start_date" type="date" value="2026-03-02"' in after.text
