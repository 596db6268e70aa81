"""The attendance policy of a course: the numbers that turn camera checks into attendance.

Defaults are PRODUCT.md's (taken from the Brazilian CONTRAN rules for remote driver
education): an entry check within 15 minutes of the start, random re-checks every 10 minutes
on average but never two checks within 3 minutes, an end check, 60 seconds to answer each
challenge, face similarity >= 90 verified / 85-90 review / < 85 failed, 80 % of the checks
verified to attend, pictures kept 180 days and face templates 3 years after last activity.

The END challenge is issued at a random moment within the last ``end_check_lead_min`` minutes
(default 5) before the planned end, and no later than one answer deadline before the end, so
that its deadline still falls inside the lesson.

Liveness (``liveness_checks``): which checks ask the student to turn the head to a side drawn
by the server (``ENTRY_AND_ONE_RANDOM`` by default: the entry check and one random check per
lesson; ``ALL``; ``NONE``). Such a check must be answered within ``liveness_answer_s`` (or the
answer deadline, when shorter): a replayed clip has little time to be found. With
``liveness_two_step`` every liveness check asks for an ordered two-step instead (left then
right, or right then left, drawn by the server): a replayed clip that turns one way always
fails; one recorded turning both ways passes only when the server drew its order (1 in 2 per
check, as a one-way clip does in one-side checks). The burst takes longer (about 3.5 s).

The policy is a frozen pydantic model so a course can store it as JSON and load it back with
the same validation. ``AttendancePolicy.from_stored`` is the one way to read a course's stored
policy (joining a lesson, judging a capture, deciding attendance all use it): none stored ->
the defaults; stored but no longer valid (a rule tightened since it was saved) -> the defaults,
and an error in the log naming the course, so a lesson is never blocked by an old policy.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from enum import StrEnum
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

THREE_YEARS_IN_DAYS = 3 * 365
ONE_DAY_IN_MINUTES = 24 * 60
ONE_HOUR_IN_SECONDS = 60 * 60
TEN_YEARS_IN_DAYS = 10 * 365
log = logging.getLogger("trust_lesson.presence.policy")


class LivenessChecks(StrEnum):
    """Which of a student's checks in a lesson are liveness checks (a head turn)."""

    NONE = "NONE"
    ENTRY_AND_ONE_RANDOM = "ENTRY_AND_ONE_RANDOM"
    ALL = "ALL"


class AttendancePolicy(BaseModel):
    """How a course checks presence and decides attendance (units are in the field names)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    # Upper bounds keep every value inside sensible time arithmetic (a 10^300-minute tolerance
    # is refused, not overflowed); templates are never kept past three years (BIPA 15(a)).
    # Lower bounds (issue 8/6: a 0.02-minute re-check mean planned 72,000 challenges per join):
    # at least 10 s between checks and 5 s to answer (the demo compresses a lesson into a few
    # minutes, so they stay that low); the schedule also caps a student's challenges per
    # lesson (`schedule.MAX_CHALLENGES`). Thresholds below 50 would verify strangers.
    entry_tolerance_min: float = Field(default=15, ge=0.5, le=ONE_DAY_IN_MINUTES)
    recheck_mean_interval_min: float = Field(default=10, ge=0.25, le=ONE_DAY_IN_MINUTES)
    recheck_min_gap_min: float = Field(default=3, ge=1 / 6, le=ONE_DAY_IN_MINUTES)
    answer_deadline_s: float = Field(default=60, ge=5, le=ONE_HOUR_IN_SECONDS)
    end_check_lead_min: float = Field(default=5, ge=1 / 12, le=ONE_DAY_IN_MINUTES)
    verified_at: float = Field(default=90, ge=50, le=100)
    review_at: float = Field(default=85, ge=50, le=100)
    verified_share_needed_percent: float = Field(default=80, ge=50, le=100)
    image_retention_days: int = Field(default=180, ge=1, le=TEN_YEARS_IN_DAYS)
    template_retention_days: int = Field(default=THREE_YEARS_IN_DAYS, ge=1, le=THREE_YEARS_IN_DAYS)
    # Identity (issue 10): once a student's identity is VERIFIED, face enrolment accepts only
    # selfies of the person on the document; a course may require a verified identity to join.
    anchored_enrolment: bool = True
    identity_required: bool = False
    liveness_checks: LivenessChecks = LivenessChecks.ENTRY_AND_ONE_RANDOM
    liveness_answer_s: float = Field(default=20, ge=5, le=ONE_HOUR_IN_SECONDS)
    liveness_two_step: bool = False

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any] | None, *, course_id: int) -> AttendancePolicy:
        """The course's stored policy; the defaults when none is stored or it no longer
        validates (logged as an error naming the course)."""
        if stored is None:
            return cls()
        try:
            return cls.model_validate(stored)
        except ValidationError as error:
            log.error(
                "course %s has an invalid attendance policy (%s problem(s)); using the defaults",
                course_id,
                error.error_count(),
            )
            return cls()

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        problems = [
            problem
            for problem in (
                self._thresholds_problem(),
                self._recheck_problem(),
                self._deadline_problem(),
                self._end_check_problem(),
            )
            if problem is not None
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _thresholds_problem(self) -> str | None:
        if self.review_at <= self.verified_at:
            return None
        return (
            f"the review threshold ({self.review_at:g}) must not be above "
            f"the verified threshold ({self.verified_at:g})"
        )

    def _recheck_problem(self) -> str | None:
        if self.recheck_mean_interval_min > self.recheck_min_gap_min:
            return None
        return (
            f"the mean interval between random re-checks ({self.recheck_mean_interval_min:g} min) "
            f"must be longer than the minimum gap between checks ({self.recheck_min_gap_min:g} min)"
        )

    def _deadline_problem(self) -> str | None:
        if self.answer_deadline < self.recheck_min_gap:
            return None
        return (
            f"the answer deadline ({self.answer_deadline_s:g} s) must be shorter than "
            f"the minimum gap between checks ({self.recheck_min_gap_min:g} min), "
            "so that two challenges are never open at once"
        )

    def _end_check_problem(self) -> str | None:
        if self.end_check_lead >= self.answer_deadline:
            return None
        return (
            f"the end check lead time ({self.end_check_lead_min:g} min) must be at least "
            f"the answer deadline ({self.answer_deadline_s:g} s), "
            "so that the end check can be answered before the lesson ends"
        )

    @property
    def entry_tolerance(self) -> timedelta:
        return timedelta(minutes=self.entry_tolerance_min)

    @property
    def recheck_mean_interval(self) -> timedelta:
        return timedelta(minutes=self.recheck_mean_interval_min)

    @property
    def recheck_min_gap(self) -> timedelta:
        return timedelta(minutes=self.recheck_min_gap_min)

    @property
    def answer_deadline(self) -> timedelta:
        return timedelta(seconds=self.answer_deadline_s)

    @property
    def liveness_answer(self) -> timedelta:
        """How long a liveness check stays open: its own window, or the answer deadline."""
        return min(timedelta(seconds=self.liveness_answer_s), self.answer_deadline)

    @property
    def end_check_lead(self) -> timedelta:
        return timedelta(minutes=self.end_check_lead_min)

    @property
    def image_retention(self) -> timedelta:
        return timedelta(days=self.image_retention_days)

    @property
    def template_retention(self) -> timedelta:
        """Counted from the student's last activity (or shorter: deletion of the account)."""
        return timedelta(days=self.template_retention_days)
