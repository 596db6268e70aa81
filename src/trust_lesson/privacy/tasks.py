"""Privacy work for the worker: the retention sweep, hourly (``retention.py`` says what goes
when). After its commit the purged pictures are deleted from the store; then any picture an
earlier purge let go of but could not delete (the store was down, the process stopped between
the commit and the deletion) is deleted too, so nothing stays on disk that no row points to.
"""

import logging
from datetime import timedelta

from huey import crontab

from trust_lesson.db import transaction
from trust_lesson.privacy import pictures, retention
from trust_lesson.worker.worker import TaskResources, Worker

RETENTION = "retention"
log = logging.getLogger("trust_lesson.privacy")


def register(worker: Worker) -> None:
    @worker.periodic(RETENTION, crontab(minute="23"))
    def retention_sweep() -> int:
        return worker.run(lambda resources: _retention(resources, worker))


async def _retention(resources: TaskResources, worker: Worker) -> int:
    """How many pictures, documents and templates were purged plus leftovers deleted."""
    days = worker.settings.identity_document_retention_days
    async with transaction(resources.session_factory) as db:
        swept = await retention.sweep(
            db, now=worker.clock(), blobs=resources.blobs, document_retention=timedelta(days=days)
        )
    leftovers = await pictures.delete_queued(resources.session_factory, resources.blobs)
    if swept.total or leftovers:
        log.info(
            "retention: %s picture(s), %s identity document set(s), %s face template(s) purged; "
            "%s let-go picture(s) deleted",
            swept.pictures, swept.documents, swept.templates, leftovers,
        )  # fmt: skip
    return swept.total + leftovers
