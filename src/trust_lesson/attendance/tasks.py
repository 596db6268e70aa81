"""Attendance's periodic job: finalize lessons nobody stopped, decide late-analysed students.

Each overdue lesson is stopped and decided in a transaction of its own, so one failing lesson
never holds the others back; every step is guarded by the lesson's status, so a job that runs
twice (or beside an instructor's stop) decides each lesson once.
"""

import logging
from datetime import datetime

from huey import crontab

from trust_lesson.attendance import service
from trust_lesson.db import transaction
from trust_lesson.lessons import service as lessons
from trust_lesson.worker.worker import TaskResources, Worker

log = logging.getLogger("trust_lesson.attendance")
FINALIZE = "finalize-ended-lessons"


def register(worker: Worker) -> None:
    @worker.periodic(FINALIZE, crontab(minute="*"))
    def finalize_ended_lessons() -> int:
        return worker.run(lambda resources: finalize(resources, now=worker.clock()))


async def finalize(resources: TaskResources, *, now: datetime) -> int:
    """Stop and decide every overdue lesson; returns how many were finalized."""
    async with transaction(resources.session_factory) as db:
        overdue = await lessons.overdue_lessons(db=db, now=now)
    finalized = 0
    for lesson_id in overdue:
        try:
            async with transaction(resources.session_factory) as db:
                finalized += await lessons.finish_overdue(db=db, lesson_id=lesson_id, now=now)
        except Exception:
            log.exception("could not finalize lesson %s; the next run tries again", lesson_id)
    async with transaction(resources.session_factory) as db:
        redecided = await service.redecide_late_verdicts(db=db, now=now)
    if finalized or redecided:
        log.info("finalized %s lesson(s), decided %s student(s) again", finalized, redecided)
    return finalized
