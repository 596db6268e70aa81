"""The chart's bars: one per lesson, stacked attended / partial / absent / pending review, all
on one scale, each with its figures in words."""

from datetime import UTC, datetime

from trust_lesson.models import LessonStatus
from trust_lesson.presence.verdicts import Decision
from trust_lesson.reports.chart import KINDS, bars
from trust_lesson.reports.schemas import ReportLesson, no_decisions


def lesson(
    number: int, status: LessonStatus = LessonStatus.FINISHED, **decided: int
) -> ReportLesson:
    counts = no_decisions() | {Decision(name.upper()): n for name, n in decided.items()}
    start = datetime(2026, 3, number, 10, tzinfo=UTC)
    return ReportLesson(id=number, title=f"Lesson {number}", start_date=start, status=status,
                        counts=counts)  # fmt: skip


def test_the_busiest_lesson_fills_the_row_and_the_others_keep_its_scale() -> None:
    full, half = bars([lesson(1, attended=6, partial=1, absent=2, pending_review=1),
                       lesson(2, attended=5)])  # fmt: skip

    assert [(s.kind.decision, s.x, s.width) for s in full.segments] == [
        (Decision.ATTENDED, 0, 60), (Decision.PARTIAL, 60, 10), (Decision.ABSENT, 70, 20),
        (Decision.PENDING_REVIEW, 90, 10),
    ]  # fmt: skip
    assert [s.width for s in half.segments] == [50, 0, 0, 0]
    assert full.figures == "6 attended, 1 partial, 2 absent, 1 pending review"
    assert (full.decided, half.decided) == (10, 5)


def test_a_lesson_not_given_yet_has_an_empty_bar() -> None:
    [waiting] = bars([lesson(3, LessonStatus.WAITING)])

    assert waiting.decided == 0 and all(s.width == 0 for s in waiting.segments)


def test_every_decision_has_its_own_colour_and_words() -> None:
    assert [kind.decision for kind in KINDS] == list(Decision)
    assert len({kind.colour for kind in KINDS}) == len(KINDS)
    assert [kind.words for kind in KINDS] == ["attended", "partial", "absent", "pending review"]
