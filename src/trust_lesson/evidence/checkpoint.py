"""Checkpoints as C2SP signed notes (c2sp.org/signed-note, c2sp.org/tlog-checkpoint).

A note is text ending in a newline, a blank line, and signature lines
"— <key name> base64(key id || Ed25519 signature)". The key id is the first four bytes of
SHA-256(key name || 0x0A || 0x01 || public key). A checkpoint's text is the log's origin, the
tree size in decimal and the base64 root hash, one per line; we add one extension line with
the time the checkpoint was signed, so a certificate shows when the log held its entry.
"""

import base64
import binascii
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519 = b"\x01"
_DASH = "\u2014 "
_MAX_SIGNATURES = 16


class NoteError(ValueError):
    """The note is malformed, or no trusted key's signature verifies."""


def key_id(name: str, public_key: Ed25519PublicKey) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public_key.public_bytes_raw()).digest()[
        :4
    ]


def verifier_key(name: str, public_key: Ed25519PublicKey) -> str:
    """The Go sumdb/note verifier key text: name+hex key id+base64(0x01 || public key)."""
    raw = base64.b64encode(ED25519 + public_key.public_bytes_raw()).decode()
    return f"{name}+{key_id(name, public_key).hex()}+{raw}"


def parse_verifier_key(text: str) -> tuple[str, Ed25519PublicKey]:
    name, _, rest = text.partition("+")
    hex_id, _, raw = rest.partition("+")
    try:
        decoded = base64.b64decode(raw, validate=True)
        if decoded[:1] != ED25519 or len(decoded) != 33:
            raise NoteError("only Ed25519 verifier keys are supported")
        public_key = Ed25519PublicKey.from_public_bytes(decoded[1:])
    except (binascii.Error, ValueError) as error:
        raise NoteError(f"malformed verifier key: {error}") from error
    if not name or key_id(name, public_key).hex() != hex_id:
        raise NoteError("the verifier key's id does not match its name and key")
    return name, public_key


def sign(text: str, name: str, private_key: Ed25519PrivateKey) -> str:
    """The signed note of this text (which must end in a newline)."""
    if not text.endswith("\n") or "\n\n" in text:
        raise NoteError("note text must end in a newline and contain no blank line")
    if not name or any(c.isspace() or c == "+" for c in name):
        raise NoteError("a key name must be non-empty, without spaces or '+'")
    signature = private_key.sign(text.encode())
    blob = base64.b64encode(key_id(name, private_key.public_key()) + signature).decode()
    return f"{text}\n{_DASH}{name} {blob}\n"


def open_note(note: str, trusted: Iterable[tuple[str, Ed25519PublicKey]]) -> str:
    """The note's text, once a signature of a trusted (name, key) verifies; else NoteError.

    Signatures of unknown keys are ignored; a failing signature of a trusted key rejects all.
    """
    text, separator, signatures = note.rpartition("\n\n")
    if not separator or not signatures.endswith("\n"):
        raise NoteError("a signed note is text, a blank line and signature lines")
    text += "\n"
    if any(ord(c) < 0x20 and c != "\n" for c in note):
        raise NoteError("a signed note contains no control characters")
    lines = signatures[:-1].split("\n")
    if len(lines) > _MAX_SIGNATURES:
        raise NoteError("too many signatures")
    known = {(name, key_id(name, key)): key for name, key in trusted}
    verified = False
    for line in lines:
        name, blob = _signature_line(line)
        public_key = known.get((name, blob[:4]))
        if public_key is None:
            continue
        try:
            public_key.verify(blob[4:], text.encode())
        except InvalidSignature as error:
            raise NoteError(f"the signature of {name} does not verify") from error
        verified = True
    if not verified:
        raise NoteError("no signature of a trusted key")
    return text


def _signature_line(line: str) -> tuple[str, bytes]:
    if not line.startswith(_DASH):
        raise NoteError("a signature line starts with an em dash and a space")
    name, _, encoded = line[len(_DASH) :].partition(" ")
    try:
        blob = base64.b64decode(encoded, validate=True)
    except binascii.Error as error:
        raise NoteError("a signature is base64") from error
    if not name or len(blob) < 5:
        raise NoteError("a signature line names its key and carries a signature")
    return name, blob


@dataclass(frozen=True, slots=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    signed_at: datetime

    def text(self) -> str:
        root = base64.b64encode(self.root).decode()
        when = self.signed_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return f"{self.origin}\n{self.size}\n{root}\ntime {when}\n"

    @classmethod
    def parse(cls, text: str) -> "Checkpoint":
        lines = text.split("\n")
        if len(lines) != 5 or lines[-1] or not lines[0] or not lines[3].startswith("time "):
            raise NoteError("a checkpoint is origin, tree size, root hash and time")
        size = lines[1]
        if not size.isdigit() or (size.startswith("0") and size != "0"):
            raise NoteError("the tree size is a decimal number without leading zeros")
        try:
            root = base64.b64decode(lines[2], validate=True)
            signed_at = datetime.strptime(lines[3][5:], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except (binascii.Error, ValueError) as error:
            raise NoteError(f"malformed checkpoint: {error}") from error
        if len(root) != 32:
            raise NoteError("the root hash is 32 bytes")
        return cls(origin=lines[0], size=int(size), root=root, signed_at=signed_at)


def sign_checkpoint(checkpoint: Checkpoint, name: str, private_key: Ed25519PrivateKey) -> str:
    return sign(checkpoint.text(), name, private_key)


def open_checkpoint(note: str, trusted: Iterable[tuple[str, Ed25519PublicKey]]) -> Checkpoint:
    return Checkpoint.parse(open_note(note, trusted))
