"""Signed notes against the published example of golang.org/x/mod/sumdb/note (the reference
implementation of c2sp.org/signed-note), and checkpoints built on them."""

import base64
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from trust_lesson.evidence import checkpoint, merkle

VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
SIGNER_SEED = base64.b64decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")[1:]
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
NOTE = (
    TEXT + "\n\u2014 PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def test_signing_reproduces_the_published_note() -> None:
    key = Ed25519PrivateKey.from_private_bytes(SIGNER_SEED)
    assert checkpoint.verifier_key("PeterNeumann", key.public_key()) == VERIFIER
    assert checkpoint.sign(TEXT, "PeterNeumann", key) == NOTE


def test_the_published_note_opens_with_its_verifier_key() -> None:
    name, public_key = checkpoint.parse_verifier_key(VERIFIER)
    assert checkpoint.open_note(NOTE, [(name, public_key)]) == TEXT


def test_an_edited_note_or_an_unknown_key_is_refused() -> None:
    name, public_key = checkpoint.parse_verifier_key(VERIFIER)
    with pytest.raises(checkpoint.NoteError, match="does not verify"):
        checkpoint.open_note(NOTE.replace("cryptography", "cryptographY"), [(name, public_key)])
    other = Ed25519PrivateKey.generate().public_key()
    with pytest.raises(checkpoint.NoteError, match="no signature of a trusted key"):
        checkpoint.open_note(NOTE, [("PeterNeumann", other)])
    with pytest.raises(checkpoint.NoteError, match="id does not match"):
        checkpoint.parse_verifier_key(VERIFIER.replace("c74f20a3", "c74f20a4"))


def test_a_checkpoint_round_trips_through_its_signed_note() -> None:
    key = Ed25519PrivateKey.generate()
    head = checkpoint.Checkpoint(
        origin="school.example/trust-lesson",
        size=8,
        root=merkle.EMPTY_ROOT,
        signed_at=datetime(2026, 11, 29, 4, 30, tzinfo=UTC),
    )
    note = checkpoint.sign_checkpoint(head, "school.example/trust-lesson", key)
    assert note.startswith(
        "school.example/trust-lesson\n8\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
        "time 2026-11-29T04:30:00Z\n\n\u2014 school.example/trust-lesson "
    )
    trusted = [("school.example/trust-lesson", key.public_key())]
    assert checkpoint.open_checkpoint(note, trusted) == head
    with pytest.raises(checkpoint.NoteError):
        checkpoint.open_checkpoint(note.replace("\n8\n", "\n9\n"), trusted)


@pytest.mark.parametrize(
    "text",
    ["a\n8\n\n", "a\n08\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\ntime 2026-11-29T04:30:00Z\n",
     "a\n8\nAAAA\ntime 2026-11-29T04:30:00Z\n"],
)  # fmt: skip
def test_malformed_checkpoints_are_refused(text: str) -> None:
    with pytest.raises(checkpoint.NoteError):
        checkpoint.Checkpoint.parse(text)
