"""Session work for the worker: ended sessions kept in the database are deleted hourly."""

from huey import crontab

from trust_lesson.auth.session_store import SqlSessionStore, session_lifetime
from trust_lesson.db import transaction
from trust_lesson.worker.worker import TaskResources, Worker

PURGE_SESSIONS = "purge-sessions"


def register(worker: Worker) -> None:
    @worker.periodic(PURGE_SESSIONS, crontab(minute="7"))
    def purge_sessions() -> int:
        return worker.run(lambda resources: _purge_sessions(resources, worker))


async def _purge_sessions(resources: TaskResources, worker: Worker) -> int:
    """Sessions kept in the database (embedded mode) are deleted once they have ended."""
    if worker.settings.redis_url:
        return 0  # Redis expires its own keys
    store = SqlSessionStore(session_lifetime(worker.settings))
    async with transaction(resources.session_factory) as db:
        return await store.purge(db, now=worker.clock())
