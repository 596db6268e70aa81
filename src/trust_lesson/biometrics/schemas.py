from datetime import datetime
from typing import Annotated

from pydantic import Field, computed_field

from trust_lesson.schemas import Input, Output

TextVersion = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.:-]+$")]
Purpose = Annotated[str, Field(min_length=1, max_length=2000)]


class ConsentText(Output):
    """The consent a person reads before giving it."""

    text_version: str
    purpose: str
    text: str


class ConsentGive(Input):
    """Which text the person agreed to; both default to the current `CONSENT_TEXT`."""

    text_version: TextVersion | None = None
    purpose: Purpose | None = None


class ConsentRead(Output):
    id: int
    user_id: int
    text_version: str
    purpose: str
    given_at: datetime
    withdrawn_at: datetime | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


class ConsentState(Output):
    """The active consent (if any), every consent ever given (newest first) and the text."""

    active: ConsentRead | None
    history: list[ConsentRead]
    current_text: ConsentText


class FaceEnrolmentRead(Output):
    """Whether the person is enrolled: counts and dates only, never a template (R13)."""

    user_id: int
    enrolled: bool
    templates: int
    enrolled_at: datetime | None
    consent: ConsentRead | None
