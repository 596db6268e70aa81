import unicodedata
from datetime import datetime, timedelta

from sqlalchemy import Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, validates

from trust_lesson.models.base import Base, UTCDateTime
from trust_lesson.models.enums import LessonStatus

TITLE_KEY_LENGTH = 640
"""A title has at most 200 characters and NFC plus case folding make at most three of one
(U+0390 becomes three), so 600; the rest leaves room for a repeat's mark (migration 0021)."""
ONE_LESSON_PER_TITLE_AND_START = "uq_lessons_term_id_title_key_start_date"


def title_key(title: str) -> str:
    """A lesson's title as "one lesson per title and start in a term" compares it: Unicode NFC,
    every run of white space one space and none at either end, case folded ("  LOOPS " and
    "loops" are one title). Never holds a line break or a tab."""
    return " ".join(unicodedata.normalize("NFC", title).split()).casefold()


class Lesson(Base):
    """One lesson per title and start in a term, whoever teaches it (every student of the term
    is expected at each of its lessons): the database holds the rule with a unique constraint
    on the stored `title_key`, which follows the title (`lessons/repeats.py` names a refusal)."""

    __tablename__ = "lessons"
    __table_args__ = (
        UniqueConstraint("term_id", "title_key", "start_date", name=ONE_LESSON_PER_TITLE_AND_START),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id", ondelete="CASCADE"), index=True)
    instructor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    title_key: Mapped[str] = mapped_column(String(TITLE_KEY_LENGTH))
    """`title_key(title)`, kept by setting the title (see `_keep_title_key`)."""
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

    @validates("title")
    def _keep_title_key(self, _name: str, title: str) -> str:
        self.title_key = title_key(title)
        return title

    @property
    def effective_start(self) -> datetime:
        """When the lesson really started, or its planned start while it has not."""
        return self.effective_start_date or self.start_date

    @property
    def planned_end(self) -> datetime:
        """The (effective) start plus the planned duration: where the challenge schedule ends
        and from which a lesson nobody stopped is finished by the system."""
        return self.effective_start + timedelta(minutes=self.duration_min)
