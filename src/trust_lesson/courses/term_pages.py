"""A term's page for staff: the term (status, dates), its members (enrol by email, change a
role, remove), its lessons, a new lesson, an import."""

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from starlette.responses import RedirectResponse, Response

from trust_lesson.courses import members, service
from trust_lesson.courses.dependencies import ManagedTerm
from trust_lesson.courses.schemas import MemberRead, TermUpdate
from trust_lesson.deps import DbDep, NowDep, RowIdPath
from trust_lesson.errors import DomainError
from trust_lesson.lessons import imports
from trust_lesson.lessons import service as lessons
from trust_lesson.lessons.schemas import LessonCreate
from trust_lesson.lessons.spreadsheet import HEADER, MAX_BYTES, RowError, SpreadsheetRejected
from trust_lesson.models import MemberRole, Term, TermStatus
from trust_lesson.web.browser_session import seal, seal_matches
from trust_lesson.web.dependencies import StaffViewer, Viewer
from trust_lesson.web.forms import FormProblems, parse_form, problems_of
from trust_lesson.web.paging import (
    PageField,
    PageRequest,
    page_of,
    page_request_named,
    page_still_there,
)
from trust_lesson.web.templating import render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=10_000)]
# The term's two long lists (one import plans up to 2,000 lessons), each paged on its own.
MembersPage = Annotated[PageRequest, Depends(page_request_named("members_page"))]
LessonsPage = Annotated[PageRequest, Depends(page_request_named("lessons_page"))]

# What a form did, said above the members after the redirect (`done`).
NOTICES = {
    "enrolled": "Enrolled.",
    "lesson": "The lesson is planned.",
    "imported": "The spreadsheet's lessons are planned.",
    "removed": "The member is removed from the term.",
}
# What a member's row form did, said in that row (`done`, `user`).
ROW_NOTICES = {
    "role": "{name} is now {role} of this term.",
    "same-role": "Nothing changed: {name} is already {role} of this term.",
}
TERM_SAVED = "The term's status and dates are saved."
ROLE_WORDS = {MemberRole.STUDENT: "a student", MemberRole.INSTRUCTOR: "an instructor"}


async def _term_page(
    request: Request,
    viewer: Viewer,
    term: Term,
    db: DbDep,
    *,
    members_page: PageRequest = PageRequest(1),
    lessons_page: PageRequest = PageRequest(1),
    form: str = "",
    values: dict[str, str] | None = None,
    problems: dict[str, str] | None = None,
    row_errors: list[RowError] | None = None,
    status_code: int = 200,
    notice: str = "",
    term_notice: str = "",
    row_notice: tuple[int, str] | None = None,
    row_problem: tuple[int, str] | None = None,
) -> Response:
    """`form` names the form that `values` and `problems` belong to; `row_notice` (a member
    and the `done` word of their row's form) and `row_problem` (a member and why their row's
    form was refused) are said in that member's row."""
    course, _ = await service.find_course(db=db, caller=viewer.user, course_id=term.course_id)
    instructors = await lessons.possible_instructors(db=db, caller=viewer.user, term=term)
    enrolled = await members.list_members(
        db=db, term=term, limit=members_page.fetch, offset=members_page.offset
    )
    planned = await lessons.list_visible(
        db=db, caller=viewer.user, start=None, end=None, term_id=term.id,
        limit=lessons_page.fetch, offset=lessons_page.offset,
    )  # fmt: skip
    return render(
        request,
        "admin/term.html",
        user=viewer.user,
        csrf=viewer.csrf,
        status_code=status_code,
        term=term,
        course=course,
        members=page_of(enrolled, members_page),
        lessons=page_of(planned, lessons_page),
        roles=list(MemberRole),
        colleagues=[user for _, user in sorted(instructors.items()) if user.id != viewer.user.id],
        form=form,
        values=values or {},
        problems=problems or {},
        row_errors=row_errors or [],
        notice=notice,
        term_notice=term_notice,
        row_notice=_said_in_row(enrolled, row_notice),
        row_problem=row_problem,
        statuses=list(TermStatus),
        sheet_columns=HEADER,
    )


def _said_in_row(
    enrolled: list[MemberRead], row_notice: tuple[int, str] | None
) -> tuple[int, str] | None:
    """The row notice in words, naming the member; None when they are not on this page."""
    if row_notice is None or row_notice[1] not in ROW_NOTICES:
        return None
    member = next((m for m in enrolled if m.user_id == row_notice[0]), None)
    if member is None:
        return None
    words = ROW_NOTICES[row_notice[1]].format(name=member.full_name, role=ROLE_WORDS[member.role])
    return member.user_id, words


@router.get("/admin/terms/{term_id}")
async def term_page(
    request: Request,
    viewer: StaffViewer,
    term: ManagedTerm,
    db: DbDep,
    members_page: MembersPage,
    lessons_page: LessonsPage,
    done: str = "",
    user: Annotated[int, Query(ge=1)] = 1,
    sealed: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    """`user`: the member a row's form acted on; `sealed`: that this session removed them
    (`seal`), so the notice may name them."""
    notice = NOTICES.get(done, "")
    if done == "removed" and seal_matches(viewer.csrf, sealed, "removed", term.id, user):
        name = await members.name_of(db=db, user_id=user)
        notice = f"{name} is removed from the term." if name else notice
    return await _term_page(
        request, viewer, term, db, members_page=members_page, lessons_page=lessons_page,
        notice=notice, row_notice=(user, done), term_notice=TERM_SAVED if done == "term" else "",
    )  # fmt: skip


async def _refused_in_row(
    request: Request,
    viewer: Viewer,
    term: Term,
    db: DbDep,
    user_id: int,
    error: DomainError,
    places: tuple[PageRequest, PageRequest],
) -> Response:
    """The page on the pages of both lists the form was on, the service's refusal said in the
    member's row in a person's words ("role: a student account ..." without the field's name,
    which the row does not show)."""
    refusal = next(iter(problems_of(error).values()))
    return await _term_page(
        request, viewer, term, db, members_page=places[0], lessons_page=places[1],
        row_problem=(user_id, refusal), status_code=error.status_code,
    )  # fmt: skip


def _back(term: Term, members_page: int, lessons_page: int, query: str, at: str) -> str:
    """The term page where a member's form was: the same pages of both lists, `at` its place."""
    places = f"members_page={members_page}&lessons_page={lessons_page}"
    return f"/admin/terms/{term.id}?{places}&{query}#{at}"


@router.post("/admin/terms/{term_id}")
async def edit_term(
    request: Request,
    viewer: StaffViewer,
    term: ManagedTerm,
    db: DbDep,
    status: Text = "",
    start_date: Text = "",
    end_date: Text = "",
) -> Response:
    """The term's status and dates, as `PATCH /api/v1/terms/{id}` changes them; an empty date
    is no date."""
    values = {"status": status, "start_date": start_date, "end_date": end_date}
    try:
        data = parse_form(TermUpdate, {name: value or None for name, value in values.items()})
        await service.update_term(db=db, term=term, data=data)
    except (FormProblems, DomainError) as error:
        code = error.status_code if isinstance(error, DomainError) else 422
        return await _term_page(
            request, viewer, term, db, form="term", values=values, problems=problems_of(error),
            status_code=code,
        )  # fmt: skip
    return RedirectResponse(f"/admin/terms/{term.id}?done=term#term", status_code=303)


@router.post("/admin/terms/{term_id}/members/{user_id}")
async def change_member_role(
    request: Request,
    viewer: StaffViewer,
    term: ManagedTerm,
    user_id: RowIdPath,
    db: DbDep,
    role: Annotated[MemberRole, Form()],
    members_page: PageField = 1,
    lessons_page: PageField = 1,
) -> Response:
    """As `PATCH /api/v1/terms/{id}/members/{user_id}`; said in the member's row."""
    try:
        _, changed = await members.change_role(db=db, term=term, user_id=user_id, role=role)
    except DomainError as error:
        places = (PageRequest(members_page), PageRequest(lessons_page))
        return await _refused_in_row(request, viewer, term, db, user_id, error, places)
    query = f"done={'role' if changed else 'same-role'}&user={user_id}"
    return RedirectResponse(
        _back(term, members_page, lessons_page, query, f"member-{user_id}"), status_code=303
    )


@router.post("/admin/terms/{term_id}/members/{user_id}/remove")
async def remove_member(
    request: Request,
    viewer: StaffViewer,
    term: ManagedTerm,
    user_id: RowIdPath,
    db: DbDep,
    members_page: PageField = 1,
    lessons_page: PageField = 1,
) -> Response:
    """As `DELETE /api/v1/terms/{id}/members/{user_id}`; a refusal is said in the member's row,
    and the members come back on the same page (or the last one left)."""
    try:
        await members.remove(db=db, term=term, user_id=user_id)
    except DomainError as error:
        places = (PageRequest(members_page), PageRequest(lessons_page))
        return await _refused_in_row(request, viewer, term, db, user_id, error, places)
    still = await page_still_there(
        PageRequest(members_page), lambda: members.count_members(db=db, term=term)
    )
    mark = seal(viewer.csrf, "removed", term.id, user_id)
    query = f"done=removed&user={user_id}&sealed={mark}"
    return RedirectResponse(
        _back(term, still.number, lessons_page, query, "notice"), status_code=303
    )


@router.post("/admin/terms/{term_id}/members")
async def enrol(
    request: Request,
    viewer: StaffViewer,
    term: ManagedTerm,
    db: DbDep,
    email: Annotated[str, Form(max_length=320)] = "",
    role: Annotated[MemberRole, Form()] = MemberRole.STUDENT,
) -> Response:
    try:
        await members.enrol_member(
            db=db, term=term, caller=viewer.user, role=role, email=email.strip()
        )
    except DomainError as error:
        values = {"email": email, "role": role.value}
        return await _term_page(
            request, viewer, term, db, form="enrol", values=values,
            problems=problems_of(error), status_code=error.status_code,
        )  # fmt: skip
    return RedirectResponse(f"/admin/terms/{term.id}?done=enrolled#notice", status_code=303)


@router.post("/admin/terms/{term_id}/lessons")
async def plan_lesson(
    request: Request,
    viewer: StaffViewer,
    term: ManagedTerm,
    db: DbDep,
    now: NowDep,
    title: Text = "",
    start_date: Text = "",
    duration_min: Text = "",
    description: Text = "",
    instructor_id: Text = "",
) -> Response:
    """`start_date` from a datetime-local input, read as UTC (the page says so)."""
    values = {"title": title, "start_date": start_date, "duration_min": duration_min}
    values["instructor_id"] = instructor_id
    start = f"{start_date}:00+00:00" if len(start_date) == 16 else start_date
    fields = {**values, "start_date": start, "description": description, "term_id": term.id}
    fields["instructor_id"] = instructor_id or None
    try:
        data = parse_form(LessonCreate, fields)
        await lessons.create(db=db, caller=viewer.user, term=term, data=data, now=now)
    except (FormProblems, DomainError) as error:
        status = error.status_code if isinstance(error, DomainError) else 422
        return await _term_page(
            request, viewer, term, db, form="lesson", values={**values, "description": description},
            problems=problems_of(error), status_code=status,
        )  # fmt: skip
    return RedirectResponse(f"/admin/terms/{term.id}?done=lesson#notice", status_code=303)


@router.post("/admin/terms/{term_id}/import")
async def import_lessons(
    request: Request,
    viewer: StaffViewer,
    term: ManagedTerm,
    db: DbDep,
    now: NowDep,
    file: Annotated[UploadFile, File()],
    timezone: Annotated[str, Form(max_length=64)] = "UTC",
) -> Response:
    """All rows or none: a sheet with any wrong row plans nothing and shows every problem."""
    content = await file.read(MAX_BYTES + 1)
    try:
        await imports.import_lessons(
            db=db, caller=viewer.user, term=term, content=content, timezone=timezone, now=now
        )
    except SpreadsheetRejected as error:
        return await _term_page(
            request, viewer, term, db, form="import", values={"timezone": timezone},
            problems={"": error.detail}, row_errors=error.errors, status_code=422,
        )  # fmt: skip
    except DomainError as error:
        return await _term_page(
            request, viewer, term, db, form="import", values={"timezone": timezone},
            problems=problems_of(error), status_code=error.status_code,
        )  # fmt: skip
    return RedirectResponse(f"/admin/terms/{term.id}?done=imported#notice", status_code=303)
