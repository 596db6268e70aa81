"""The evidence log's periodic job: sign a checkpoint every minute when the log has grown
(lesson stops sign one at once, in their own transaction)."""

import logging

from huey import crontab

from trust_lesson.db import transaction
from trust_lesson.evidence import log as evidence_log
from trust_lesson.evidence.keys import load_school_keys
from trust_lesson.worker.worker import TaskResources, Worker

log = logging.getLogger("trust_lesson.evidence")
CHECKPOINT = "evidence-checkpoint"


def register(worker: Worker) -> None:
    @worker.periodic(CHECKPOINT, crontab(minute="*"))
    def sign_checkpoint() -> int:
        return worker.run(lambda resources: write_checkpoint(resources, worker))


async def write_checkpoint(resources: TaskResources, worker: Worker) -> int:
    """Signs the log's head if it grew; returns the signed size (0 when nothing was new)."""
    now = worker.clock()
    keys = load_school_keys(worker.settings, now=now)
    async with transaction(resources.session_factory) as db:
        row = await evidence_log.write_checkpoint(db, keys=keys, now=now)
    if row is None:
        return 0
    log.info("signed the evidence log at size %s", row.size)
    return row.size
