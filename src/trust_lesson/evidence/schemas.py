from datetime import datetime
from typing import Literal

from pydantic import Field

from trust_lesson.schemas import Output


class CheckpointRead(Output):
    size: int = Field(description="entries in the log when it was signed")
    root: str = Field(description="base64 RFC 6962 tree head over those entries")
    key_id: str = Field(description="the signing key's id, as listed in the school's keys")
    signed_at: datetime
    note: str = Field(description="the C2SP signed note (tlog-checkpoint) a verifier checks")


class VerificationRead(Output):
    status: Literal["valid", "invalid", "revoked"]
    reason: str = Field(description="why, in words an auditor understands")
    credential_id: str | None = None
    name: str | None = Field(default=None, description="the student the certificate names")
    issued: str | None = Field(default=None, description="the certificate's validFrom")
    revoked_at: datetime | None = None
