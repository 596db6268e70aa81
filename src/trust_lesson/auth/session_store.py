"""Where signed-in sessions live: the database (embedded) or Redis (scaled).

Both stores keep only the token's SHA-256 and enforce idle and absolute expiry against the
service clock. Redis errors fail closed: a protected request gets 503, never a free pass.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.auth.tokens import new_token, token_digest
from trust_lesson.errors import ServiceUnavailable
from trust_lesson.models import AuthSession
from trust_lesson.settings import Settings

TOUCH_EVERY = timedelta(seconds=60)
log = logging.getLogger("trust_lesson.auth")


@dataclass(frozen=True)
class SessionLifetime:
    """Idle expiry is counted from the last recorded use ("touch"), written at most every
    `touch_every`: a tenth of the idle time, at most a minute. A session in use therefore
    never ends early (issue 8/14: with a 60 s touch and a 1-minute idle time every session
    died a minute after sign-in), and an unused one ends between 0.9 and 1.0 idle times after
    its last use, never later than configured."""

    idle: timedelta
    absolute: timedelta

    @property
    def touch_every(self) -> timedelta:
        return min(TOUCH_EVERY, self.idle / 10)


def session_lifetime(settings: Settings) -> SessionLifetime:
    return SessionLifetime(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_absolute_hours),
    )


@dataclass(frozen=True)
class OpenedSession:
    token: str
    expires_at: datetime


class SessionStore(Protocol):
    async def open(self, db: AsyncSession, *, user_id: int, now: datetime) -> OpenedSession: ...

    async def resolve(self, db: AsyncSession, *, token: str, now: datetime) -> int | None: ...

    async def close(self, db: AsyncSession, *, token: str) -> None: ...

    async def close_all(self, db: AsyncSession, *, user_id: int) -> None: ...

    async def ping(self) -> bool: ...


class SqlSessionStore:
    """Sessions in the `auth_sessions` table, inside the request's own transaction."""

    def __init__(self, lifetime: SessionLifetime) -> None:
        self.lifetime = lifetime

    async def open(self, db: AsyncSession, *, user_id: int, now: datetime) -> OpenedSession:
        token = new_token()
        expires_at = now + self.lifetime.absolute
        db.add(
            AuthSession(
                token_hash=token_digest(token),
                user_id=user_id,
                created_at=now,
                last_seen_at=now,
                expires_at=expires_at,
            )
        )
        await db.flush()
        return OpenedSession(token=token, expires_at=expires_at)

    async def resolve(self, db: AsyncSession, *, token: str, now: datetime) -> int | None:
        query = select(AuthSession).where(AuthSession.token_hash == token_digest(token))
        session = (await db.execute(query)).scalar_one_or_none()
        if session is None:
            return None
        if now >= session.expires_at or now - session.last_seen_at >= self.lifetime.idle:
            return None  # ended; the row goes with the next purge (a 401 rolls back anyway)
        if now - session.last_seen_at >= self.lifetime.touch_every:
            session.last_seen_at = now
        return session.user_id

    async def close(self, db: AsyncSession, *, token: str) -> None:
        await db.execute(delete(AuthSession).where(AuthSession.token_hash == token_digest(token)))

    async def purge(self, db: AsyncSession, *, now: datetime) -> int:
        """Delete sessions that can no longer be used (idle or past their absolute expiry)."""
        ended = (AuthSession.expires_at <= now) | (
            AuthSession.last_seen_at <= now - self.lifetime.idle
        )
        result = await db.execute(delete(AuthSession).where(ended))
        return int(getattr(result, "rowcount", 0) or 0)

    async def close_all(self, db: AsyncSession, *, user_id: int) -> None:
        await db.execute(delete(AuthSession).where(AuthSession.user_id == user_id))

    async def ping(self) -> bool:
        return True


class RedisSessionStore:
    """Sessions as Redis hashes `tl:session:<sha256>`, indexed per user for revocation."""

    def __init__(self, redis: "Redis", lifetime: SessionLifetime) -> None:
        self.redis = redis
        self.lifetime = lifetime

    async def open(self, db: AsyncSession, *, user_id: int, now: datetime) -> OpenedSession:
        token = new_token()
        digest = token_digest(token)
        expires_at = now + self.lifetime.absolute
        fields: dict[
            bytes | bytearray | memoryview | str | int | float,
            bytes | bytearray | memoryview | str | int | float,
        ] = {
            "user_id": user_id,
            "expires": expires_at.timestamp(),
            "seen": now.timestamp(),
        }
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.hset(_key(digest), mapping=fields)
                pipe.expire(_key(digest), self._ttl())
                pipe.sadd(_user_key(user_id), digest)
                pipe.expire(_user_key(user_id), self._ttl())
                await pipe.execute()
        except RedisError as error:
            raise _unavailable(error) from error
        return OpenedSession(token=token, expires_at=expires_at)

    async def resolve(self, db: AsyncSession, *, token: str, now: datetime) -> int | None:
        digest = token_digest(token)
        try:
            fields = await self.redis.hgetall(_key(digest))
            if not fields:
                return None
            seen = float(fields[b"seen"])
            if now.timestamp() >= float(fields[b"expires"]) or (
                now.timestamp() - seen >= self.lifetime.idle.total_seconds()
            ):
                await self.redis.delete(_key(digest))
                return None
            if now.timestamp() - seen >= self.lifetime.touch_every.total_seconds():
                await self._touch(digest, now)
        except RedisError as error:
            raise _unavailable(error) from error
        return int(fields[b"user_id"])

    async def _touch(self, digest: str, now: datetime) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(_key(digest), "seen", now.timestamp())
            pipe.expire(_key(digest), self._ttl())
            await pipe.execute()

    async def close(self, db: AsyncSession, *, token: str) -> None:
        try:
            await self.redis.delete(_key(token_digest(token)))
        except RedisError as error:
            raise _unavailable(error) from error

    async def close_all(self, db: AsyncSession, *, user_id: int) -> None:
        try:
            digests = await self.redis.smembers(_user_key(user_id))
            keys = [_key(d.decode() if isinstance(d, bytes) else d) for d in digests]
            await self.redis.delete(*keys, _user_key(user_id))
        except RedisError as error:
            raise _unavailable(error) from error

    async def ping(self) -> bool:
        try:
            return bool(await self.redis.ping())
        except RedisError:
            return False

    def _ttl(self) -> int:
        """Redis forgets a session a little after it could no longer be valid anyway."""
        return int((self.lifetime.absolute + self.lifetime.idle).total_seconds())


def _key(digest: str) -> str:
    return f"tl:session:{digest}"


def _user_key(user_id: int) -> str:
    return f"tl:user-sessions:{user_id}"


def _unavailable(error: RedisError) -> ServiceUnavailable:
    """The 503 a person sees; the operator's log says what Redis answered."""
    log.warning("session store unreachable: %s: %s", type(error).__name__, error)
    return ServiceUnavailable("The session store is unreachable; please try again shortly.")
