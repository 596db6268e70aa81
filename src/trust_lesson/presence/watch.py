"""Whether a lesson still runs, as the students waiting for a check in it need to know.

One read per lesson and process every few seconds, shared by all the lesson's waiting
students, instead of a query per student (see ``waiting.py``).
"""

import asyncio
import math
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from trust_lesson.models import Lesson, LessonStatus

FORGET_ABOVE = 1024
"""Lessons remembered before those not read lately are let go."""


@dataclass
class LessonWatch:
    """Whether a lesson still runs, read at most once per ``fresh_s`` per lesson and process.

    ``recheck_s``: how often a sleeping wait looks (a stop ends a wait within about
    ``fresh_s + recheck_s``).
    """

    fresh_s: float = 5.0
    recheck_s: float = 5.0
    _seen: dict[int, tuple[float, bool]] = field(default_factory=dict)
    _reading: dict[int, asyncio.Lock] = field(default_factory=dict)

    async def running(self, lesson_id: int, factory: async_sessionmaker[AsyncSession]) -> bool:
        seen = self._fresh(lesson_id)
        if seen is not None:
            return seen
        lock = self._reading.setdefault(lesson_id, asyncio.Lock())
        async with lock:  # many waiters, one query
            seen = self._fresh(lesson_id)
            if seen is None:
                async with factory() as db:
                    status = await db.scalar(select(Lesson.status).where(Lesson.id == lesson_id))
                seen = status is LessonStatus.RUNNING
                self._remember(lesson_id, seen)
        return seen

    def _remember(self, lesson_id: int, running: bool) -> None:
        now = _monotonic()
        if len(self._seen) >= FORGET_ABOVE:  # lessons long over: let them go
            for stale in [i for i, (at, _) in self._seen.items() if now - at > self.fresh_s]:
                del self._seen[stale]
                self._reading.pop(stale, None)
        self._seen[lesson_id] = (now, running)

    def _fresh(self, lesson_id: int) -> bool | None:
        at, running = self._seen.get(lesson_id, (-math.inf, False))
        return running if _monotonic() - at < self.fresh_s else None


def _monotonic() -> float:
    return asyncio.get_running_loop().time()
