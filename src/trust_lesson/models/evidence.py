"""The evidence log: append-only entries, the log head that orders them, signed checkpoints."""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from trust_lesson.models.base import Base, UTCDateTime


class EvidenceLogHead(Base):
    """One row: the log's size. Appending bumps it first, so writers queue on this row and
    every entry gets the next index, in commit order, with no gap."""

    __tablename__ = "evidence_log_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)


class EvidenceEntry(Base):
    """Entry `index` of the log: canonical JSON (RFC 8785) and its RFC 6962 leaf hash."""

    __tablename__ = "evidence_entries"

    index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    entry: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class EvidenceCheckpoint(Base):
    """A signed tree head: the C2SP checkpoint note, with its size and root for queries."""

    __tablename__ = "evidence_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger, index=True)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    peaks: Mapped[bytes] = mapped_column(LargeBinary)
    """Roots of the tree's perfect subtrees: the next checkpoint grows from here."""
    key_id: Mapped[str] = mapped_column(String(8))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text)


class IssuedCertificate(Base):
    """A certificate the school signed; its id is its place in the revocation status list."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    credential_id: Mapped[str] = mapped_column(String(64), unique=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    decision_id: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(Text)
