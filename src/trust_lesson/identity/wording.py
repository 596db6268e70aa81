"""The identity pages' words: each record field, where it was read and what the comparison
found, as a student or a reviewer reads them (the values stay the API's names)."""

from dataclasses import dataclass

from trust_lesson.models import DocumentType, VerificationStatus

FIELD_LABELS = {
    "document_number": "Document number",
    "document_type": "Document type",
    "full_name": "Full name",
    "parent_full_name": "Parent's full name",
    "birth_date": "Birth date",
    "issue_date": "Issue date",
    "expiry_date": "Expiry date",
    "issuing_authority": "Issuing authority",
    "country": "Country",
    "region": "Region",
}
DOCUMENT_TYPES = {
    DocumentType.IDENTITY_CARD: "Identity card",
    DocumentType.DRIVER_LICENSE: "Driver's licence",
    DocumentType.PASSPORT: "Passport",
    DocumentType.OTHER: "Other document",
}
SOURCES = {"MRZ": "the machine-readable zone", "PRINTED": "the printed text"}
FINDINGS = {"MATCH": "matches", "MISMATCH": "does not match", "NOT_FOUND": "not found"}
OUTCOMES = {
    VerificationStatus.PENDING: "Your document is being read. This page shows the result "
    "as soon as it is ready (usually within a minute).",
    VerificationStatus.VERIFIED: "Your identity is verified.",
    VerificationStatus.NEEDS_REVIEW: "A reviewer will look at your document: the machine "
    "could not settle everything on its own. You do not need to do anything.",
    VerificationStatus.REJECTED: "Your identity could not be verified. Read why below, "
    "correct your record or take new pictures, and send them again.",
}


@dataclass(frozen=True)
class Words:
    """What the templates call the fields, sources, findings and outcomes."""

    fields: dict[str, str]
    document_types: dict[DocumentType, str]
    sources: dict[str, str]
    findings: dict[str, str]
    outcomes: dict[VerificationStatus, str]

    def value(self, field: str, value: str) -> str:
        """A field's value as the student wrote it: a document type in words ("Passport", not
        PASSPORT), any other value as it is."""
        if field == "document_type" and value in DocumentType.__members__:
            return self.document_types[DocumentType[value]]
        return value


WORDS = Words(FIELD_LABELS, DOCUMENT_TYPES, SOURCES, FINDINGS, OUTCOMES)
