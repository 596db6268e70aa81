"""The words of presence: what one check concluded, which check it was, what was decided.

A ``Verdict`` comes from the picture (``judging.verdict_of``), from a burst of frames (the
liveness rule: VERIFIED or LIVENESS_FAILED), from a reviewer, or from the clock (MISSED).
Two machine verdicts are not final: NEEDS_REVIEW and LIVENESS_FAILED go to a person
(``AWAITS_REVIEW``), so a failed head turn never makes a student ABSENT without a reviewer.
"""

from __future__ import annotations

import math
from enum import StrEnum

from trust_lesson.presence.policy import AttendancePolicy


class Verdict(StrEnum):
    """The outcome of one camera check."""

    VERIFIED = "VERIFIED"
    NO_FACE = "NO_FACE"
    MULTIPLE_FACES = "MULTIPLE_FACES"
    WRONG_PERSON = "WRONG_PERSON"
    LOW_QUALITY = "LOW_QUALITY"
    REPLAYED = "REPLAYED"
    MISSED = "MISSED"
    NEEDS_REVIEW = "NEEDS_REVIEW"
    LIVENESS_FAILED = "LIVENESS_FAILED"

    @property
    def description(self) -> str:
        """How the verdict reads in a sentence ("entry check <description>")."""
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    Verdict.VERIFIED: "verified",
    Verdict.NO_FACE: "failed: no face",
    Verdict.MULTIPLE_FACES: "failed: several faces",
    Verdict.WRONG_PERSON: "failed: another person",
    Verdict.LOW_QUALITY: "failed: picture too poor",
    Verdict.REPLAYED: "failed: replayed picture",
    Verdict.MISSED: "missed",
    Verdict.NEEDS_REVIEW: "awaiting review",
    Verdict.LIVENESS_FAILED: "failed: no live head turn",
}

AWAITS_REVIEW = frozenset({Verdict.NEEDS_REVIEW, Verdict.LIVENESS_FAILED})
"""Machine verdicts that a person settles: listed for review, never final on their own (a
reviewer's LIVENESS_FAILED confirms the failure and settles the check)."""


class TurnDirection(StrEnum):
    """What a liveness challenge asks the student to do, as the student sees it: turn the head
    to one side, or (an ordered two-step) to one side and then to the other."""

    LEFT = "LEFT"
    RIGHT = "RIGHT"
    LEFT_THEN_RIGHT = "LEFT_THEN_RIGHT"
    RIGHT_THEN_LEFT = "RIGHT_THEN_LEFT"

    @property
    def steps(self) -> tuple[TurnDirection, ...]:
        """The sides to turn to, in order: one for LEFT / RIGHT, two for a two-step."""
        match self:
            case TurnDirection.LEFT_THEN_RIGHT:
                return (TurnDirection.LEFT, TurnDirection.RIGHT)
            case TurnDirection.RIGHT_THEN_LEFT:
                return (TurnDirection.RIGHT, TurnDirection.LEFT)
            case _:
                return (self,)

    @property
    def sign(self) -> float:
        """Yaw grows when the student turns to their own left (unmirrored camera frames); a
        two-step's sign is its first step's (the rule judges each step by its own)."""
        return 1.0 if self.steps[0] is TurnDirection.LEFT else -1.0


ONE_STEP_TURNS = (TurnDirection.LEFT, TurnDirection.RIGHT)
TWO_STEP_TURNS = (TurnDirection.LEFT_THEN_RIGHT, TurnDirection.RIGHT_THEN_LEFT)


class ChallengeKind(StrEnum):
    """When in the lesson a challenge is issued."""

    ENTRY = "ENTRY"
    RANDOM = "RANDOM"
    END = "END"


class Decision(StrEnum):
    """A student's attendance of one lesson."""

    ATTENDED = "ATTENDED"
    PARTIAL = "PARTIAL"
    ABSENT = "ABSENT"
    PENDING_REVIEW = "PENDING_REVIEW"


def verdict_for_similarity(score: float, policy: AttendancePolicy) -> Verdict:
    """VERIFIED, NEEDS_REVIEW or WRONG_PERSON for a 0-100 face similarity score.

    Both thresholds are inclusive lower bounds: with the defaults 90.0 is verified, 85.0 goes
    to review and 84.9 fails.
    """
    if math.isnan(score) or not 0 <= score <= 100:
        raise ValueError(f"a similarity score lies between 0 and 100, got {score}")
    if score >= policy.verified_at:
        return Verdict.VERIFIED
    if score >= policy.review_at:
        return Verdict.NEEDS_REVIEW
    return Verdict.WRONG_PERSON


class AttendancePath(StrEnum):
    """How a decision's presence was established (R24: attending without biometrics)."""

    BIOMETRIC = "BIOMETRIC"
    """at least one of the student's pictures was compared with their face templates"""
    NON_BIOMETRIC = "NON_BIOMETRIC"
    """no face processed (no consent, or withdrawn): the pictures count once a person confirms"""
    INSTRUCTOR = "INSTRUCTOR"
    """the instructor marked the student's presence, with a reason"""
