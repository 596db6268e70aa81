from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from trust_lesson.models.base import Base, UTCDateTime


class AppealOutcome(StrEnum):
    UPHELD = "UPHELD"
    """the decision stands"""
    GRANTED = "GRANTED"
    """the reviewer corrected the decision (a review of the captures, or a marked presence)"""


class AttendanceAppeal(Base):
    """A student's appeal of one of their attendance decisions, with their reason; open until
    a reviewer of the lesson answers it with an outcome and a reply. One appeal per decision:
    a later decision of the same lesson can be appealed again."""

    __tablename__ = "attendance_appeals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("attendance_decisions.id", ondelete="RESTRICT"), unique=True
    )
    lesson_id: Mapped[int] = mapped_column(
        ForeignKey("lessons.id", ondelete="RESTRICT"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[AppealOutcome | None] = mapped_column(
        Enum(AppealOutcome, native_enum=False, length=16)
    )
    """None while the appeal is open."""
    reply: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
