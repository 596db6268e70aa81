"""Periodic jobs. Each runs in its own transaction on the worker's loop, with the worker clock."""

import logging

from huey import crontab

from trust_lesson.auth.session_store import SqlSessionStore, session_lifetime
from trust_lesson.db import transaction
from trust_lesson.lessons.jobs import mark_late_lessons
from trust_lesson.worker.worker import TaskResources, Worker

log = logging.getLogger("trust_lesson.jobs")


def register(worker: Worker) -> None:
    _register_mark_late(worker)
    _register_session_purge(worker)


def _register_mark_late(worker: Worker) -> None:
    @worker.periodic("mark-late", crontab(minute="*/10"))
    def mark_late() -> int:
        changed = worker.run(lambda resources: _mark_late(resources, worker))
        if changed:
            log.info("marked %s lesson(s) LATE", changed)
        return changed


def _register_session_purge(worker: Worker) -> None:
    @worker.periodic("purge-sessions", crontab(minute="7"))
    def purge_sessions() -> int:
        return worker.run(lambda resources: _purge_sessions(resources, worker))


async def _purge_sessions(resources: TaskResources, worker: Worker) -> int:
    """Sessions kept in the database (embedded mode) are deleted once they have ended."""
    if worker.settings.redis_url:
        return 0  # Redis expires its own keys
    store = SqlSessionStore(session_lifetime(worker.settings))
    async with transaction(resources.session_factory) as db:
        return await store.purge(db, now=worker.clock())


async def _mark_late(resources: TaskResources, worker: Worker) -> int:
    async with transaction(resources.session_factory) as db:
        return await mark_late_lessons(db=db, now=worker.clock())
