"""The evidence log's periodic jobs: sign a checkpoint every minute when the log has grown
(lesson stops sign one at once, in their own transaction); check the whole log every night
(its outcome is on the administrator's evidence page)."""

import logging

from huey import crontab

from trust_lesson.db import transaction
from trust_lesson.evidence import log as evidence_log
from trust_lesson.evidence.keys import load_school_keys
from trust_lesson.evidence.verify import verify_and_record
from trust_lesson.worker.worker import TaskResources, Worker

log = logging.getLogger("trust_lesson.evidence")
CHECKPOINT = "evidence-checkpoint"
VERIFY = "evidence-verify"


def register(worker: Worker) -> None:
    @worker.periodic(CHECKPOINT, crontab(minute="*"))
    def sign_checkpoint() -> int:
        return worker.run(lambda resources: write_checkpoint(resources, worker))

    @worker.periodic(VERIFY, crontab(minute="17", hour="3"))
    def verify_log() -> bool:
        return worker.run(lambda resources: check_whole_log(resources, worker))


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


async def check_whole_log(resources: TaskResources, worker: Worker) -> bool:
    """Recomputes the log and checks every checkpoint; the run is kept; whether it held."""
    now = worker.clock()
    keys = load_school_keys(worker.settings, now=now)
    report = await verify_and_record(resources.session_factory, keys.public, now=now)
    if not report.valid:
        log.error("the evidence log does not verify: %s", report.problems[0])
    return report.valid
