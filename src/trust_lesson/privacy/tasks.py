"""Privacy work for the worker: the retention sweep, hourly.

It deletes the pictures that purges let go of but could not delete at once (the blob store
was down, the process stopped between the commit and the deletion), so nothing stays on disk
that no row points to.
"""

import logging

from huey import crontab

from trust_lesson.privacy import pictures
from trust_lesson.worker.worker import TaskResources, Worker

RETENTION = "retention"
log = logging.getLogger("trust_lesson.privacy")


def register(worker: Worker) -> None:
    @worker.periodic(RETENTION, crontab(minute="23"))
    def retention() -> int:
        return worker.run(_retention)


async def _retention(resources: TaskResources) -> int:
    deleted = await pictures.delete_queued(resources.session_factory, resources.blobs)
    if deleted:
        log.info("%s let-go picture(s) deleted from the store", deleted)
    return deleted
