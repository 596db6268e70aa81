from datetime import datetime, timedelta

from sqlalchemy import Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from trust_lesson.models.base import Base, UTCDateTime
from trust_lesson.models.enums import LessonStatus


class Lesson(Base):
    __tablename__ = "lessons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id", ondelete="CASCADE"), index=True)
    instructor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_min: Mapped[int] = mapped_column(Integer)
    status: Mapped[LessonStatus] = mapped_column(
        Enum(LessonStatus, native_enum=False, length=16), index=True
    )
    effective_start_date: Mapped[datetime | None] = mapped_column(UTCDateTime)
    effective_duration_min: Mapped[int | None] = mapped_column(Integer)
    meeting_url: Mapped[str | None] = mapped_column(String(2000))
    """The lesson's video call (https), embedded in the lesson room."""

    @property
    def effective_start(self) -> datetime:
        """When the lesson really started, or its planned start while it has not."""
        return self.effective_start_date or self.start_date

    @property
    def planned_end(self) -> datetime:
        """The (effective) start plus the planned duration: where the challenge schedule ends
        and from which a lesson nobody stopped is finished by the system."""
        return self.effective_start + timedelta(minutes=self.duration_min)
