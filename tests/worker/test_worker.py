"""Jobs are enqueued only after the transaction commits, and the embedded consumer runs them."""

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from trust_lesson.db import after_commit, transaction
from trust_lesson.models import User
from trust_lesson.runtime import Runtime
from trust_lesson.settings import Settings
from trust_lesson.worker.worker import TaskResources, Worker


class Probe:
    def __init__(self) -> None:
        self.seen: list[int] = []
        self.done = threading.Event()

    def register(self, worker: Worker) -> None:
        @worker.task("probe")
        def probe(number: int) -> None:
            self.seen.append(worker.run(lambda resources: self._count_users(resources, number)))
            self.done.set()

    async def _count_users(self, resources: TaskResources, number: int) -> int:
        async with resources.session_factory() as db:
            return number + len((await db.execute(select(User.id))).all())


@pytest.fixture
def probe_worker(settings: Settings) -> Iterator[tuple[Worker, Probe]]:
    probe = Probe()
    worker = Worker(settings, registrars=(probe.register,))
    worker.start_embedded(workers=1)
    yield worker, probe
    worker.close()


async def test_a_job_runs_after_the_commit(
    probe_worker: tuple[Worker, Probe], runtime: Runtime
) -> None:
    worker, probe = probe_worker

    async with transaction(runtime.session_factory) as db:
        after_commit(db, lambda: _enqueue(worker, 41))

    assert probe.done.wait(timeout=20)
    assert probe.seen == [41]


async def test_no_job_when_the_transaction_rolls_back(
    probe_worker: tuple[Worker, Probe], runtime: Runtime
) -> None:
    worker, probe = probe_worker

    with pytest.raises(RuntimeError):
        async with transaction(runtime.session_factory) as db:
            after_commit(db, lambda: _enqueue(worker, 1))
            raise RuntimeError("the request failed")
    # A job enqueued after the rollback: one consumer thread takes jobs in order, so had the
    # rolled-back job been enqueued, it would have run first and be seen before this one.
    worker.enqueue("probe", 2)

    assert probe.done.wait(timeout=20)
    assert probe.seen == [2]


async def _enqueue(worker: Worker, number: int) -> None:
    worker.enqueue("probe", number)
