"""Identity records (every change kept), verifications against a document, reviewers' decisions."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from trust_lesson.models.base import Base, UTCDateTime


class DocumentType(StrEnum):
    IDENTITY_CARD = "IDENTITY_CARD"
    DRIVER_LICENSE = "DRIVER_LICENSE"
    PASSPORT = "PASSPORT"
    OTHER = "OTHER"


class VerificationStatus(StrEnum):
    PENDING = "PENDING"
    VERIFIED = "VERIFIED"
    NEEDS_REVIEW = "NEEDS_REVIEW"
    REJECTED = "REJECTED"


def _enum(kind: type[StrEnum]) -> Enum:
    return Enum(kind, native_enum=False, length=16)


class IdentityRecord(Base):
    """One version of a person's identity record. Never updated: a change is a new row, and
    the newest row is the record (the history shows who changed what, when)."""

    __tablename__ = "identity_records"
    __table_args__ = (Index("ix_identity_records_current", "user_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    document_number: Mapped[str] = mapped_column(String(64))
    document_type: Mapped[DocumentType] = mapped_column(_enum(DocumentType))
    full_name: Mapped[str] = mapped_column(String(200))
    parent_full_name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date | None] = mapped_column(Date)
    issue_date: Mapped[date | None] = mapped_column(Date)
    expiry_date: Mapped[date | None] = mapped_column(Date)
    issuing_authority: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(3))
    region: Mapped[str | None] = mapped_column(String(100))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IdentityVerification(Base):
    """One attempt: a document photo (front, maybe back) and a selfie checked against the
    record version in force when they were sent. Every attempt is kept."""

    __tablename__ = "identity_verifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("identity_records.id", ondelete="CASCADE"))
    status: Mapped[VerificationStatus] = mapped_column(_enum(VerificationStatus), index=True)
    machine_status: Mapped[VerificationStatus | None] = mapped_column(_enum(VerificationStatus))
    """The worker's outcome; ``status`` is the reviewer's decision once there is one."""
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    not_match_fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    not_found_fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    portrait_similarity: Mapped[float | None] = mapped_column(Float)
    portrait_embedding: Mapped[bytes | None] = mapped_column(LargeBinary)
    """The document portrait's face descriptor: anchors enrolment. Never leaves the server."""
    document_key: Mapped[str | None] = mapped_column(String(200))
    document_back_key: Mapped[str | None] = mapped_column(String(200))
    selfie_key: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    analyzed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IdentityReview(Base):
    """A reviewer's decision on a verification, with the reason; every decision is kept."""

    __tablename__ = "identity_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    verification_id: Mapped[int] = mapped_column(
        ForeignKey("identity_verifications.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision: Mapped[VerificationStatus] = mapped_column(_enum(VerificationStatus))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
