"""The report's chart: per lesson a stacked horizontal bar of its current decisions.

Drawn on the server as inline SVG by `web/templates/reports/term.html`. Colours are SVG
presentation attributes (the Content-Security-Policy refuses inline styles); every bar also
says its figures in words, and the legend names each colour.
"""

from dataclasses import dataclass

from trust_lesson.presence.verdicts import Decision
from trust_lesson.reports.schemas import ReportLesson

WIDTH = 100  # the bar's viewBox width: the busiest lesson fills it


@dataclass(frozen=True)
class Kind:
    decision: Decision
    words: str
    colour: str


KINDS = (
    Kind(Decision.ATTENDED, "attended", "#17692f"),
    Kind(Decision.PARTIAL, "partial", "#a85d00"),
    Kind(Decision.ABSENT, "absent", "#b3261e"),
    Kind(Decision.PENDING_REVIEW, "pending review", "#5c5f66"),
)
"""The legend, in the order the bars stack (each colour at least 3:1 on white)."""


@dataclass(frozen=True)
class Segment:
    kind: Kind
    count: int
    x: float
    width: float


@dataclass(frozen=True)
class Bar:
    lesson: ReportLesson
    segments: list[Segment]
    figures: str  # "3 attended, 1 partial, 0 absent, 1 pending review"

    @property
    def decided(self) -> int:
        return sum(segment.count for segment in self.segments)


def bars(lessons: list[ReportLesson]) -> list[Bar]:
    """One bar per lesson, all on one scale: the lesson with the most decisions is full width."""
    busiest = max((sum(lesson.counts.values()) for lesson in lessons), default=0)
    return [_bar(lesson, busiest) for lesson in lessons]


def _bar(lesson: ReportLesson, busiest: int) -> Bar:
    segments, x = [], 0.0
    for kind in KINDS:
        count = lesson.counts[kind.decision]
        width = WIDTH * count / busiest if busiest else 0.0
        segments.append(Segment(kind, count, round(x, 3), round(width, 3)))
        x += width
    figures = ", ".join(f"{segment.count} {segment.kind.words}" for segment in segments)
    return Bar(lesson, segments, figures)
