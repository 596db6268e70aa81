from datetime import datetime

from pydantic import Field

from trust_lesson.schemas import Output


class CheckpointRead(Output):
    size: int = Field(description="entries in the log when it was signed")
    root: str = Field(description="base64 RFC 6962 tree head over those entries")
    key_id: str = Field(description="the signing key's id, as listed in the school's keys")
    signed_at: datetime
    note: str = Field(description="the C2SP signed note (tlog-checkpoint) a verifier checks")
