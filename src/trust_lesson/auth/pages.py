"""Sign in, sign out, register and change password: pages over the same services as the API."""

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from trust_lesson.auth import service
from trust_lesson.auth.dependencies import CredentialsDep
from trust_lesson.auth.schemas import LoginRequest, RegisterRequest
from trust_lesson.deps import DbDep, NowDep, RuntimeDep, client_address
from trust_lesson.errors import DomainError, Forbidden
from trust_lesson.models import Role, User
from trust_lesson.users import service as users
from trust_lesson.users.schemas import ProfileUpdate
from trust_lesson.web.browser_session import (
    clear_session_cookie,
    cookie_token,
    same_origin,
    set_session_cookie,
)
from trust_lesson.web.dependencies import PageViewer
from trust_lesson.web.forms import FormProblems, parse_form, problems_of
from trust_lesson.web.templating import render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=1024)]
OptionalText = Annotated[str, Form(max_length=1024)]

HOME_OF = {Role.STUDENT: "/home", Role.INSTRUCTOR: "/lessons", Role.ADMIN: "/lessons"}


@router.get("/")
async def front_door(request: Request, runtime: RuntimeDep, db: DbDep, now: NowDep) -> Response:
    """Signed in: the person's own start page; otherwise the sign-in page."""
    token = cookie_token(request)
    user_id = await runtime.session_store.resolve(db, token=token, now=now) if token else None
    user = await db.get(User, user_id) if user_id is not None else None
    if user is None or not user.is_active:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(HOME_OF[user.role], status_code=303)


def _safe_next(target: str) -> str:
    """Only a path of this site (never `//elsewhere` or `https://elsewhere`)."""
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or parts.scheme or parts.netloc:
        return "/"
    return target


SIGNED_OUT = "signed-out"
ACCOUNT_DELETED = "deleted"
# What brought the browser here (`done`), said above the form.
NOTICES = {SIGNED_OUT: "You are signed out.", ACCOUNT_DELETED: "Your account is deleted."}


@router.get("/login")
async def login_page(request: Request, next: str = "/", done: str = "") -> Response:
    notice = NOTICES.get(done, "")
    return render(
        request, "auth/login.html", next=_safe_next(next), email="", problems={}, notice=notice
    )


@router.post("/login")
async def login(
    request: Request,
    runtime: RuntimeDep,
    db: DbDep,
    now: NowDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Text = "",
    next: OptionalText = "/",
) -> Response:
    target = _safe_next(next)
    try:
        _refuse_other_sites(request)
        credentials = parse_form(LoginRequest, {"email": email, "password": password})
        opened = await service.login(
            db=db,
            store=runtime.session_store,
            throttle=runtime.login_throttle,
            credentials=credentials,
            address=client_address(request),
            now=now,
        )
    except (FormProblems, DomainError) as error:
        status, problems = _refusal(error, "Enter your email and password.")
        return render(
            request,
            "auth/login.html",
            status_code=status,
            next=target,
            email=email,
            problems=problems,
        )
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, request, token=opened.token)
    return response


def _refuse_other_sites(request: Request) -> None:
    """Forms used before a session exists accept only posts from this site (no login CSRF)."""
    if not same_origin(request):
        raise Forbidden("This form came from another site; open the page here and try again.")


def _refusal(error: Exception, invalid: str) -> tuple[int, dict[str, str]]:
    if isinstance(error, FormProblems):
        return 422, error.problems if error.problems else {"": invalid}
    assert isinstance(error, DomainError)
    return error.status_code, problems_of(error)


@router.post("/logout")
async def logout(
    request: Request, viewer: PageViewer, found: CredentialsDep, runtime: RuntimeDep, db: DbDep
) -> Response:
    await service.logout(db=db, store=runtime.session_store, token=found.token)
    response = RedirectResponse(f"/login?done={SIGNED_OUT}", status_code=303)
    clear_session_cookie(response, request)
    return response


@router.get("/register")
async def register_page(request: Request, runtime: RuntimeDep) -> Response:
    if not runtime.settings.registration_open:
        raise Forbidden("Self-registration is switched off; ask an administrator for an account.")
    return render(request, "auth/register.html", values={}, problems={})


@router.post("/register")
async def register(
    request: Request,
    runtime: RuntimeDep,
    db: DbDep,
    now: NowDep,
    email: Annotated[str, Form(max_length=320)] = "",
    full_name: Text = "",
    username: Text = "",
    password: Text = "",
) -> Response:
    if not runtime.settings.registration_open:
        raise Forbidden("Self-registration is switched off; ask an administrator for an account.")
    values = {"email": email, "full_name": full_name, "username": username}
    try:
        _refuse_other_sites(request)
        data = parse_form(RegisterRequest, {**values, "password": password})
        await runtime.login_throttle.count_registration(address=client_address(request))
        user = await service.register(db=db, data=data, now=now)
    except (FormProblems, DomainError) as error:
        status, problems = _refusal(error, "Fill in every field.")
        return render(
            request, "auth/register.html", status_code=status, values=values, problems=problems
        )
    opened = await runtime.session_store.open(db, user_id=user.id, now=now)
    response = RedirectResponse(HOME_OF[user.role], status_code=303)
    set_session_cookie(response, request, token=opened.token)
    return response


@router.get("/password")
async def password_page(request: Request, viewer: PageViewer, done: str = "") -> Response:
    return render(
        request,
        "auth/password.html",
        user=viewer.user,
        csrf=viewer.csrf,
        problems={},
        done=done == "changed",
    )


@router.post("/password")
async def change_password(
    request: Request,
    viewer: PageViewer,
    runtime: RuntimeDep,
    db: DbDep,
    now: NowDep,
    current_password: Text = "",
    new_password: Text = "",
    repeat_password: Text = "",
) -> Response:
    """Every session of the account ends (R08); this browser gets a fresh one, and is sent on
    to the page (a reload then shows the page again rather than posting the old form, whose
    token ended with the old session)."""
    try:
        if new_password != repeat_password:
            raise FormProblems({"repeat_password": "The two new passwords are not the same."})
        data = parse_form(
            ProfileUpdate, {"password": new_password, "current_password": current_password}
        )
        await users.update_profile(
            db=db,
            store=runtime.session_store,
            throttle=runtime.login_throttle,
            address=client_address(request),
            user=viewer.user,
            data=data,
            now=now,
        )
    except (FormProblems, DomainError) as error:
        status, problems = _refusal(error, "Fill in every field.")
        if "password" in problems:
            problems["new_password"] = problems.pop("password")
        return render(
            request,
            "auth/password.html",
            user=viewer.user,
            csrf=viewer.csrf,
            status_code=status,
            problems=problems,
            done=False,
        )
    opened = await runtime.session_store.open(db, user_id=viewer.user.id, now=now)
    response = RedirectResponse("/password?done=changed", status_code=303)
    set_session_cookie(response, request, token=opened.token)
    return response
