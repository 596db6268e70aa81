from fastapi import APIRouter, Request, status

from trust_lesson.auth import service
from trust_lesson.auth.dependencies import BearerToken, CurrentUser
from trust_lesson.auth.schemas import LoginRequest, RegisterRequest, TokenResponse
from trust_lesson.deps import DbDep, NowDep, RuntimeDep, client_address
from trust_lesson.errors import Forbidden
from trust_lesson.users.schemas import UserRead

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post("/login", response_model=TokenResponse)
async def login(
    credentials: LoginRequest, request: Request, runtime: RuntimeDep, db: DbDep, now: NowDep
) -> TokenResponse:
    opened = await service.login(
        db=db,
        store=runtime.session_store,
        throttle=runtime.login_throttle,
        credentials=credentials,
        address=client_address(request),
        now=now,
    )
    return TokenResponse(access_token=opened.token, expires_at=opened.expires_at)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(user: CurrentUser, token: BearerToken, runtime: RuntimeDep, db: DbDep) -> None:
    await service.logout(db=db, store=runtime.session_store, token=token)


@router.post("/register", response_model=UserRead, status_code=status.HTTP_201_CREATED)
async def register(
    data: RegisterRequest, request: Request, runtime: RuntimeDep, db: DbDep, now: NowDep
) -> UserRead:
    if not runtime.settings.registration_open:
        raise Forbidden("Self-registration is switched off; ask an administrator for an account.")
    await runtime.login_throttle.count_registration(address=client_address(request))
    user = await service.register(db=db, data=data, now=now)
    return UserRead.model_validate(user)
