"""Pictures waiting to be deleted from the blob store (an outbox: no orphan on disk)."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from trust_lesson.models.base import Base, UTCDateTime


class BlobDeletion(Base):
    """A stored picture no row points to any more, written in the transaction that let go of
    it; the blob is deleted after the commit and the row with it. A row left behind (the store
    was down, the process died) is deleted again by the retention sweep."""

    __tablename__ = "blob_deletions"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
