"""API shapes of live presence: challenges, the answer to "anything for me?", captures.

Nothing here carries a storage key, a picture hash or a face embedding (R13).
"""

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from trust_lesson.models import CaptureStatus
from trust_lesson.presence.verdicts import ChallengeKind, Verdict
from trust_lesson.schemas import Output


class ChallengeRead(Output):
    """A camera check that is due now: answer it with its nonce before the deadline."""

    id: int
    lesson_id: int
    kind: ChallengeKind
    nonce: str
    issued_at: datetime
    deadline: datetime


class NextChallengeRead(Output):
    """The challenge due now, if any, and when to ask again (null: nothing more to come)."""

    challenge: ChallengeRead | None
    next_poll_after: datetime | None = Field(
        description="ask again at this time; null when no further challenge will come"
    )
    retry_after_seconds: int | None = Field(
        description="seconds until next_poll_after (at least 1); null like next_poll_after"
    )


class JoinRead(NextChallengeRead):
    lesson_id: int
    joined_at: datetime


class CaptureAccepted(Output):
    capture_id: int
    status: Literal["PENDING"] = "PENDING"


class CaptureRead(Output):
    """A capture's analysis as its owner, the lesson's instructor or an admin sees it."""

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
