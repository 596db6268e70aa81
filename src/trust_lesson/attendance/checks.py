"""One student's checks in a lesson, read from challenge, capture and review rows.

A check is a challenge already issued and not cancelled. Its verdict is the reviewer's latest
override if there is one, else the machine's (None while the capture is analysed), MISSED when
the challenge was missed or its deadline passed unanswered, and None while it is still open.
One query reads every check of a lesson (or of some of its students): no query per student.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, and_, func, select
from sqlalchemy.orm import aliased

from trust_lesson.models import Capture, CaptureReview, CaptureStatus, Challenge, ChallengeStatus
from trust_lesson.presence.decision import ChallengeOutcome, ReviewOverride
from trust_lesson.presence.verdicts import ChallengeKind, Verdict


@dataclass(frozen=True, slots=True)
class Check:
    user_id: int
    kind: ChallengeKind
    issued_at: datetime
    deadline: datetime
    status: ChallengeStatus
    capture_id: int | None
    captured_at: datetime | None
    machine_verdict: Verdict | None
    review: ReviewOverride | None
    face_processed: bool = False
    """the worker looked for a face in the picture (only with consent and templates, R24)"""

    def is_open(self, now: datetime) -> bool:
        """Issued, unanswered and still answerable."""
        unanswered = self.capture_id is None and self.status is ChallengeStatus.OPEN
        return unanswered and now < self.deadline

    def verdict(self, now: datetime) -> Verdict | None:
        """The machine's verdict, or MISSED for a challenge left unanswered past its deadline."""
        if self.capture_id is not None:
            return self.machine_verdict
        if self.status is ChallengeStatus.MISSED:
            return Verdict.MISSED
        if self.status is ChallengeStatus.OPEN and now >= self.deadline:
            return Verdict.MISSED
        return None

    def final_verdict(self, now: datetime) -> Verdict | None:
        return self.review.verdict if self.review is not None else self.verdict(now)

    @property
    def analysing(self) -> bool:
        return self.capture_id is not None and self.machine_verdict is None

    def outcome(self, now: datetime) -> ChallengeOutcome:
        return ChallengeOutcome(
            kind=self.kind, issued_at=self.issued_at, verdict=self.verdict(now), review=self.review
        )


def checks_query(lesson_id: int, now: datetime) -> Select[*tuple[Any, ...]]:
    """Every check issued by `now` in the lesson, oldest first, with its capture and review."""
    latest = aliased(CaptureReview)
    newest_review_id = (
        select(func.max(latest.id)).where(latest.capture_id == Capture.id).scalar_subquery()
    )
    return (
        select(
            Challenge.user_id,
            Challenge.kind,
            Challenge.issued_at,
            Challenge.deadline,
            Challenge.status,
            Capture.id.label("capture_id"),
            Capture.created_at.label("captured_at"),
            Capture.status.label("capture_status"),
            Capture.verdict.label("machine_verdict"),
            Capture.faces.label("faces"),
            CaptureReview.verdict.label("review_verdict"),
            CaptureReview.reason.label("review_reason"),
        )
        .outerjoin(Capture, Capture.challenge_id == Challenge.id)
        .outerjoin(
            CaptureReview,
            and_(CaptureReview.capture_id == Capture.id, CaptureReview.id == newest_review_id),
        )
        .where(
            Challenge.lesson_id == lesson_id,
            Challenge.status != ChallengeStatus.CANCELLED,
            Challenge.issued_at <= now,
        )
        .order_by(Challenge.issued_at, Challenge.id)
    )


def cancelled_end_checks(lesson_id: int) -> Select[int]:
    """The students whose end check the lesson's stop cancelled, due later or still answerable
    (not a check: they had no full chance to answer it; the decision's reasons say so)."""
    return select(Challenge.user_id).where(
        Challenge.lesson_id == lesson_id,
        Challenge.kind == ChallengeKind.END,
        Challenge.status == ChallengeStatus.CANCELLED,
    )


def to_check(row: Row[Any]) -> Check:
    done = row.capture_status == CaptureStatus.DONE
    review = None
    if row.review_verdict is not None:
        review = ReviewOverride(Verdict(row.review_verdict), row.review_reason)
    return Check(
        user_id=row.user_id,
        kind=ChallengeKind(row.kind),
        issued_at=row.issued_at,
        deadline=row.deadline,
        status=ChallengeStatus(row.status),
        capture_id=row.capture_id,
        captured_at=row.captured_at,
        machine_verdict=Verdict(row.machine_verdict) if done and row.machine_verdict else None,
        review=review,
        face_processed=row.faces is not None,
    )


def group_by_student(checks: list[Check]) -> dict[int, list[Check]]:
    grouped: dict[int, list[Check]] = {}
    for check in checks:
        grouped.setdefault(check.user_id, []).append(check)
    return grouped
