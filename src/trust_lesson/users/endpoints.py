from typing import Annotated

from fastapi import APIRouter, Depends, Request, status

from trust_lesson.auth.dependencies import AdminUser, CurrentUser
from trust_lesson.deps import DbDep, NowDep, PageDep, RowIdPath, RuntimeDep, client_address
from trust_lesson.models import Role, User
from trust_lesson.presence.schemas import problems
from trust_lesson.privacy import accounts
from trust_lesson.users import service
from trust_lesson.users.schemas import (
    OwnAccountDeletion,
    ProfileUpdate,
    UserCreate,
    UserRead,
    UserUpdate,
)

router = APIRouter(prefix="/api/v1/users", tags=["users"])
UserId = RowIdPath


async def visible_user(user_id: UserId, caller: CurrentUser, db: DbDep) -> User:
    """Admins see any account; everybody else only their own (others look absent)."""
    if caller.role is not Role.ADMIN and caller.id != user_id:
        return await service.get(db=db, user_id=-1)
    return await service.get(db=db, user_id=user_id)


VisibleUser = Annotated[User, Depends(visible_user)]


@router.get("/me", response_model=UserRead)
async def read_me(user: CurrentUser) -> User:
    return user


@router.patch("/me", response_model=UserRead)
async def update_me(
    data: ProfileUpdate,
    user: CurrentUser,
    request: Request,
    runtime: RuntimeDep,
    db: DbDep,
    now: NowDep,
) -> User:
    return await service.update_profile(
        db=db,
        store=runtime.session_store,
        throttle=runtime.login_throttle,
        address=client_address(request),
        user=user,
        data=data,
        now=now,
    )


@router.delete(
    "/me",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(
        {
            403: "the password is not correct (counted like a failed sign-in)",
            409: "an administrator (another administrator can), or someone who still teaches",
            429: "too many wrong passwords: wait before trying again",
        }
    ),
)
async def delete_me(
    data: OwnAccountDeletion,
    user: CurrentUser,
    request: Request,
    runtime: RuntimeDep,
    db: DbDep,
    now: NowDep,
) -> None:
    """GDPR 17: the caller erases their own account, as `DELETE /api/v1/users/{id}` does
    (their attendance evidence stays under a pseudonym); every session ends."""
    await accounts.delete_own_account(
        db=db,
        store=runtime.session_store,
        blobs=runtime.blobs,
        throttle=runtime.login_throttle,
        address=client_address(request),
        user=user,
        password=data.current_password,
        now=now,
    )


@router.get("", response_model=list[UserRead])
async def list_users(
    admin: AdminUser, db: DbDep, page: PageDep, role: Role | None = None
) -> list[User]:
    return list(await service.list_all(db=db, limit=page.limit, offset=page.offset, role=role))


@router.post("", response_model=UserRead, status_code=status.HTTP_201_CREATED)
async def create_user(data: UserCreate, admin: AdminUser, db: DbDep, now: NowDep) -> User:
    return await service.create(db=db, data=data, now=now)


@router.get("/{user_id}", response_model=UserRead)
async def read_user(user: VisibleUser) -> User:
    return user


@router.patch("/{user_id}", response_model=UserRead)
async def update_user(
    data: UserUpdate,
    user: VisibleUser,
    caller: CurrentUser,
    runtime: RuntimeDep,
    db: DbDep,
    now: NowDep,
) -> User:
    return await service.update_by(
        db=db, store=runtime.session_store, caller=caller, user=user, data=data, now=now
    )


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_user(
    user_id: UserId, admin: AdminUser, runtime: RuntimeDep, db: DbDep, now: NowDep
) -> None:
    """The person's data goes; their attendance evidence stays under a pseudonym (R25)."""
    await accounts.delete_account(
        db=db,
        store=runtime.session_store,
        blobs=runtime.blobs,
        user=await service.get(db=db, user_id=user_id),
        now=now,
        actor=admin,
    )
