"""Identity work for the worker: the verification task, registered under a stable name.

Like the capture verdict: reads on the worker's loop, examines the pictures in the worker
thread (CPU work), writes the outcome on the loop again; idempotent and retried. A picture
the vision engine refuses after all (it was checked at upload) rejects the verification
with the reason instead of failing the job.
"""

from datetime import date

from trust_lesson.identity.examination import Examination, examine
from trust_lesson.identity.outcome import Outcome, outcome_of
from trust_lesson.identity.verification_job import VerificationInputs, load_inputs, save_outcome
from trust_lesson.identity.verifications import VERIFICATION_TASK
from trust_lesson.models import VerificationStatus
from trust_lesson.vision import ImageRejected
from trust_lesson.worker.worker import Worker

RETRIES = 3
RETRY_DELAY_S = 5


def register(worker: Worker) -> None:
    @worker.task(VERIFICATION_TASK, retries=RETRIES, retry_delay=RETRY_DELAY_S)
    def verify_identity(verification_id: int) -> None:
        run_verification(worker, verification_id)


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
