"""API schemas of attendance: decisions, the live roster, review items and reviews."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from trust_lesson.presence.policy import AttendancePolicy
from trust_lesson.presence.verdicts import ChallengeKind, Decision, Verdict
from trust_lesson.schemas import Input, Output

REASON_MAX = 1000
MAX_MINUTES = 24 * 60
MAX_SECONDS = 60 * 60
MAX_DAYS = 100 * 365
NOT_A_REVIEW = (Verdict.NEEDS_REVIEW, Verdict.MISSED)


class AttendanceRead(Output):
    lesson_id: int
    user_id: int
    decision: Decision
    reasons: list[str]
    checks_total: int
    checks_verified: int
    decided_at: datetime
    decided_by: int | None = Field(description="the reviewer; null when automatic")
    reason: str | None = Field(description="the reviewer's reason when a review decided again")


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


def _default(name: str) -> Any:
    return AttendancePolicy.model_fields[name].default


class PolicyInput(AttendancePolicy):
    """A policy as a client sends it: `AttendancePolicy` with upper bounds as well, so that no
    number overflows the time arithmetic (a 10^300 minute tolerance is a 422, never a 500)."""

    entry_tolerance_min: float = Field(
        default=_default("entry_tolerance_min"), gt=0, le=MAX_MINUTES
    )
    recheck_mean_interval_min: float = Field(
        default=_default("recheck_mean_interval_min"), gt=0, le=MAX_MINUTES
    )
    recheck_min_gap_min: float = Field(
        default=_default("recheck_min_gap_min"), gt=0, le=MAX_MINUTES
    )
    answer_deadline_s: float = Field(default=_default("answer_deadline_s"), gt=0, le=MAX_SECONDS)
    end_check_lead_min: float = Field(default=_default("end_check_lead_min"), gt=0, le=MAX_MINUTES)
    image_retention_days: int = Field(default=_default("image_retention_days"), ge=1, le=MAX_DAYS)
    template_retention_days: int = Field(
        default=_default("template_retention_days"), ge=1, le=MAX_DAYS
    )
