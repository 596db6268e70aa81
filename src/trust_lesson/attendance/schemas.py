"""API schemas of attendance: decisions, the live roster, review items and reviews, appeals."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field

from trust_lesson.models import AppealOutcome
from trust_lesson.presence.verdicts import (
    AttendancePath,
    ChallengeKind,
    Decision,
    TurnDirection,
    Verdict,
)
from trust_lesson.schemas import Input, Output

REASON_MAX = 1000
NOT_A_REVIEW = (Verdict.NEEDS_REVIEW, Verdict.MISSED)


class AttendanceRead(Output):
    id: int = Field(description="the decision's id (to appeal it)")
    lesson_id: int
    user_id: int
    decision: Decision
    reasons: list[str]
    checks_total: int
    checks_verified: int
    decided_at: datetime
    decided_by: int | None = Field(description="the reviewer; null when automatic")
    reason: str | None = Field(
        description="the reviewer's reason when a review decided again, or the instructor's "
        "when they marked the presence"
    )
    path: AttendancePath = Field(
        description="BIOMETRIC (faces compared), NON_BIOMETRIC (no face processed: pictures "
        "confirmed by a person) or INSTRUCTOR (presence marked by the instructor)"
    )


def _settled(decision: Decision) -> Decision:
    if decision is Decision.PENDING_REVIEW:
        raise ValueError("a marked presence is ATTENDED, PARTIAL or ABSENT")
    return decision


class PresenceMark(Input):
    """The instructor's own decision on a student's attendance of a stopped lesson."""

    decision: Annotated[Decision, AfterValidator(_settled)] = Field(
        description="ATTENDED, PARTIAL or ABSENT"
    )
    reason: str = Field(min_length=1, max_length=REASON_MAX, description="required")


class RosterState(StrEnum):
    """Where a student stands right now."""

    NOT_JOINED = "NOT_JOINED"
    WAITING = "WAITING"
    """joined, no check settled yet"""
    CHECK_OPEN = "CHECK_OPEN"
    ANALYSING = "ANALYSING"
    VERIFIED = "VERIFIED"
    NEEDS_REVIEW = "NEEDS_REVIEW"
    FAILED = "FAILED"
    """the last check failed or was missed"""


class RosterEntry(Output):
    user_id: int
    username: str
    full_name: str
    joined: bool
    joined_at: datetime | None
    checks_issued: int
    checks_verified: int
    checks_analysing: int
    verdict_counts: dict[Verdict, int] = Field(
        description="checks with a verdict, by final verdict (a review replaces the machine's)"
    )
    open_challenge: bool
    open_challenge_deadline: datetime | None
    last_check_at: datetime | None = Field(
        description="when the last check with a verdict was taken (its deadline if missed)"
    )
    last_verdict: Verdict | None
    state: RosterState


class ReviewItem(Output):
    capture_id: int
    lesson_id: int
    lesson_title: str
    user_id: int
    username: str
    full_name: str
    challenge_kind: ChallengeKind
    liveness: TurnDirection | None = Field(
        default=None, description="the head turn asked (a burst of frames); null: one picture"
    )
    similarity: float | None
    reasons: list[str]
    created_at: datetime


def _settles(verdict: Verdict) -> Verdict:
    if verdict in NOT_A_REVIEW:
        raise ValueError("a review is VERIFIED or a failure verdict of the picture")
    return verdict


ReviewVerdict = Annotated[Verdict, AfterValidator(_settles)]


class ReviewCreate(Input):
    decision: ReviewVerdict = Field(description="VERIFIED or a failure verdict of the picture")
    reason: str = Field(min_length=1, max_length=REASON_MAX, description="required")


class ReviewRead(Output):
    id: int
    capture_id: int
    reviewer_id: int | None
    verdict: Verdict
    reason: str
    created_at: datetime


class ReviewOutcome(Output):
    review: ReviewRead
    attendance: AttendanceRead | None = Field(
        description="the student's new decision when the lesson has finished"
    )


class AppealCreate(Input):
    reason: str = Field(
        min_length=1, max_length=REASON_MAX, description="why the decision is wrong; required"
    )


class AppealAnswer(Input):
    outcome: AppealOutcome = Field(
        description="UPHELD: the decision stands; GRANTED: the decision has been corrected "
        "(the student's checks overridden, or the presence marked) before answering"
    )
    reply: str = Field(min_length=1, max_length=REASON_MAX, description="required")


class AppealRead(Output):
    id: int
    decision_id: int
    lesson_id: int
    lesson_title: str
    user_id: int
    full_name: str
    username: str
    decision: Decision = Field(description="the appealed decision")
    decision_reasons: list[str]
    capture_ids: list[int] = Field(description="the student's captures in the lesson")
    reason: str
    filed_at: datetime
    outcome: AppealOutcome | None = Field(description="null while the appeal is open")
    reply: str | None
    answered_at: datetime | None
