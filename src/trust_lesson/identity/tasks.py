"""Identity work for the worker: the verification task, registered under a stable name.

Like the capture verdict: reads on the worker's loop, examines the pictures in the worker
thread (CPU work), writes the outcome on the loop again; idempotent and retried. A picture
the vision engine refuses after all (it was checked at upload) rejects the verification
with the reason instead of failing the job. A periodic sweep enqueues again a verification
whose job was lost (``identity/sweeps.py``).
"""

import logging
from datetime import date, datetime

from huey import crontab

from trust_lesson.db import transaction
from trust_lesson.identity import sweeps
from trust_lesson.identity.examination import Examination, examine
from trust_lesson.identity.outcome import Outcome, outcome_of
from trust_lesson.identity.verification_job import VerificationInputs, load_inputs, save_outcome
from trust_lesson.identity.verifications import VERIFICATION_TASK
from trust_lesson.models import VerificationStatus
from trust_lesson.vision import ImageRejected
from trust_lesson.worker.worker import TaskResources, Worker

RETRIES = 3
RETRY_DELAY_S = 5
log = logging.getLogger("trust_lesson.identity.tasks")


def register(worker: Worker) -> None:
    @worker.task(VERIFICATION_TASK, retries=RETRIES, retry_delay=RETRY_DELAY_S)
    def verify_identity(verification_id: int) -> None:
        run_verification(worker, verification_id)

    @worker.periodic("resubmit-identity-verifications", crontab(minute="*"))
    def resubmit_verifications() -> int:
        stuck = worker.run(lambda resources: resubmit_stuck(resources, worker.clock()))
        for verification_id in stuck:
            worker.enqueue(VERIFICATION_TASK, verification_id)
        return len(stuck)


async def resubmit_stuck(resources: TaskResources, now: datetime) -> list[int]:
    """Stuck verifications tried too often go to review; the ids of the others to enqueue."""
    async with transaction(resources.session_factory) as db:
        gave_up = await sweeps.give_up_on_stuck(db=db, now=now)
        stuck = list(await sweeps.stuck_verifications(db=db, now=now))
    if gave_up or stuck:
        log.warning(
            "%s stuck verification(s) sent to review, %s enqueued again", gave_up, len(stuck)
        )
    return stuck


def run_verification(worker: Worker, verification_id: int) -> VerificationStatus | None:
    """Examine one verification; the status this run wrote, or None when nothing was to do."""
    loaded = worker.run(lambda resources: load_inputs(resources, verification_id))
    if loaded is None:
        return None
    examination = None
    if isinstance(loaded, VerificationInputs):
        examination, outcome = _examined(loaded, worker.clock().date())
    else:
        outcome = loaded
    now = worker.clock()
    written = worker.run(
        lambda resources: save_outcome(resources, verification_id, outcome, examination, now)
    )
    return outcome.status if written else None


def _examined(inputs: VerificationInputs, today: date) -> tuple[Examination | None, Outcome]:
    try:
        examination = examine(
            document=inputs.document,
            document_back=inputs.document_back,
            selfie=inputs.selfie,
            record=inputs.record,
            policy=inputs.policy,
            today=today,
        )
    except ImageRejected as error:
        return None, Outcome(VerificationStatus.REJECTED, [f"a picture cannot be read: {error}"])
    return examination, outcome_of(examination)
