"""Staff forms in process: a refused form says why beside the field and keeps what was typed;
long lists come a page at a time; an administrator cannot lock themselves out."""

import html
import re
from datetime import timedelta

import httpx
from sqlalchemy import func, select

from tests.support.factories import make_user
from tests.support.presence import add_check
from tests.support.spreadsheets import lesson_workbook
from tests.web.page_forms import (
    SAME_SITE,
    enrol,
    every_row_by_next_page,
    lesson_of,
    new_course,
    new_term,
    page_sign_in,
)
from trust_lesson.db import transaction
from trust_lesson.models import (
    AttendanceAppeal,
    AttendanceDecision,
    Course,
    Lesson,
    LessonStatus,
    MemberRole,
    Role,
    Term,
    TermMember,
    TermStatus,
    User,
)
from trust_lesson.presence.verdicts import AttendancePath, ChallengeKind, Decision, Verdict
from trust_lesson.runtime import Runtime
from trust_lesson.web.paging import ROWS_PER_PAGE

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def selected_option(page: str, select_id: str) -> list[str]:
    select = re.search(rf'<select id="{select_id}".*?</select>', page, re.S)
    assert select is not None, select_id
    return re.findall(r'<option value="(\w*)" selected>', select.group(0))


async def test_a_refused_enrolment_says_why_beside_the_role_and_keeps_it(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    student = await make_user(runtime, Role.STUDENT)
    csrf = await page_sign_in(client, teacher)
    term_url = await new_term(client, csrf)

    refused = await enrol(client, csrf, term_url, student, "INSTRUCTOR")

    assert refused.status_code == 422
    assert re.search(r'id="f-member-role-problem">A student account cannot teach', refused.text)
    assert selected_option(refused.text, "f-member-role") == ["INSTRUCTOR"]
    assert f'value="{student.email}"' in refused.text


async def test_an_unknown_time_zone_is_named_beside_the_import_field(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    csrf = await page_sign_in(client, teacher)
    term_url = await new_term(client, csrf)

    refused = await client.post(
        f"{term_url}/import",
        data={"timezone": "Mars/Phobos", "csrf_token": csrf},
        files={"file": ("lessons.xlsx", b"PK\x03\x04", "application/octet-stream")},
        headers=SAME_SITE,
    )

    assert refused.status_code == 422
    assert re.search(r'id="f-timezone-problem">&#34;Mars/Phobos&#34; is not a known', refused.text)
    assert 'value="Mars/Phobos"' in refused.text


async def test_the_import_form_names_repeated_and_already_planned_rows(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    csrf = await page_sign_in(client, teacher)
    term_url = await new_term(client, csrf, "Learn Python")
    loops = ("Loops", "2026-03-11", "14:30", 60, None, "")
    functions = ("Functions", "2026-03-12", "14:30", 60, None, "")

    async def import_form(*lessons: tuple[object, ...]) -> httpx.Response:
        return await client.post(
            f"{term_url}/import",
            data={"timezone": "UTC", "csrf_token": csrf},
            files={"file": ("lessons.xlsx", lesson_workbook(lessons=lessons), XLSX)},
            headers=SAME_SITE,
        )

    first = await import_form(loops)
    again = await import_form(loops, functions, functions)

    assert first.status_code == 303
    assert again.status_code == 422
    problems = html.unescape(again.text)
    assert re.search(r'data-row="6">Row 6: The lesson "Loops" .* is already planned', problems)
    assert 'data-row="8">Row 8: Repeats row 7' in problems
    async with runtime.session_factory() as db:
        assert (await db.execute(select(func.count(Lesson.id)))).scalar_one() == 1


async def test_a_lesson_planned_twice_is_refused_beside_its_title_and_keeps_what_was_typed(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    csrf = await page_sign_in(client, teacher)
    term_url = await new_term(client, csrf)
    loops = {"title": "Loops", "start_date": "2026-03-02T12:00", "duration_min": "60"}

    async def plan_form(**typed: str) -> httpx.Response:
        data = loops | typed | {"csrf_token": csrf}
        return await client.post(f"{term_url}/lessons", data=data, headers=SAME_SITE)

    first = await plan_form()
    again = await plan_form(title="  loops ", duration_min="45", description="Once more")

    assert first.status_code == 303
    assert again.status_code == 409
    page = html.unescape(again.text)
    assert (
        'id="f-title-problem">The lesson "loops" at 2026-03-02 12:00 UTC is already planned'
        " in this term." in page
    )
    assert 'value="  loops "' in page
    assert 'value="2026-03-02T12:00"' in page
    assert 'value="45"' in page
    assert ">Once more</textarea>" in page
    async with runtime.session_factory() as db:
        assert (await db.execute(select(func.count(Lesson.id)))).scalar_one() == 1


async def test_an_instructor_plans_their_own_lesson_unless_they_choose_a_colleague(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    colleague = await make_user(runtime, Role.INSTRUCTOR)
    admin = await make_user(runtime, Role.ADMIN)
    csrf = await page_sign_in(client, teacher)
    term_url = await new_term(client, csrf)
    await enrol(client, csrf, term_url, colleague, "INSTRUCTOR")

    teachers_form = await client.get(term_url, headers=SAME_SITE)
    client.cookies.clear()
    await page_sign_in(client, admin)
    admins_form = await client.get(term_url, headers=SAME_SITE)

    assert selected_option(teachers_form.text, "f-instructor_id") == []  # the first: me
    assert selected_option(admins_form.text, "f-instructor_id") == [str(colleague.id)]


async def test_a_refused_review_keeps_the_chosen_verdict_and_the_typed_reason(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    student = await make_user(runtime, Role.STUDENT)
    csrf = await page_sign_in(client, teacher)
    lesson_id = await lesson_of(client, runtime, csrf, student=student, title="Parking")
    analysing = await add_check(
        runtime, lesson_id=lesson_id, user_id=student.id, kind=ChallengeKind.ENTRY,
        issued_at=runtime.clock(), verdict=None,
    )  # fmt: skip

    refused = await client.post(
        f"/captures/{analysing.capture_id}/review",
        data={"decision": "WRONG_PERSON", "reason": "his brother, seen on the call"}
        | {"csrf_token": csrf},
        headers=SAME_SITE,
    )

    assert refused.status_code == 409
    assert "still being analysed" in refused.text
    assert selected_option(refused.text, f"verdict-{analysing.capture_id}") == ["WRONG_PERSON"]
    assert ">his brother, seen on the call</textarea>" in refused.text


async def test_the_accounts_come_a_page_at_a_time(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await make_user(runtime, Role.ADMIN)
    await page_sign_in(client, admin)
    async with transaction(runtime.session_factory) as db:
        now = runtime.clock()
        db.add_all(
            User(email=f"p{n}@school.example", username=f"p{n}", full_name=f"Pupil {n}",
                 role=Role.STUDENT, password_hash=admin.password_hash,
                 created_at=now, updated_at=now)
            for n in range(ROWS_PER_PAGE)
        )  # fmt: skip

    first = await client.get("/admin/users", headers=SAME_SITE)
    second = await client.get("/admin/users?page=2", headers=SAME_SITE)

    assert first.text.count("<tr id=") == ROWS_PER_PAGE
    assert 'href="/admin/users?page=2">Next page</a>' in first.text
    assert f"Rows 1 to {ROWS_PER_PAGE}" in first.text
    assert second.text.count("<tr id=") == 1
    assert f"Pupil {ROWS_PER_PAGE - 1}" in second.text
    assert 'href="/admin/users?page=1">Previous page</a>' in second.text
    assert "Next page" not in second.text


async def test_the_lessons_of_a_busy_range_come_a_page_at_a_time(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    csrf = await page_sign_in(client, teacher)
    term_id = int((await new_term(client, csrf)).rsplit("/", 1)[1])
    start = runtime.clock() + timedelta(days=1)
    async with transaction(runtime.session_factory) as db:
        db.add_all(
            Lesson(term_id=term_id, instructor_id=teacher.id, title=f"Lesson {n}",
                   start_date=start + timedelta(minutes=n), duration_min=30,
                   status=LessonStatus.WAITING)
            for n in range(ROWS_PER_PAGE + 1)
        )  # fmt: skip
    day = start.date().isoformat()

    first = await client.get(f"/lessons?from={day}&to={day}", headers=SAME_SITE)
    second = await client.get(f"/lessons?from={day}&to={day}&page=2", headers=SAME_SITE)

    assert first.text.count("data-lesson-id=") == ROWS_PER_PAGE
    assert f'href="/lessons?from={day}&amp;to={day}&amp;page=2">Next page</a>' in first.text
    assert second.text.count("data-lesson-id=") == 1
    assert f">Lesson {ROWS_PER_PAGE}</a>" in second.text


async def test_a_range_whose_last_day_comes_first_says_so_beside_it(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    await page_sign_in(client, teacher)

    backwards = await client.get("/lessons?from=2026-03-10&to=2026-03-01", headers=SAME_SITE)
    forwards = await client.get("/lessons?from=2026-03-01&to=2026-03-10", headers=SAME_SITE)

    page = html.unescape(backwards.text)
    assert backwards.status_code == 200
    assert 'id="f-to"' in page and 'aria-invalid="true"' in page
    assert "This day comes before the first day" in page
    assert "No lessons are shown: the last day comes before the first." in page
    assert 'aria-invalid="true"' not in forwards.text
    assert "No lessons are planned in these days." in forwards.text


async def test_every_lesson_and_member_of_a_big_term_can_be_reached(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """One import can plan 2,000 lessons; the page used to stop at 500 lessons, 1,000 members."""
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    csrf = await page_sign_in(client, teacher)
    term_url = await new_term(client, csrf)
    term_id = int(term_url.rsplit("/", 1)[1])
    start = runtime.clock() + timedelta(days=1)
    async with transaction(runtime.session_factory) as db:
        now = runtime.clock()
        pupils = [
            User(email=f"p{n}@school.example", username=f"p{n:04}", full_name=f"Pupil {n}",
                 role=Role.STUDENT, password_hash=teacher.password_hash,
                 created_at=now, updated_at=now)
            for n in range(1001)
        ]  # fmt: skip
        db.add_all(pupils)
        await db.flush()
        db.add_all(
            TermMember(term_id=term_id, user_id=p.id, role=MemberRole.STUDENT) for p in pupils
        )
        db.add_all(
            Lesson(term_id=term_id, instructor_id=teacher.id, title=f"Lesson {n}",
                   start_date=start + timedelta(minutes=n), duration_min=30,
                   status=LessonStatus.WAITING)
            for n in range(501)
        )  # fmt: skip

    lessons = await every_row_by_next_page(client, term_url, "Pages of lessons", "data-lesson-id")
    members = await every_row_by_next_page(client, term_url, "Pages of members", "data-user-id")
    second_of_members = await client.get(f"{term_url}?members_page=2", headers=SAME_SITE)

    assert len(lessons) == len(set(lessons)) == 501
    assert sorted(int(m) for m in members) == sorted(p.id for p in pupils)
    assert f"Rows {ROWS_PER_PAGE + 1} to {2 * ROWS_PER_PAGE}" in second_of_members.text
    next_lessons = f'href="{term_url}?members_page=2&amp;lessons_page=2#lessons">Next page</a>'
    assert next_lessons in second_of_members.text  # the members' page is kept


async def test_every_course_and_every_term_of_a_course_can_be_reached(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """The courses page used to stop at 200 courses, a course's page at 200 terms."""
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    stranger = await make_user(runtime, Role.INSTRUCTOR)
    csrf = await page_sign_in(client, teacher)
    course_url = await new_course(client, csrf, "Course 0")
    course_id = int(course_url.rsplit("/", 1)[1])
    async with transaction(runtime.session_factory) as db:
        courses = [Course(name=f"Course {n}", created_by_id=teacher.id)
                   for n in range(1, ROWS_PER_PAGE + 1)]  # fmt: skip
        db.add_all([*courses, Course(name="Not theirs", created_by_id=stranger.id)])
        terms = [Term(course_id=course_id, term_number=n, status=TermStatus.WAITING)
                 for n in range(ROWS_PER_PAGE + 1)]  # fmt: skip
        db.add_all(terms)
        await db.flush()
        course_ids = [course_id] + [course.id for course in courses]
        term_ids = [term.id for term in terms]

    first = await client.get("/admin/courses", headers=SAME_SITE)
    second = await client.get("/admin/courses?page=2", headers=SAME_SITE)
    reached = await every_row_by_next_page(
        client, "/admin/courses", "Pages of courses", "data-course-id"
    )
    reached_terms = await every_row_by_next_page(
        client, course_url, "Pages of terms", "data-term-id"
    )
    last_terms = await client.get(f"{course_url}?page=2", headers=SAME_SITE)

    assert first.text.count("<li data-course-id=") == ROWS_PER_PAGE
    assert f"Rows 1 to {ROWS_PER_PAGE}" in first.text
    assert 'href="/admin/courses?page=2">Next page</a>' in first.text
    assert second.text.count("<li data-course-id=") == 1
    assert f">Course {ROWS_PER_PAGE}</a>" in second.text
    assert 'href="/admin/courses?page=1">Previous page</a>' in second.text
    assert "Next page" not in second.text
    assert [int(c) for c in reached] == course_ids  # in order, none twice, none lost
    assert "Not theirs" not in first.text + second.text
    assert [int(t) for t in reached_terms] == term_ids
    assert f">Term {ROWS_PER_PAGE}</a>" in last_terms.text
    assert f'href="{course_url}?page=1">Previous page</a>' in last_terms.text
    assert 'id="policy"' in last_terms.text  # the policy form stays below every page of terms


async def test_every_picture_and_every_appeal_of_the_review_queue_can_be_reached(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """/reviews used to stop at 200 pictures and 200 appeals; taken at the same moment, they
    keep their order (oldest first, then by id) from one page to the next."""
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    student = await make_user(runtime, Role.STUDENT)
    appellant = await make_user(runtime, Role.STUDENT)
    csrf = await page_sign_in(client, teacher)
    lesson_id = await lesson_of(client, runtime, csrf, student=student, title="Parking")
    now = runtime.clock()
    captures = [
        (await add_check(runtime, lesson_id=lesson_id, user_id=student.id,
                         kind=ChallengeKind.RANDOM, issued_at=now,
                         verdict=Verdict.NEEDS_REVIEW)).capture_id
        for _ in range(ROWS_PER_PAGE + 1)
    ]  # fmt: skip
    async with transaction(runtime.session_factory) as db:
        decisions = [
            AttendanceDecision(lesson_id=lesson_id, user_id=appellant.id, decision=Decision.ABSENT,
                               reasons=[], checks_total=0, checks_verified=0, decided_at=now,
                               path=AttendancePath.BIOMETRIC)
            for _ in range(ROWS_PER_PAGE + 1)
        ]  # fmt: skip
        db.add_all(decisions)
        await db.flush()
        appeals = [
            AttendanceAppeal(decision_id=decision.id, lesson_id=lesson_id, user_id=appellant.id,
                             reason="I was there.", filed_at=now)
            for decision in decisions
        ]  # fmt: skip
        db.add_all(appeals)
        await db.flush()
        appeal_ids = [appeal.id for appeal in appeals]

    first = await client.get("/reviews", headers=SAME_SITE)
    both_second = await client.get("/reviews?pictures_page=2&appeals_page=2", headers=SAME_SITE)
    pictures = await every_row_by_next_page(
        client, "/reviews", "Pages of pictures to review", "data-capture-id"
    )
    answers = await every_row_by_next_page(
        client, "/reviews", "Pages of appeals to answer", "data-appeal-id"
    )

    assert first.text.count('class="review-item"') == ROWS_PER_PAGE
    assert first.text.count('class="appeal-item"') == ROWS_PER_PAGE
    assert 'href="/reviews?pictures_page=2#pictures">Next page</a>' in first.text
    assert 'href="/reviews?appeals_page=2#appeals">Next page</a>' in first.text
    assert both_second.text.count('class="review-item"') == 1
    assert both_second.text.count('class="appeal-item"') == 1
    assert f"Rows {ROWS_PER_PAGE + 1} to {ROWS_PER_PAGE + 1}" in both_second.text
    # each list's Previous page keeps the page the other list is on
    back_to_pictures = 'href="/reviews?appeals_page=2&amp;pictures_page=1#pictures">Previous'
    back_to_appeals = 'href="/reviews?pictures_page=2&amp;appeals_page=1#appeals">Previous'
    assert back_to_pictures in both_second.text and back_to_appeals in both_second.text
    assert [int(c) for c in pictures[:ROWS_PER_PAGE]] == captures[:ROWS_PER_PAGE]
    assert sorted(int(c) for c in set(pictures)) == captures  # none twice, none lost
    assert [int(a) for a in answers] == appeal_ids


PAGED_STAFF_PAGES = [
    "/admin/users?page=", "/lessons?page=", "/admin/terms/{term}?members_page=",
    "/admin/terms/{term}?lessons_page=", "/admin/courses?page=", "/admin/courses/{course}?page=",
    "/reviews?pictures_page=", "/reviews?appeals_page=", "/identity-reviews?page=",
    "/lessons/{lesson}?roster_page=", "/lessons/{lesson}/roster?roster_page=",
    "/lessons/{lesson}/history?roster_page=",
]  # fmt: skip


async def test_a_page_number_that_names_no_page_is_refused_in_words(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await make_user(runtime, Role.ADMIN)
    csrf = await page_sign_in(client, admin)
    term_url = await new_term(client, csrf)
    term = term_url.rsplit("/", 1)[1]
    await client.post(
        f"{term_url}/lessons",
        data={"title": "Loops", "start_date": "2026-03-02T12:00", "duration_min": "60"}
        | {"csrf_token": csrf},
        headers=SAME_SITE,
    )
    async with runtime.session_factory() as db:
        course = (await db.execute(select(Course.id))).scalar_one()
        lesson = (await db.execute(select(Lesson.id))).scalar_one()

    answers = {
        (url, value): await client.get(
            url.format(term=term, course=course, lesson=lesson) + value, headers=SAME_SITE
        )
        for url in PAGED_STAFF_PAGES
        for value in ("0", "-1", "x", "10001")
    }

    assert {key: answer.status_code for key, answer in answers.items()} == {
        key: 422 for key in answers
    }
    for (url, _), answer in answers.items():
        parameter = url.rsplit("?", 1)[1].removesuffix("=")
        assert answer.headers["content-type"].startswith("text/html")
        assert "Something in the form or address is not valid" in answer.text
        assert f"{parameter}: Write " in html.unescape(answer.text)
        assert "Input should be" not in answer.text


async def test_an_admin_cannot_disable_or_demote_their_own_account(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await make_user(runtime, Role.ADMIN)
    csrf = await page_sign_in(client, admin)

    disabled = await client.post(
        f"/admin/users/{admin.id}", data={"active": "false", "csrf_token": csrf}, headers=SAME_SITE
    )
    demoted = await client.post(
        f"/admin/users/{admin.id}", data={"role": "STUDENT", "csrf_token": csrf}, headers=SAME_SITE
    )
    still = await client.get("/admin/users", headers=SAME_SITE)

    assert disabled.status_code == 422
    assert "You cannot disable your own account" in disabled.text
    assert demoted.status_code == 422
    assert "take away your own administrator role" in demoted.text
    assert still.status_code == 200
    async with runtime.session_factory() as db:
        unchanged = await db.get_one(User, admin.id)
        assert (unchanged.role, unchanged.is_active) == (Role.ADMIN, True)
