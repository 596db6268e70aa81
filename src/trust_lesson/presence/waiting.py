"""Waiting for a check without learning when it comes: the held `challenges/next?wait=N`.

The server knows each student's schedule (their Challenge rows); the student never does. A held
request sleeps in asyncio until the student's next challenge is issued, the lesson stops, or
the wait is over; then it answers as `challenges/next` does, and "nothing yet" is the same for
every student. While it sleeps it holds no database connection and no transaction: each read
is a short session of its own. A waiting student costs one read when the wait starts (the
request's), one when their challenge is issued, and nothing in between: whether the lesson
still runs is read once per lesson and process every few seconds (`watch.LessonWatch`),
shared by all its waiting students, so a stop ends every wait within seconds. Several API
processes need no signal between them: the schedule in the database is the same for all.
"""

import asyncio
import math
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from trust_lesson.clock import Clock
from trust_lesson.presence import service
from trust_lesson.presence.service import NextChallenge
from trust_lesson.presence.watch import LessonWatch

LONGEST_WAIT_S = 60
"""The longest a request is held: well under the usual 100 s proxy timeouts."""


async def hold(
    *,
    first: NextChallenge,
    seconds: float,
    lesson_id: int,
    user_id: int,
    factory: async_sessionmaker[AsyncSession],
    watch: LessonWatch,
    clock: Clock,
    gone: Callable[[], Awaitable[bool]] | None = None,
) -> NextChallenge:
    """Wait up to ``seconds`` after ``first`` (nothing due) for the student's next challenge.

    ``gone`` tells whether the client has hung up (a closed tab): the wait then ends at the
    next look instead of running its full time for nobody.
    """
    give_up = _monotonic() + seconds
    upcoming_at = first.upcoming_at
    while True:
        left = give_up - _monotonic()
        if left <= 0:
            return service.nothing_yet(clock(), held=True)
        until = _seconds_until(upcoming_at, clock())
        if until <= 0:
            answer = await _read(factory, lesson_id, user_id, clock())
            if not answer.waiting:
                return answer
            upcoming_at = answer.upcoming_at
            continue
        await asyncio.sleep(min(left, until, watch.recheck_s))
        if not await watch.running(lesson_id, factory):
            return service.lesson_over(clock())
        if gone is not None and await gone():
            return service.nothing_yet(clock(), held=True)


async def _read(
    factory: async_sessionmaker[AsyncSession], lesson_id: int, user_id: int, now: datetime
) -> NextChallenge:
    async with factory() as db:  # read only; closing it rolls back and frees the connection
        return await service.open_challenge(
            db=db, lesson_id=lesson_id, user_id=user_id, now=now, held=True
        )


def _seconds_until(moment: datetime | None, now: datetime) -> float:
    return math.inf if moment is None else (moment - now).total_seconds()


def _monotonic() -> float:
    return asyncio.get_running_loop().time()
