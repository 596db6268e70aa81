"""Sign-in, sign-out and self-registration."""

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.auth.passwords import verify_password
from trust_lesson.auth.schemas import LoginRequest, RegisterRequest
from trust_lesson.auth.session_store import OpenedSession, SessionStore
from trust_lesson.auth.throttle import LoginThrottle
from trust_lesson.errors import NotAuthenticated
from trust_lesson.models import Role, User
from trust_lesson.users import service as users
from trust_lesson.users.schemas import UserCreate

log = logging.getLogger("trust_lesson.security")

WRONG_CREDENTIALS = "The email or password is not correct."


async def login(
    *,
    db: AsyncSession,
    store: SessionStore,
    throttle: LoginThrottle,
    credentials: LoginRequest,
    address: str,
    now: datetime,
) -> OpenedSession:
    """Same answer and the same work for an unknown email as for a wrong password (R04)."""
    await throttle.check(email=credentials.email, address=address)
    user = await users.find_by_email(db=db, email=credentials.email)
    stored_hash = user.password_hash if user is not None else None
    if not await verify_password(stored_hash, credentials.password) or user is None:
        await throttle.record_failure(email=credentials.email, address=address)
        # Who: the account when it exists, never the typed email (people type passwords there).
        who = user.id if user is not None else "unknown account"
        log.warning(
            "login failed", extra={"event": "login_failed", "user_id": who, "address": address}
        )
        raise NotAuthenticated(WRONG_CREDENTIALS)
    if not user.is_active:
        log.warning(
            "login of a disabled account",
            extra={"event": "login_disabled", "user_id": user.id, "address": address},
        )
        raise NotAuthenticated(WRONG_CREDENTIALS)
    log.info("login", extra={"event": "login", "user_id": user.id, "address": address})
    return await store.open(db, user_id=user.id, now=now)


async def logout(*, db: AsyncSession, store: SessionStore, token: str) -> None:
    await store.close(db, token=token)
    log.info("logout", extra={"event": "logout"})


async def register(*, db: AsyncSession, data: RegisterRequest, now: datetime) -> User:
    account = UserCreate(**data.model_dump(), role=Role.STUDENT)
    user = await users.create(db=db, data=account, now=now)
    log.info("registered", extra={"event": "register", "user_id": user.id})
    return user
