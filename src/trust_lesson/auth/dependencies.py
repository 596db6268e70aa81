"""Who is calling: typed dependencies for the current user and roles (deny by default)."""

from typing import Annotated

from fastapi import Depends, Request

from trust_lesson.deps import DbDep, NowDep, RuntimeDep
from trust_lesson.errors import Forbidden, NotAuthenticated
from trust_lesson.models import Role, User


def bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated()
    return token.strip()


BearerToken = Annotated[str, Depends(bearer_token)]


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
