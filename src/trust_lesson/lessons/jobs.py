"""Scheduled lesson jobs. Each runs inside a transaction owned by its caller."""

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.clock import utc_now
from trust_lesson.db import create_engine, create_session_factory, transaction
from trust_lesson.lessons.service import LATE_AFTER
from trust_lesson.models import Lesson, LessonStatus
from trust_lesson.settings import Settings


async def mark_late_lessons(*, db: AsyncSession, now: datetime) -> int:
    """WAITING lessons whose planned start is more than one day ago become LATE."""
    statement = (
        update(Lesson)
        .where(Lesson.status == LessonStatus.WAITING, Lesson.start_date < now - LATE_AFTER)
        .values(status=LessonStatus.LATE)
        .execution_options(synchronize_session=False)
    )
    result = await db.execute(statement)
    return int(result.rowcount)  # type: ignore[attr-defined]


async def run_mark_late(settings: Settings) -> int:
    """The job in a transaction of its own, for the command line and the worker."""
    engine = create_engine(settings.resolved_database_url)
    try:
        async with transaction(create_session_factory(engine)) as db:
            return await mark_late_lessons(db=db, now=utc_now())
    finally:
        await engine.dispose()
