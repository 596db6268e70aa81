"""Password-guess throttling with the `limits` library: per account and per address (R03).

Every place that checks a password the caller typed counts a wrong one here: sign-in and the
`current_password` of a password change (issue 8/7), so guesses cannot move to the route
that was not counted. Self-registration has its own per-address limit.
"""

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

    def __init__(
        self,
        storage: Storage,
        *,
        per_account: str,
        per_address: str,
        registrations: str = "30/hour",
    ) -> None:
        self._limiter = MovingWindowRateLimiter(storage)
        self._storage = storage
        self._per_account: RateLimitItem = parse(per_account)
        self._per_address: RateLimitItem = parse(per_address)
        self._registrations: RateLimitItem = parse(registrations)

    @classmethod
    def build(
        cls, redis: Redis | None, *, per_account: str, per_address: str, registrations: str
    ) -> "LoginThrottle":
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
        return cls(
            storage, per_account=per_account, per_address=per_address, registrations=registrations
        )

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

    async def count_registration(self, *, address: str) -> None:
        """One more account from this address, or 429 once its limit is reached."""
        key = f"register:{address}"
        if not await self._guard(self._limiter.hit(self._registrations, key)):
            reset_at, _ = await self._guard(
                self._limiter.get_window_stats(self._registrations, key)
            )
            raise TooManyRequests(
                "Too many accounts were registered from your address. Please try again later.",
                retry_after=int(reset_at - time.time()) + 1,
            )

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
