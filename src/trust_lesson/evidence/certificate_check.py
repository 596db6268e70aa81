"""Checking an attendance certificate offline, with nothing but the school's keys.json.

Valid means all of: the eddsa-jcs-2022 proof was made by one of the school's keys over this
exact document; the checkpoint note is signed by a school key for the school's log; the
logged decision entry is in the tree of that checkpoint (RFC 6962 inclusion proof); and the
attendance the certificate states is the one that entry records.
"""

import base64
import binascii
import json
from typing import Any

from trust_lesson.evidence import checkpoint, cryptosuite, merkle
from trust_lesson.evidence.certificates import CREDENTIAL_TYPE, EVIDENCE_TYPE, TERM_CREDENTIAL_TYPE
from trust_lesson.evidence.keys import PublishedKeys


class CertificateInvalid(ValueError):
    """Why the certificate does not hold, in words a person understands."""


def check_certificate(document: Any, keys: PublishedKeys) -> None:
    """Returns when the certificate holds; raises CertificateInvalid with the reason."""
    if not isinstance(document, dict) or CREDENTIAL_TYPE not in document.get("type", []):
        raise CertificateInvalid("not a Trust Lesson attendance certificate")
    try:
        _check(document, keys)
    except (KeyError, TypeError, ValueError, binascii.Error) as error:
        if isinstance(error, CertificateInvalid):
            raise
        raise CertificateInvalid(f"malformed certificate: {error!r}") from error


def _check(document: dict[str, Any], keys: PublishedKeys) -> None:
    method = cryptosuite.proof_of(document)["verificationMethod"]
    key = keys.by_id(str(method).rpartition("#")[2])
    if key is None:
        raise CertificateInvalid("signed by a key that is not among the school's keys")
    try:
        cryptosuite.verify_proof(document, key.public_key)
    except cryptosuite.ProofError as error:
        raise CertificateInvalid(f"the signature does not hold: {error}") from error
    subject = document["credentialSubject"]
    stated = (
        [(lesson["id"], lesson["attendance"]) for lesson in subject["lessons"]]
        if TERM_CREDENTIAL_TYPE in document["type"]
        else [(subject["lesson"]["id"], subject["attendance"])]
    )
    evidences = document["evidence"]
    if not stated or len(evidences) != len(stated):
        raise CertificateInvalid("the certificate does not carry one log proof per decision")
    for evidence, (lesson_id, attendance) in zip(evidences, stated, strict=True):
        entry = _logged_entry(evidence, keys)
        _same_attendance(entry, subject["id"], lesson_id, attendance, evidence["leafIndex"])


def _logged_entry(evidence: dict[str, Any], keys: PublishedKeys) -> dict[str, Any]:
    """The log entry the evidence carries, once its inclusion in a signed checkpoint holds."""
    if EVIDENCE_TYPE not in evidence["type"]:
        raise CertificateInvalid("the certificate carries no evidence log proof")
    try:
        head = checkpoint.open_checkpoint(evidence["checkpoint"], keys.trusted())
    except checkpoint.NoteError as error:
        raise CertificateInvalid(f"the checkpoint does not hold: {error}") from error
    if head.origin != keys.origin or head.size != evidence["treeSize"]:
        raise CertificateInvalid("the checkpoint is not of the school's log at this size")
    entry = evidence["entry"].encode()
    proof = [base64.b64decode(node, validate=True) for node in evidence["inclusionProof"]]
    index = evidence["leafIndex"]
    if not merkle.verify_inclusion(index, head.size, merkle.leaf_hash(entry), proof, head.root):
        raise CertificateInvalid("the decision is not in the signed log (inclusion proof fails)")
    logged: dict[str, Any] = json.loads(entry)
    return logged


def _same_attendance(
    entry: dict[str, Any], subject_id: str, lesson_id: int, stated: dict[str, Any], index: int
) -> None:
    data = entry["data"]
    logged = (entry["index"], entry["type"], data["decision"], data["outcome"], data["lesson"])
    claimed = (index, "attendance.decided", stated["decision"], stated["outcome"], lesson_id)
    if logged != claimed or not subject_id.endswith(f":student:{data['student']}"):
        raise CertificateInvalid("the certificate states another decision than the log records")
