"""Accounts: create, read, change, delete. Flushes only; the caller owns the transaction."""

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.auth.passwords import hash_password, password_problem, verify_password
from trust_lesson.auth.session_store import SessionStore
from trust_lesson.auth.throttle import LoginThrottle
from trust_lesson.errors import Conflict, Forbidden, NotFound, Unprocessable
from trust_lesson.models import Role, User
from trust_lesson.users.schemas import ProfileUpdate, UserCreate, UserUpdate

log = logging.getLogger("trust_lesson.security")


def check_new_password(password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise Unprocessable(f"password: {problem}")


async def create(*, db: AsyncSession, data: UserCreate, now: datetime) -> User:
    check_new_password(data.password)
    email = data.email.lower()
    await _ensure_free(db, email=email, username=data.username)
    user = User(
        email=email,
        username=data.username,
        full_name=data.full_name,
        role=data.role,
        is_active=True,
        password_hash=await hash_password(data.password),
        created_at=now,
        updated_at=now,
    )
    db.add(user)
    await _flush_unique(db)
    return user


async def _flush_unique(db: AsyncSession) -> None:
    """The unique indexes decide races the check above cannot see (issue 8/8: 409, not 500)."""
    try:
        await db.flush()
    except IntegrityError:
        raise Conflict("This email or username is already in use.") from None


async def _ensure_free(
    db: AsyncSession, *, email: str | None, username: str | None, except_id: int | None = None
) -> None:
    clauses = []
    if email is not None:
        clauses.append(User.email == email)
    if username is not None:
        clauses.append(func.lower(User.username) == username.lower())
    if not clauses:
        return
    query = select(User.email, User.username).where(or_(*clauses))
    if except_id is not None:
        query = query.where(User.id != except_id)
    taken = (await db.execute(query)).first()
    if taken is not None:
        field = "email" if email is not None and taken.email == email else "username"
        raise Conflict(f"This {field} is already in use.")


async def get(*, db: AsyncSession, user_id: int) -> User:
    """A live account; a deleted one (a pseudonym kept for its evidence) is no user."""
    user = await db.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("No such user.")
    return user


async def find_by_email(*, db: AsyncSession, email: str) -> User | None:
    query = select(User).where(User.email == email.strip().lower())
    return (await db.execute(query)).scalar_one_or_none()


async def list_all(
    *, db: AsyncSession, limit: int, offset: int, role: Role | None = None
) -> Sequence[User]:
    query = (
        select(User).where(User.deleted_at.is_(None)).order_by(User.id).limit(limit).offset(offset)
    )
    if role is not None:
        query = query.where(User.role == role)
    return (await db.execute(query)).scalars().all()


async def update(
    *, db: AsyncSession, store: SessionStore, user: User, data: UserUpdate, now: datetime
) -> User:
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "email" in changes:
        changes["email"] = changes["email"].lower()
    await _ensure_free(
        db, email=changes.get("email"), username=changes.get("username"), except_id=user.id
    )
    password = changes.pop("password", None)
    for name, value in changes.items():
        setattr(user, name, value)
    if password is not None:
        await _set_password(user, password)
    if password is not None or changes.get("is_active") is False:
        await store.close_all(db, user_id=user.id)
    user.updated_at = now
    await _flush_unique(db)
    return user


SELF_SERVICE_FIELDS = frozenset({"full_name", "username"})
SECURITY_FIELDS = frozenset({"password", "role", "is_active", "email"})


async def update_by(
    *,
    db: AsyncSession,
    store: SessionStore,
    caller: User,
    user: User,
    data: UserUpdate,
    now: datetime,
) -> User:
    """Admins change anything; users change only their names here (passwords via /users/me)."""
    refused = data.model_fields_set - SELF_SERVICE_FIELDS
    if caller.role is not Role.ADMIN and refused:
        fields = ", ".join(sorted(refused))
        raise Unprocessable(f"{fields}: you cannot change this on your own account here.")
    if caller.id == user.id:
        _refuse_locking_oneself_out(data)
    changed = await update(db=db, store=store, user=user, data=data, now=now)
    if sensitive := sorted(data.model_fields_set & SECURITY_FIELDS):
        log.warning(
            "account changed by an administrator",
            extra={
                "event": "admin_account_change",
                "actor_id": caller.id,
                "user_id": user.id,
                "fields": ",".join(sensitive),
                "role": changed.role.value,
                "is_active": changed.is_active,
            },
        )
    return changed


def _refuse_locking_oneself_out(data: UserUpdate) -> None:
    """An administrator never disables or demotes their own account: one click would lock
    them out (perhaps the school's last administrator); another administrator can."""
    if data.is_active is False:
        raise Unprocessable("You cannot disable your own account; another administrator can.")
    if data.role is not None and data.role is not Role.ADMIN:
        raise Unprocessable(
            "role: you cannot take away your own administrator role; another administrator can."
        )


async def confirm_password(
    *, throttle: LoginThrottle, address: str, user: User, password: str, event: str
) -> None:
    """The account's password typed again before a grave change (a new password, the account
    deleted): a wrong one counts as a failed sign-in of the account (issue 8/7), so guesses
    cannot move to a form that was not counted; `event` names the change in the log."""
    await throttle.check(email=user.email, address=address)
    if not await verify_password(user.password_hash, password):
        await throttle.record_failure(email=user.email, address=address)
        log.warning(
            "wrong current password",
            extra={"event": event, "user_id": user.id, "address": address},
        )
        raise Forbidden("current_password: the current password is not correct.")


async def update_profile(
    *,
    db: AsyncSession,
    store: SessionStore,
    throttle: LoginThrottle,
    address: str,
    user: User,
    data: ProfileUpdate,
    now: datetime,
) -> User:
    """A new password needs the current one (`confirm_password`)."""
    if data.password is not None:
        await confirm_password(
            throttle=throttle, address=address, user=user, password=data.current_password or "",
            event="password_change_failed",
        )  # fmt: skip
    admin_view = UserUpdate(
        full_name=data.full_name, username=data.username, password=data.password
    )
    return await update(db=db, store=store, user=user, data=admin_view, now=now)


async def _set_password(user: User, password: str) -> None:
    check_new_password(password)
    user.password_hash = await hash_password(password)
