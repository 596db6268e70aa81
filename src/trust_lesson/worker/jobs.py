"""Periodic jobs. Each runs in its own transaction on the worker's loop, with the worker clock."""

import logging

from huey import crontab

from trust_lesson.db import transaction
from trust_lesson.worker.worker import TaskResources, Worker

log = logging.getLogger("trust_lesson.jobs")


def register(worker: Worker) -> None:
    @worker.periodic("mark-late", crontab(minute="*/10"))
    def mark_late() -> int:
        changed = worker.run(lambda resources: _mark_late(resources, worker))
        if changed:
            log.info("marked %s lesson(s) LATE", changed)
        return changed


async def _mark_late(resources: TaskResources, worker: Worker) -> int:
    from trust_lesson.lessons.jobs import mark_late_lessons

    async with transaction(resources.session_factory) as db:
        return await mark_late_lessons(db=db, now=worker.clock())
