"""Login throttling with the `limits` library: per account and per client address (R03)."""

import hashlib
import time
from collections.abc import Awaitable
from typing import TypeVar

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import Redis
from redis.exceptions import RedisError

from trust_lesson.errors import ServiceUnavailable, TooManyRequests

T = TypeVar("T")


class LoginThrottle:
    """Counts failed sign-ins; once a limit is reached, attempts are refused before checking."""

    def __init__(self, storage: Storage, *, per_account: str, per_address: str) -> None:
        self._limiter = MovingWindowRateLimiter(storage)
        self._storage = storage
        self._per_account: RateLimitItem = parse(per_account)
        self._per_address: RateLimitItem = parse(per_address)

    @classmethod
    def build(cls, redis: Redis | None, *, per_account: str, per_address: str) -> "LoginThrottle":
        """Counters in the service's Redis (sharing its connections) or in process memory."""
        storage: Storage
        if redis is not None:
            storage = RedisStorage(
                "async+redis://",
                implementation="redispy",
                key_prefix="tl-limits",
                connection_pool=redis.connection_pool,  # type: ignore[arg-type]
            )
        else:
            storage = MemoryStorage()
        return cls(storage, per_account=per_account, per_address=per_address)

    async def check(self, *, email: str, address: str) -> None:
        for item, key in self._pairs(email, address):
            if not await self._guard(self._limiter.test(item, key)):
                reset_at, _ = await self._guard(self._limiter.get_window_stats(item, key))
                raise TooManyRequests(
                    "Too many failed sign-in attempts. Please wait before trying again.",
                    retry_after=int(reset_at - time.time()) + 1,
                )

    async def record_failure(self, *, email: str, address: str) -> None:
        for item, key in self._pairs(email, address):
            await self._guard(self._limiter.hit(item, key))

    def _pairs(self, email: str, address: str) -> list[tuple[RateLimitItem, str]]:
        account = hashlib.sha256(email.strip().lower().encode()).hexdigest()
        return [(self._per_account, f"account:{account}"), (self._per_address, f"ip:{address}")]

    @staticmethod
    async def _guard(awaitable: Awaitable[T]) -> T:
        try:
            return await awaitable
        except (RedisError, ConnectionError, TimeoutError) as error:
            raise ServiceUnavailable(
                "Sign-in is unavailable right now; try again shortly."
            ) from error
