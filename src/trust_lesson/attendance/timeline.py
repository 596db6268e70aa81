"""A student's checks placed on the lesson's time line (the roster draws them as an SVG)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from trust_lesson.attendance.checks import Check
from trust_lesson.models import Lesson

PENDING = "PENDING"
"""Shown for a check still open or still being analysed."""


@dataclass(frozen=True)
class Mark:
    position: float
    """0..100, percent of the lesson's length"""
    verdict: str
    kind: str
    issued_at: datetime
    capture_id: int | None


def lesson_window(lesson: Lesson) -> tuple[datetime, datetime]:
    start = lesson.effective_start_date or lesson.start_date
    minutes = lesson.effective_duration_min or lesson.duration_min
    return start, start + timedelta(minutes=max(minutes, 1))


def marks(checks: Sequence[Check], *, lesson: Lesson, now: datetime) -> list[Mark]:
    start, end = lesson_window(lesson)
    length = (end - start).total_seconds()
    placed = []
    for check in checks:
        offset = (check.issued_at - start).total_seconds() / length
        verdict = check.final_verdict(now)
        placed.append(
            Mark(
                position=round(min(max(offset, 0.0), 1.0) * 100, 2),
                verdict=verdict.value if verdict is not None else PENDING,
                kind=check.kind.value,
                issued_at=check.issued_at,
                capture_id=check.capture_id,
            )
        )
    return placed
