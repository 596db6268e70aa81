"""eddsa-jcs-2022 against the W3C vc-di-eddsa test vector (TestVectors/eddsa-jcs-2022 and
TestVectors/keyPair.json in w3c/vc-di-eddsa)."""

import copy
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from trust_lesson.evidence import cryptosuite, multibase

PUBLIC = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
PRIVATE = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
METHOD = "https://vc.example/issuers/5678#" + PUBLIC
CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"]
UNSIGNED: dict[str, Any] = {
    "@context": CONTEXT,
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "https://vc.example/issuers/5678",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
}
SIGNED: dict[str, Any] = {
    **UNSIGNED,
    "proof": {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": "2023-02-24T23:36:38Z",
        "verificationMethod": METHOD,
        "proofPurpose": "assertionMethod",
        "@context": CONTEXT,
        "proofValue": (
            "z63t83Y53KfzJ5ZosfKTnqfMcKB2dmTrfjSaQjeNNjAD5srBowQfmWqeRb8rRjmeEuCBEsddF9LsVogtuTsijJKh4"
        ),
    },
}
SIGNATURE_HEX = (
    "fc91dec6565f35fbe185a77352e7fc512f95d1904da305cfef32ab8135469301"
    "f5a72d4e7a58368fc6ffc497b44633993bac054e3bc1436e3c846db8f1544503"
)


def _keys() -> tuple[Ed25519PrivateKey, Ed25519PublicKey]:
    seed = multibase.decode_key(multibase.ED25519_PRIVATE, PRIVATE)
    public = multibase.decode_key(multibase.ED25519_PUBLIC, PUBLIC)
    return Ed25519PrivateKey.from_private_bytes(seed), Ed25519PublicKey.from_public_bytes(public)


def test_the_vector_keys_are_one_pair() -> None:
    private, public = _keys()
    assert private.public_key().public_bytes_raw() == public.public_bytes_raw()
    assert multibase.encode_key(multibase.ED25519_PUBLIC, public.public_bytes_raw()) == PUBLIC


def test_the_w3c_vector_verifies() -> None:
    cryptosuite.verify_proof(SIGNED, _keys()[1])


def test_signing_again_reproduces_the_proof_value() -> None:
    signed = cryptosuite.add_proof(
        UNSIGNED, _keys()[0], verification_method=METHOD, created="2023-02-24T23:36:38Z"
    )
    assert signed == SIGNED
    assert multibase.decode(signed["proof"]["proofValue"]).hex() == SIGNATURE_HEX


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["credentialSubject"].update(alumniOf="The School of Fakes"),
        lambda d: d["proof"].update(created="2023-02-24T23:36:39Z"),
        lambda d: d.update(validFrom="2023-01-01T00:00:01Z"),
        lambda d: d["proof"].update(proofValue=d["proof"]["proofValue"][:-1] + "Y"),
    ],
)
def test_any_change_breaks_the_proof(change: Any) -> None:
    document = copy.deepcopy(SIGNED)
    change(document)
    with pytest.raises(cryptosuite.ProofError):
        cryptosuite.verify_proof(document, _keys()[1])


def test_another_key_does_not_verify() -> None:
    with pytest.raises(cryptosuite.ProofError, match="signature"):
        cryptosuite.verify_proof(SIGNED, Ed25519PrivateKey.generate().public_key())


def test_numbers_jcs_cannot_represent_are_refused() -> None:
    with pytest.raises(cryptosuite.ProofError, match="canonicalised"):
        cryptosuite.add_proof(
            {"count": 2**60}, _keys()[0], verification_method=METHOD, created="2023-02-24T23:36:38Z"
        )
