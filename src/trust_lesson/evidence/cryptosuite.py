"""The W3C Data Integrity cryptosuite eddsa-jcs-2022 (vc-di-eddsa, section 3.3).

The document without its proof and the proof options without their value are each
canonicalised with JCS (RFC 8785) and hashed with SHA-256; Ed25519 signs
SHA-256(proof options) || SHA-256(document), and the signature travels as a base58btc
multibase proofValue. Ed25519 is deterministic, so signing the same input twice gives the
same proofValue.
"""

import copy
import hashlib
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from trust_lesson.evidence import multibase

CRYPTOSUITE = "eddsa-jcs-2022"
PROOF_TYPE = "DataIntegrityProof"

Document = dict[str, Any]


class ProofError(ValueError):
    """The document carries no proof of this suite, or one that does not verify."""


def _hash_data(document: Document, proof_options: Document) -> bytes:
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    options = {k: v for k, v in proof_options.items() if k != "proofValue"}
    if "@context" in unsecured:
        options["@context"] = unsecured["@context"]
    try:
        return (
            hashlib.sha256(rfc8785.dumps(options)).digest()
            + hashlib.sha256(rfc8785.dumps(unsecured)).digest()
        )
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as error:
        raise ProofError(f"the document cannot be canonicalised: {error}") from error


def add_proof(
    document: Document,
    key: Ed25519PrivateKey,
    *,
    verification_method: str,
    created: str,
    proof_purpose: str = "assertionMethod",
) -> Document:
    """A copy of the document with an eddsa-jcs-2022 proof added."""
    options: Document = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    if "@context" in document:
        options["@context"] = document["@context"]
    signature = key.sign(_hash_data(document, options))
    secured = copy.deepcopy(document)
    secured["proof"] = {**options, "proofValue": multibase.encode(signature)}
    return secured


def proof_of(document: Document) -> Document:
    proof = document.get("proof")
    if not isinstance(proof, dict):
        raise ProofError("the document has no proof")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(f"the proof is not a {PROOF_TYPE} of {CRYPTOSUITE}")
    return proof


def verify_proof(document: Document, public_key: Ed25519PublicKey) -> None:
    """Raises ProofError unless the document's proof was made by this key over this document."""
    proof = proof_of(document)
    context = proof.get("@context")
    if context is not None and document.get("@context") != context:
        raise ProofError("the proof's @context differs from the document's")
    value = proof.get("proofValue")
    if not isinstance(value, str):
        raise ProofError("the proof has no proofValue")
    try:
        signature = multibase.decode(value)
        public_key.verify(signature, _hash_data(document, proof))
    except (multibase.MultibaseError, InvalidSignature) as error:
        raise ProofError("the signature does not match the document") from error
