"""The evidence log: append-only entries, the log head that orders them, signed checkpoints."""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
)
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


class EvidenceNode(Base):
    """The hash of a perfect subtree of the log (2**level leaves from position * 2**level on),
    stored when a checkpoint first covers it, so an inclusion proof reads O(log n) rows.

    A cache, not evidence: `trust-lesson evidence verify` recomputes the tree from the
    entries, and a proof built from a wrong node fails against the signed root.
    """

    __tablename__ = "evidence_nodes"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    position: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


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
    """A certificate the school signed; its id is its place in the revocation status list.

    A lesson certificate names its lesson and decision; a term certificate its term (and the
    decisions inside its document). The signed document is kept, so the student downloads the
    same credential (JSON or PDF) until a newer decision calls for another (a revoked one stays
    revoked: asking again does not re-issue it).
    """

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    credential_id: Mapped[str] = mapped_column(String(64), unique=True)
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lessons.id", ondelete="RESTRICT"))
    term_id: Mapped[int | None] = mapped_column(
        ForeignKey("terms.id", ondelete="RESTRICT"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    decision_id: Mapped[int | None] = mapped_column(Integer)
    decisions: Mapped[str] = mapped_column(Text, default="")
    """The decision ids the certificate states, comma-separated: a newer decision, a new one."""
    document: Mapped[str | None] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(Text)


class EvidenceVerification(Base):
    """One run of the whole-log check (`trust-lesson evidence verify`, or the nightly job)."""

    __tablename__ = "evidence_verifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    valid: Mapped[bool] = mapped_column(Boolean)
    entries: Mapped[int] = mapped_column(BigInteger)
    checkpoints: Mapped[int] = mapped_column(Integer)
    problems: Mapped[int] = mapped_column(Integer)
    first_problem: Mapped[str | None] = mapped_column(Text)
