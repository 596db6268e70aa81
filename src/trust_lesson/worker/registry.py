"""Every domain's tasks, registered on a Worker (the same names in the API and the workers).

Each domain keeps its worker entry points in its own ``tasks.py``.
"""

from trust_lesson.attendance import tasks as attendance
from trust_lesson.auth import tasks as auth
from trust_lesson.evidence import tasks as evidence
from trust_lesson.identity import tasks as identity
from trust_lesson.lessons import tasks as lessons
from trust_lesson.presence import tasks as presence
from trust_lesson.privacy import tasks as privacy
from trust_lesson.worker.worker import Registrar


def all_registrars() -> tuple[Registrar, ...]:
    return (
        auth.register,
        lessons.register,
        attendance.register,
        presence.register,
        evidence.register,
        privacy.register,
        identity.register,
    )
