"""Every ORM table, imported here so metadata (and Alembic) sees them all."""

from trust_lesson.models.appeal import AppealOutcome, AttendanceAppeal
from trust_lesson.models.auth_session import AuthSession
from trust_lesson.models.base import Base
from trust_lesson.models.biometrics import BiometricConsent, FaceTemplate
from trust_lesson.models.course import Course, Term, TermMember
from trust_lesson.models.enums import LessonStatus, MemberRole, Role, TermStatus
from trust_lesson.models.evidence import (
    EvidenceCheckpoint,
    EvidenceEntry,
    EvidenceLogHead,
    EvidenceNode,
    EvidenceVerification,
    IssuedCertificate,
)
from trust_lesson.models.identity import (
    DocumentType,
    IdentityRecord,
    IdentityReview,
    IdentityVerification,
    VerificationStatus,
)
from trust_lesson.models.lesson import Lesson
from trust_lesson.models.presence import (
    AttendanceDecision,
    Capture,
    CaptureReview,
    CaptureStatus,
    Challenge,
    ChallengeStatus,
    PresenceSession,
)
from trust_lesson.models.privacy import BlobDeletion
from trust_lesson.models.user import User

__all__ = [
    "AppealOutcome",
    "AttendanceAppeal",
    "AttendanceDecision",
    "AuthSession",
    "Base",
    "BiometricConsent",
    "BlobDeletion",
    "Capture",
    "CaptureReview",
    "CaptureStatus",
    "Challenge",
    "ChallengeStatus",
    "Course",
    "DocumentType",
    "EvidenceCheckpoint",
    "EvidenceEntry",
    "EvidenceLogHead",
    "EvidenceNode",
    "EvidenceVerification",
    "FaceTemplate",
    "IdentityRecord",
    "IdentityReview",
    "IdentityVerification",
    "IssuedCertificate",
    "Lesson",
    "LessonStatus",
    "MemberRole",
    "PresenceSession",
    "Role",
    "Term",
    "TermMember",
    "TermStatus",
    "User",
    "VerificationStatus",
]
