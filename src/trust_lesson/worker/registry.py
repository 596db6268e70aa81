"""Every domain's tasks, registered on a Worker (the same names in the API and the workers)."""

from trust_lesson.attendance import tasks as attendance
from trust_lesson.evidence import tasks as evidence
from trust_lesson.presence import tasks as presence
from trust_lesson.worker import jobs
from trust_lesson.worker.worker import Registrar


def all_registrars() -> tuple[Registrar, ...]:
    return (jobs.register, attendance.register, presence.register, evidence.register)
