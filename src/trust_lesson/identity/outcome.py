"""The one rule that turns an examination into VERIFIED / NEEDS_REVIEW / REJECTED (pure).

REJECTED, each with its reason: a document past its expiry date or whose MRZ fails a check
digit (the digit is named); a field that the machine-readable zone, its check digits
passing, reads differently from the record; a selfie that shows another person than the
portrait (similarity below the policy's review threshold) or that cannot serve (no face,
several faces, too dark or blurred: take it again).
NEEDS_REVIEW: an MRZ that reads two ways; a field whose printed text differs from the record
(OCR of printed text has no check digit: a person looks); the document number or the name
not found on the document; no portrait found; a similarity in the policy's grey zone.
VERIFIED otherwise. Fields the document does not print (a passport has no parent's name) are
listed in ``not_found_fields`` and decide nothing on their own.
"""

from dataclasses import dataclass

from trust_lesson.identity.comparison import FieldStatus, Source
from trust_lesson.identity.examination import Examination
from trust_lesson.identity.wording import FIELD_LABELS
from trust_lesson.models import VerificationStatus
from trust_lesson.presence.verdicts import Verdict

ESSENTIAL_FIELDS = ("document_number", "full_name")
_REVIEWABLE_DOCUMENT = "MRZ reads two ways"
_SEVERITY = {VerificationStatus.VERIFIED: 0, VerificationStatus.NEEDS_REVIEW: 1,
             VerificationStatus.REJECTED: 2}  # fmt: skip


@dataclass(frozen=True)
class Outcome:
    status: VerificationStatus
    reasons: list[str]


def outcome_of(examination: Examination) -> Outcome:
    findings = [*_document(examination), *_fields(examination), *_portrait(examination)]
    if not findings:
        return Outcome(VerificationStatus.VERIFIED, _verified_reasons(examination))
    status = max((status for status, _ in findings), key=_SEVERITY.__getitem__)
    return Outcome(status, [reason for _, reason in findings])


Finding = tuple[VerificationStatus, str]


def _document(examination: Examination) -> list[Finding]:
    findings = []
    for reason in examination.comparison.reasons:
        reviewable = reason.startswith(_REVIEWABLE_DOCUMENT)
        status = VerificationStatus.NEEDS_REVIEW if reviewable else VerificationStatus.REJECTED
        findings.append((status, reason))
    if not examination.mrz_found:
        findings.append((VerificationStatus.NEEDS_REVIEW, "no machine-readable zone found"))
    return findings


def _fields(examination: Examination) -> list[Finding]:
    findings: list[Finding] = []
    for field in examination.comparison.fields:
        if field.status is FieldStatus.MISMATCH:
            checked = field.source is Source.MRZ and not examination.comparison.reasons
            status = VerificationStatus.REJECTED if checked else VerificationStatus.NEEDS_REVIEW
            where = "machine-readable zone" if field.source is Source.MRZ else "printed text"
            findings.append(
                (status, f"{_label(field.field)}: the document's {where} says otherwise")
            )
        elif field.status is FieldStatus.NOT_FOUND and field.field in ESSENTIAL_FIELDS:
            findings.append((VerificationStatus.NEEDS_REVIEW, f"{_label(field.field)}: not found"))
    return findings


def _portrait(examination: Examination) -> list[Finding]:
    check = examination.portrait
    if check.verdict is Verdict.VERIFIED:
        return []
    if check.verdict in (None, Verdict.NEEDS_REVIEW):
        return [(VerificationStatus.NEEDS_REVIEW, reason) for reason in check.reasons]
    if check.verdict is Verdict.WRONG_PERSON:
        holder = "the selfie does not show the document's holder"
        return [(VerificationStatus.REJECTED, f"{holder} ({r})") for r in check.reasons]
    return [(VerificationStatus.REJECTED, f"{r}: take the selfie again") for r in check.reasons]


def _verified_reasons(examination: Examination) -> list[str]:
    matched = [
        _label(f.field) for f in examination.comparison.fields if f.status is FieldStatus.MATCH
    ]
    return [f"fields matched: {', '.join(matched)}", *examination.portrait.reasons]


def _label(field: str) -> str:
    """A field by the name the record form gives it ("Birth date", not birth_date): the
    reasons are read by the student and the reviewers."""
    return FIELD_LABELS.get(field, field)
