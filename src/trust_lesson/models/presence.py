from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Enum, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from trust_lesson.models.base import Base, UTCDateTime
from trust_lesson.presence.verdicts import (
    AttendancePath,
    ChallengeKind,
    Decision,
    TurnDirection,
    Verdict,
)


class ChallengeStatus(StrEnum):
    OPEN = "OPEN"
    ANSWERED = "ANSWERED"
    MISSED = "MISSED"
    CANCELLED = "CANCELLED"


class CaptureStatus(StrEnum):
    PENDING = "PENDING"
    DONE = "DONE"


def _enum(kind: type[StrEnum]) -> Enum:
    return Enum(kind, native_enum=False, length=16)


class PresenceSession(Base):
    """A student's joining of a running lesson."""

    __tablename__ = "presence_sessions"
    __table_args__ = (UniqueConstraint("lesson_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="RESTRICT"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Challenge(Base):
    """A camera check chosen by the server: issued at `issued_at`, answerable until `deadline`."""

    __tablename__ = "challenges"
    __table_args__ = (Index("ix_challenges_due", "lesson_id", "user_id", "issued_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="RESTRICT"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[ChallengeKind] = mapped_column(_enum(ChallengeKind))
    nonce: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[ChallengeStatus] = mapped_column(_enum(ChallengeStatus), index=True)
    liveness: Mapped[TurnDirection | None] = mapped_column(_enum(TurnDirection))
    """The side a liveness check asks the student to turn to; None for an ordinary check."""


class Capture(Base):
    """One uploaded picture (or, for a liveness check, a burst of frames) answering one
    challenge; exactly one final verdict.

    A burst's frames are stored one blob each, in order, in ``frame_keys`` (``blob_key`` is the
    first frame's); its ``sha256`` is the SHA-256 of the frames' hex digests joined by newlines
    and ``size`` the frames' total bytes.
    """

    __tablename__ = "captures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lesson_id: Mapped[int] = mapped_column(
        ForeignKey("lessons.id", ondelete="RESTRICT"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), unique=True
    )
    blob_key: Mapped[str | None] = mapped_column(String(200))
    frame_keys: Mapped[list[str] | None] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    phash: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[CaptureStatus] = mapped_column(_enum(CaptureStatus), index=True)
    verdict: Mapped[Verdict | None] = mapped_column(_enum(Verdict))
    similarity: Mapped[float | None] = mapped_column(Float)
    faces: Mapped[int | None] = mapped_column(Integer)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    analyzed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CaptureReview(Base):
    """A reviewer's verdict on a capture, with the reason; replaces the machine's verdict."""

    __tablename__ = "capture_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    capture_id: Mapped[int] = mapped_column(
        ForeignKey("captures.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verdict: Mapped[Verdict] = mapped_column(_enum(Verdict))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AttendanceDecision(Base):
    """A student's attendance of a lesson. Every decision is kept; the newest is current."""

    __tablename__ = "attendance_decisions"
    __table_args__ = (Index("ix_attendance_decisions_current", "lesson_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="RESTRICT"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    decision: Mapped[Decision] = mapped_column(_enum(Decision))
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    checks_total: Mapped[int] = mapped_column(Integer)
    checks_verified: Mapped[int] = mapped_column(Integer)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(Text)
    path: Mapped[AttendancePath] = mapped_column(_enum(AttendancePath))
