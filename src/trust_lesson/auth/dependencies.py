"""Who is calling: typed dependencies for the current user and roles (deny by default).

API clients send `Authorization: Bearer <token>`; browsers carry the same kind of session in
an HttpOnly cookie, and then every state-changing request must also carry the session's CSRF
token (header `X-CSRF-Token` or form field `csrf_token`) and come from this site (R09).
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from trust_lesson.deps import DbDep, NowDep, RuntimeDep
from trust_lesson.errors import Forbidden, NotAuthenticated
from trust_lesson.models import Role, User
from trust_lesson.web.browser_session import (
    CSRF_FIELD,
    CSRF_HEADER,
    UNSAFE_METHODS,
    cookie_token,
    csrf_token_matches,
    same_origin,
)

CSRF_REFUSED = "This form has expired or came from another site; reload the page and try again."


@dataclass(frozen=True)
class Credentials:
    token: str
    from_cookie: bool


async def credentials(request: Request, runtime: RuntimeDep) -> Credentials:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return Credentials(token=token.strip(), from_cookie=False)
    if scheme.strip():
        raise NotAuthenticated()
    cookie = cookie_token(request)
    if cookie is None:
        raise NotAuthenticated()
    if request.method in UNSAFE_METHODS:
        await _check_csrf(request, cookie, runtime.settings.resolved_secret_key())
    return Credentials(token=cookie, from_cookie=True)


async def _check_csrf(request: Request, token: str, secret_key: str) -> None:
    presented = request.headers.get(CSRF_HEADER)
    content_type = request.headers.get("content-type", "")
    if presented is None and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        presented = value if isinstance(value, str) else None
    if not same_origin(request) or not csrf_token_matches(secret_key, token, presented):
        raise Forbidden(CSRF_REFUSED)


CredentialsDep = Annotated[Credentials, Depends(credentials)]


async def session_token(found: CredentialsDep) -> str:
    return found.token


BearerToken = Annotated[str, Depends(session_token)]
"""The caller's session token, whether it came as a Bearer token or in the cookie."""


async def current_user(runtime: RuntimeDep, db: DbDep, now: NowDep, token: BearerToken) -> User:
    user_id = await runtime.session_store.resolve(db, token=token, now=now)
    user = await db.get(User, user_id) if user_id is not None else None
    if user is None or not user.is_active:
        raise NotAuthenticated("Your session has ended; sign in again.")
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def require_admin(user: CurrentUser) -> User:
    if user.role is not Role.ADMIN:
        raise Forbidden("Only an administrator may do this.")
    return user


def require_staff(user: CurrentUser) -> User:
    if user.role not in (Role.ADMIN, Role.INSTRUCTOR):
        raise Forbidden("Only instructors and administrators may do this.")
    return user


AdminUser = Annotated[User, Depends(require_admin)]
StaffUser = Annotated[User, Depends(require_staff)]
