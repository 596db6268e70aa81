"""What a verification's pictures show (CPU work for the worker thread: no database, no loop).

The document (front, and the back when sent: an identity card's MRZ is often there) is read
by the vision engine; the record is compared with it field by field (``comparison``); the
document's portrait is turned into a face descriptor and the selfie is analysed against it
exactly like a lesson capture against an enrolment, so ``portrait_similarity`` is on the same
calibrated 0-100 scale and ``presence.judging.verdict_of`` reads it with the same thresholds.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np

from trust_lesson.identity.comparison import (
    IdentityComparison,
    compare_identity,
    needs_printed_text,
)
from trust_lesson.presence.judging import verdict_of
from trust_lesson.presence.policy import AttendancePolicy
from trust_lesson.presence.verdicts import Verdict
from trust_lesson.vision import DOCUMENT, SELFIE, ImageRejected, analyze_capture, analyze_document
from trust_lesson.vision.document import DocumentAnalysis, MrzResult
from trust_lesson.vision.faces import largest_face_embedding


@dataclass(frozen=True)
class SelfieFace:
    """What a face template keeps of the selfie: its descriptor, its stored file's SHA-256
    and its perceptual hash."""

    embedding: np.ndarray
    sha256: str
    phash: str


@dataclass(frozen=True)
class PortraitCheck:
    """The selfie against the document's portrait: a capture verdict and its reasons."""

    verdict: Verdict | None
    reasons: list[str]
    similarity: float | None = None
    selfie: SelfieFace | None = None


@dataclass(frozen=True)
class Examination:
    comparison: IdentityComparison
    mrz_found: bool
    portrait: PortraitCheck
    portrait_embedding: np.ndarray | None


def examine(
    *,
    document: bytes,
    document_back: bytes | None,
    selfie: bytes,
    record: Mapping[str, str | date | None],
    policy: AttendancePolicy,
    today: date,
) -> Examination:
    """Read the document, compare it with the record, and the selfie with its portrait."""
    printed = needs_printed_text(record)
    front = analyze_document(DOCUMENT.decode(document).rgb, today=today, printed_fields=printed)
    back = None
    if document_back is not None:
        back = analyze_document(
            DOCUMENT.decode(document_back).rgb, today=today, printed_fields=printed
        )
    mrz = _best_mrz(front, back)
    fields = {**(back.fields if back else {}), **front.fields}
    comparison = compare_identity(record, mrz, fields, today=today)
    portrait = front.portrait
    if portrait is None and back is not None:
        portrait = back.portrait
    embedding = None if portrait is None else largest_face_embedding(portrait)
    return Examination(
        comparison=comparison,
        mrz_found=mrz is not None,
        portrait=check_portrait(selfie, embedding, policy),
        portrait_embedding=embedding,
    )


def _best_mrz(front: DocumentAnalysis, back: DocumentAnalysis | None) -> MrzResult | None:
    zones = [a.mrz for a in (front, back) if a is not None and a.mrz is not None]
    valid = [zone for zone in zones if zone.valid]
    best = valid or zones
    return best[0] if best else None


def check_portrait(
    selfie: bytes, portrait: np.ndarray | None, policy: AttendancePolicy
) -> PortraitCheck:
    if portrait is None:
        return PortraitCheck(None, ["no face found in the document's portrait"])
    try:
        analysis = analyze_capture(SELFIE.decode(selfie).rgb, [portrait], [])
    except ImageRejected as error:
        return PortraitCheck(Verdict.LOW_QUALITY, [f"the selfie cannot be read: {error.message}"])
    verdict, reasons = verdict_of(analysis, policy)
    face = None
    if analysis.embedding is not None:
        face = SelfieFace(analysis.embedding, hashlib.sha256(selfie).hexdigest(), analysis.phash)
    return PortraitCheck(verdict, [f"selfie: {r}" for r in reasons], analysis.similarity, face)
