"""A term's page for staff: its members (enrol by email), its lessons, a new lesson, an import."""

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from starlette.responses import RedirectResponse, Response

from trust_lesson.courses import members, service
from trust_lesson.courses.dependencies import ManagedTerm
from trust_lesson.deps import DbDep, NowDep
from trust_lesson.errors import DomainError
from trust_lesson.lessons import imports
from trust_lesson.lessons import service as lessons
from trust_lesson.lessons.schemas import LessonCreate
from trust_lesson.lessons.spreadsheet import HEADER, MAX_BYTES, RowError, SpreadsheetRejected
from trust_lesson.models import MemberRole, Term
from trust_lesson.web.dependencies import StaffViewer, Viewer
from trust_lesson.web.forms import FormProblems, parse_form, problems_of
from trust_lesson.web.paging import PageRequest, page_of, page_request_named
from trust_lesson.web.templating import render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=10_000)]
# The term's two long lists (one import plans up to 2,000 lessons), each paged on its own.
MembersPage = Annotated[PageRequest, Depends(page_request_named("members_page"))]
LessonsPage = Annotated[PageRequest, Depends(page_request_named("lessons_page"))]


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
) -> Response:
    """`form` names the form that `values` and `problems` belong to."""
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
        sheet_columns=HEADER,
    )


@router.get("/admin/terms/{term_id}")
async def term_page(
    request: Request,
    viewer: StaffViewer,
    term: ManagedTerm,
    db: DbDep,
    members_page: MembersPage,
    lessons_page: LessonsPage,
    done: str = "",
) -> Response:
    notices = {
        "enrolled": "Enrolled.",
        "lesson": "The lesson is planned.",
        "imported": "The spreadsheet's lessons are planned.",
    }
    return await _term_page(
        request, viewer, term, db, members_page=members_page, lessons_page=lessons_page,
        notice=notices.get(done, ""),
    )  # fmt: skip


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
