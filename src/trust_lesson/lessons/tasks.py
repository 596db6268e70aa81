"""Lesson work for the worker: lessons never started one day after their planned start
become LATE (every 10 minutes; also `trust-lesson jobs mark-late`)."""

import logging

from huey import crontab

from trust_lesson.clock import utc_now
from trust_lesson.db import create_engine, create_session_factory, transaction
from trust_lesson.lessons.service import mark_late_lessons
from trust_lesson.settings import Settings
from trust_lesson.worker.worker import TaskResources, Worker

log = logging.getLogger("trust_lesson.lessons.tasks")
MARK_LATE = "mark-late"


def register(worker: Worker) -> None:
    @worker.periodic(MARK_LATE, crontab(minute="*/10"))
    def mark_late() -> int:
        changed = worker.run(lambda resources: _mark_late(resources, worker))
        if changed:
            log.info("marked %s lesson(s) LATE", changed)
        return changed


async def _mark_late(resources: TaskResources, worker: Worker) -> int:
    async with transaction(resources.session_factory) as db:
        return await mark_late_lessons(db=db, now=worker.clock())


async def run_mark_late(settings: Settings) -> int:
    """The job once, in a transaction of its own, for the command line."""
    engine = create_engine(settings.resolved_database_url)
    try:
        async with transaction(create_session_factory(engine)) as db:
            return await mark_late_lessons(db=db, now=utc_now())
    finally:
        await engine.dispose()
