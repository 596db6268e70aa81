"""API shapes of live presence: challenges, the answer to "anything for me?", captures.

Nothing here carries a storage key, a picture hash or a face embedding (R13).
"""

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, field_validator

from trust_lesson.models import CaptureStatus
from trust_lesson.presence.verdicts import ChallengeKind, TurnDirection, Verdict
from trust_lesson.schemas import Output


class LivenessRead(Output):
    """A liveness check: turn the head to ``direction`` (the student's own left or right)
    while the room takes about five unmirrored frames over two seconds; or, for
    ``LEFT_THEN_RIGHT`` / ``RIGHT_THEN_LEFT`` (a course's two-step policy), to the first side
    and then to the other over about eight frames."""

    direction: TurnDirection


class ChallengeRead(Output):
    """A camera check that is due now: answer it with its nonce before the deadline.

    ``liveness`` null: an ordinary check, answered with one `image`. Otherwise a liveness
    check, answered with a burst of `frames` in order.
    """

    id: int
    lesson_id: int
    kind: ChallengeKind
    nonce: str
    issued_at: datetime
    deadline: datetime
    liveness: LivenessRead | None = None

    @field_validator("liveness", mode="before")
    @classmethod
    def _direction(cls, value: object) -> object:
        """The stored side (a Challenge row's ``liveness``) as {"direction": side}."""
        return {"direction": value} if isinstance(value, str) else value


class NextChallengeRead(Output):
    """The challenge due now, if any, and when to ask again (null: the lesson is over).

    While nothing is due, every student gets the same answer: nothing tells when the next
    challenge comes. After a held wait (`?wait=N`) ask again at once; otherwise in 10 s.
    """

    challenge: ChallengeRead | None
    next_poll_after: datetime | None = Field(
        description="ask again at this time (at the challenge's deadline when one is due);"
        " null when the lesson no longer runs"
    )
    retry_after_seconds: int | None = Field(
        description="seconds until next_poll_after (0: at once); null like next_poll_after"
    )


class JoinRead(NextChallengeRead):
    lesson_id: int
    joined_at: datetime


class OwnCheckRead(Output):
    """One of the caller's checks so far: `verdict` is the capture's, or PENDING, MISSED,
    CANCELLED (see presence/checks.py)."""

    challenge_id: int
    kind: ChallengeKind
    issued_at: datetime
    deadline: datetime
    verdict: str
    capture_id: int | None
    reasons: list[str]
    liveness: TurnDirection | None = Field(
        default=None, description="the side a liveness check asked to turn to; null otherwise"
    )


class CaptureAccepted(Output):
    capture_id: int
    status: Literal["PENDING"] = "PENDING"


class CaptureRead(Output):
    """A capture's analysis as its owner and the lesson's reviewers (the course's instructors,
    admins) see it."""

    id: int
    lesson_id: int
    user_id: int
    challenge_id: int
    status: CaptureStatus
    verdict: Verdict | None
    similarity: float | None
    faces: int | None
    reasons: list[str]
    scores: dict[str, Any]
    created_at: datetime
    analyzed_at: datetime | None


class Problem(Output):
    """The error body of API.md."""

    detail: str
    code: str


def problems(described: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for refusals, each status with what it means here."""
    return {status: {"model": Problem, "description": text} for status, text in described.items()}


UPLOAD_PROBLEMS = problems(
    {
        403: "wrong nonce",
        404: "not the caller's challenge of this lesson",
        409: "lesson not running, or challenge already answered or cancelled",
        410: "challenge missed: its deadline has passed",
        413: "a picture or frame over 5 MB or 8.3 megapixels, or the person's storage quota"
        " reached",
        415: "not a JPEG, PNG or WebP picture (checked by content)",
        503: "picture storage unavailable: nothing was kept, try again",
    }
)
