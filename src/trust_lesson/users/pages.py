"""The administrator's account pages: list, create, change role, disable or enable, delete."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from trust_lesson.deps import DbDep, NowDep, RowIdPath, RuntimeDep
from trust_lesson.errors import DomainError
from trust_lesson.models import Role
from trust_lesson.privacy import accounts
from trust_lesson.users import service
from trust_lesson.users.schemas import UserCreate, UserUpdate
from trust_lesson.web.dependencies import AdminViewer, Viewer
from trust_lesson.web.forms import FormProblems, parse_form, problems_of
from trust_lesson.web.paging import PageRequest, PageRequestDep, page_of
from trust_lesson.web.templating import render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=1024)]


async def _users_page(
    request: Request,
    viewer: Viewer,
    db: DbDep,
    *,
    asked: PageRequest = PageRequest(1),
    values: dict[str, str] | None = None,
    problems: dict[str, str] | None = None,
    status_code: int = 200,
    notice: str = "",
    row_notice: tuple[int, str] | None = None,
    row_problem: tuple[int, str] | None = None,
) -> Response:
    """`row_notice` / `row_problem`: an account and what its row's form just did or why it was
    refused, said in that row (where the page comes back to)."""
    people = await service.list_all(db=db, limit=asked.fetch, offset=asked.offset)
    return render(
        request,
        "admin/users.html",
        user=viewer.user,
        csrf=viewer.csrf,
        status_code=status_code,
        people=page_of(people, asked),
        roles=list(Role),
        values=values or {"role": Role.STUDENT.value},
        problems=problems or {},
        notice=notice,
        row_notice=row_notice,
        row_problem=row_problem,
    )


# What a form did, said above the list after the redirect (`done`).
NOTICES = {
    "created": "The account is created.",
    "deleted": (
        "The account is deleted: its name, email, pictures, face templates and identity "
        "record are gone; its attendance evidence stays under a pseudonym."
    ),
}

# What a row's form did, said in that row after the redirect (`done`).
ROW_NOTICES = {
    "role": "The role is changed.",
    "same-role": "Nothing changed: the account already has that role.",
    "disabled": "The account is disabled; its sessions are ended.",
    "enabled": "The account is enabled.",
}


@router.get("/admin/users")
async def users_page(
    request: Request,
    viewer: AdminViewer,
    db: DbDep,
    asked: PageRequestDep,
    done: str = "",
    user: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    notice = NOTICES.get(done, "")
    row_notice = (user, ROW_NOTICES[done]) if done in ROW_NOTICES else None
    return await _users_page(request, viewer, db, asked=asked, notice=notice, row_notice=row_notice)


@router.post("/admin/users")
async def create_user(
    request: Request,
    viewer: AdminViewer,
    db: DbDep,
    now: NowDep,
    email: Text = "",
    full_name: Text = "",
    username: Text = "",
    role: Text = "",
    password: Text = "",
) -> Response:
    values = {"email": email, "full_name": full_name, "username": username, "role": role}
    try:
        data = parse_form(UserCreate, {**values, "password": password})
        await service.create(db=db, data=data, now=now)
    except (FormProblems, DomainError) as error:
        problems = problems_of(error)
        return await _users_page(
            request, viewer, db, values=values, problems=problems, status_code=422
        )
    return RedirectResponse("/admin/users?done=created", status_code=303)


def _done(role: Role | None, had: Role, active: bool | None) -> str:
    """What a row's form did, for the notice in that row."""
    if role is not None:
        return "same-role" if role is had else "role"
    return "enabled" if active else "disabled"


@router.post("/admin/users/{user_id}")
async def change_user(
    request: Request,
    viewer: AdminViewer,
    user_id: RowIdPath,
    runtime: RuntimeDep,
    db: DbDep,
    now: NowDep,
    role: Annotated[Role | None, Form()] = None,
    active: Annotated[bool | None, Form()] = None,
    page: Annotated[int, Form(ge=1, le=10_000)] = 1,
) -> Response:
    """A new role, or the account disabled (every session ends) or enabled again; the list
    comes back on the page of the row, which says what was done or why it was refused."""
    person = await service.get(db=db, user_id=user_id)
    had = person.role
    try:
        await service.update_by(
            db=db,
            store=runtime.session_store,
            caller=viewer.user,
            user=person,
            data=UserUpdate(role=role, is_active=active),
            now=now,
        )
    except DomainError as error:
        refusal = next(iter(problems_of(error).values()))
        return await _users_page(
            request, viewer, db, asked=PageRequest(page), row_problem=(person.id, refusal),
            status_code=error.status_code,
        )  # fmt: skip
    done = _done(role, had, active)
    query = f"page={page}&done={done}&user={person.id}"
    return RedirectResponse(f"/admin/users?{query}#user-{person.id}", status_code=303)


@router.post("/admin/users/{user_id}/delete")
async def delete_user(
    request: Request,
    viewer: AdminViewer,
    user_id: RowIdPath,
    runtime: RuntimeDep,
    db: DbDep,
    now: NowDep,
    page: Annotated[int, Form(ge=1, le=10_000)] = 1,
) -> Response:
    """The account deleted as `DELETE /api/v1/users/{id}` does; a refusal (one's own account,
    someone who still teaches) is said in the person's row."""
    person = await service.get(db=db, user_id=user_id)
    try:
        await accounts.delete_account(
            db=db, store=runtime.session_store, blobs=runtime.blobs, user=person, now=now,
            actor=viewer.user,
        )  # fmt: skip
    except DomainError as error:
        return await _users_page(
            request, viewer, db, asked=PageRequest(page), row_problem=(person.id, error.detail),
            status_code=error.status_code,
        )  # fmt: skip
    return RedirectResponse(f"/admin/users?page={page}&done=deleted", status_code=303)
