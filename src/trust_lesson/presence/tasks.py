"""Presence work for the worker: the verdict task and the sweeps, registered under stable names.

The verdict task runs in a worker thread: it reads what it needs on the worker's loop
(`worker.run`), analyses the picture in its own thread (CPU work never runs on an event loop)
and writes the verdict on the loop again. It is idempotent and retried on failure; the
resubmit sweep re-enqueues a capture whose job was lost or whose worker died.
"""

import logging

from huey import crontab

from trust_lesson.db import transaction
from trust_lesson.presence import sweeps
from trust_lesson.presence.burst_verdict import judge_burst
from trust_lesson.presence.captures import VERDICT_TASK
from trust_lesson.presence.judging import Judgement, judge
from trust_lesson.presence.verdict_job import VerdictInputs, load_inputs, save_verdict
from trust_lesson.presence.verdicts import Verdict
from trust_lesson.worker.worker import TaskResources, Worker

VERDICT_RETRIES = 3
VERDICT_RETRY_DELAY_S = 5
log = logging.getLogger("trust_lesson.presence.tasks")


def register(worker: Worker) -> None:
    @worker.task(VERDICT_TASK, retries=VERDICT_RETRIES, retry_delay=VERDICT_RETRY_DELAY_S)
    def verdict(capture_id: int) -> None:
        """Returns nothing: the row holds the verdict, and Huey keeps no result for None."""
        run_verdict(worker, capture_id)

    @worker.periodic("expire-challenges", crontab(minute="*"))
    def expire_challenges() -> int:
        return worker.run(lambda resources: _expire(resources, worker))

    @worker.periodic("resubmit-captures", crontab(minute="*"))
    def resubmit_captures() -> int:
        stuck = worker.run(lambda resources: _stuck(resources, worker))
        for capture_id in stuck:
            worker.enqueue(VERDICT_TASK, capture_id)
        return len(stuck)


def run_verdict(worker: Worker, capture_id: int) -> Verdict | None:
    """Judge one capture; the verdict this run wrote, or None when there was nothing to do."""
    loaded = worker.run(lambda resources: load_inputs(resources, capture_id))
    if loaded is None:
        return None
    judgement = _judge(loaded) if isinstance(loaded, VerdictInputs) else loaded
    now = worker.clock()
    written = worker.run(lambda resources: save_verdict(resources, capture_id, judgement, now))
    return judgement.verdict if written else None


def _judge(inputs: VerdictInputs) -> Judgement:
    if inputs.liveness is not None and inputs.frames:
        return judge_burst(
            inputs.frames, inputs.references, inputs.previous_hashes, inputs.policy, inputs.liveness
        )
    return judge(inputs.picture, inputs.references, inputs.previous_hashes, inputs.policy)


async def _expire(resources: TaskResources, worker: Worker) -> int:
    async with transaction(resources.session_factory) as db:
        missed = await sweeps.expire_challenges(db=db, now=worker.clock())
    if missed:
        log.info("%s challenge(s) missed", missed)
    return missed


async def _stuck(resources: TaskResources, worker: Worker) -> list[int]:
    now = worker.clock()
    async with transaction(resources.session_factory) as db:
        gave_up = await sweeps.give_up_on_stuck(db=db, now=now)
        stuck = list(await sweeps.stuck_captures(db=db, now=now))
    if gave_up or stuck:
        log.warning("%s stuck capture(s) sent to review, %s enqueued again", gave_up, len(stuck))
    return stuck
