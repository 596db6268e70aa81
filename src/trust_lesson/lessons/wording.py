"""A lesson's status in words, as every page and refusal writes it (the API keeps the names:
WAITING, LATE, RUNNING, FINISHED)."""

from trust_lesson.models import LessonStatus

STATUS_WORDS = {
    LessonStatus.WAITING: "waiting",
    LessonStatus.LATE: "late",
    LessonStatus.RUNNING: "running",
    LessonStatus.FINISHED: "finished",
}


def status_in_words(status: LessonStatus) -> str:
    """ "running", not RUNNING: the term page, the lessons list, a lesson's page and the
    service's refusals ("A running lesson cannot be rescheduled.") say it the same way."""
    return STATUS_WORDS[status]
